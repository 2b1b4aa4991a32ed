"""End to end: `veilleur serve` watches a real site, sees it fall and come back, and a
real browser (Playwright driving Debian's Chromium) finds the incident on the dashboard.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, Site, free_port, wait_for

pytestmark = pytest.mark.e2e

INTERVAL_S, FAILURES = 1, 2


def inventory(tmp_path: Path, site_port: int) -> Path:
    folder = tmp_path / "inventory"
    folder.mkdir()
    (folder / "site.yaml").write_text(
        f"""
platforms:
  - id: esidoc
    environments:
      - id: prod
        check_defaults:
          interval: {INTERVAL_S}s
          timeout: 1s
          failures: {FAILURES}
          successes: 1
        hosts:
          - id: portal
            address: 127.0.0.1
            vcpu: 2
            ram_gb: 4
            disk_gb: [10, 30]
            checks:
              - id: home
                kind: http
                url: "http://{{address}}:{site_port}/"
""",
        encoding="utf-8",
    )
    return folder


def test_an_outage_opens_an_incident_the_browser_shows_and_recovery_resolves(
    tmp_path, veilleur_factory
):
    site = Site(free_port())
    site.start()
    veilleur = veilleur_factory(inventory(tmp_path, site.port))
    veilleur.start()
    check_id = "esidoc/prod/portal/home"
    try:
        wait_for("the site to be UP", lambda: _state(veilleur, check_id) == "up")

        stopped_at = datetime.now().astimezone()
        site.stop()
        incident = wait_for("an incident", lambda: _open_incident(veilleur))
        opened = datetime.fromisoformat(incident["opened_at"])
        # The failures needed, plus at most one interval of phase, plus a second for
        # the probe's own timeout.
        assert opened - stopped_at <= timedelta(seconds=INTERVAL_S * (FAILURES + 1) + 1)
        assert incident["title"] == "home indisponible sur portal (esidoc prod)"

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            dashboard = browser.new_page()
            dashboard.goto(veilleur.url + "/")
            open_list = dashboard.locator("#open-incidents")
            expect(open_list).to_contain_text(incident["title"])
            expect(dashboard.locator(".tile.state-down")).to_contain_text(
                "esidoc · prod"
            )
            dashboard.evaluate("window.kept = true")  # gone if the page reloads

            details = browser.new_page()
            details.goto(veilleur.url + "/")
            details.click(f"#open-incidents >> text={incident['title']}")
            expect(details.locator("h1")).to_contain_text(
                f"Incident n° {incident['id']}"
            )
            expect(details.locator(".timeline")).to_contain_text("Incident ouvert")

            site.start()
            resolved = wait_for(
                "the incident to be resolved",
                lambda: _resolved(veilleur, incident["id"]),
            )
            assert [e["kind"] for e in resolved["timeline"]] == [
                "failing", "opened", "resolved",
            ]  # fmt: skip

            # The dashboard left open catches up by itself (it refreshes every 15 s).
            expect(dashboard.get_by_text("Aucun incident ouvert.")).to_be_visible(
                timeout=40_000
            )
            assert dashboard.evaluate("window.kept") is True
            browser.close()
    finally:
        site.stop()

    assert veilleur.stop() == 0
    assert "dashboard at http://127.0.0.1:" in veilleur.output()


def test_a_restart_keeps_the_open_incident_and_opens_no_second(
    tmp_path, veilleur_factory
):
    site = Site(free_port())  # never started: DOWN from the first probes
    veilleur = veilleur_factory(inventory(tmp_path, site.port))
    veilleur.start()
    first = wait_for("an incident", lambda: _open_incident(veilleur))
    assert veilleur.stop() == 0

    veilleur.start()
    wait_for(
        "probes after the restart",
        lambda: _last_probe_after(veilleur, first["opened_at"]),
    )
    page = veilleur.get("/api/v1/incidents")
    assert page["total"] == 1 and page["items"][0]["id"] == first["id"]
    assert veilleur.stop() == 0


def test_with_no_configuration_it_watches_this_machine(veilleur_factory):
    veilleur = veilleur_factory(None)
    veilleur.start()

    def states() -> dict[str, str] | None:
        items = veilleur.get("/api/v1/checks")["items"]
        found = {c["name"]: c["state"] for c in items}
        return found if "unknown" not in found.values() else None

    found = wait_for("every local check to have a state", states)
    # This machine runs PostgreSQL, MariaDB and Redis (the set-up starts them).
    assert found == {
        "veilleur-api": "up",
        "postgresql": "up",
        "mariadb": "up",
        "redis": "up",
    }
    assert veilleur.stop() == 0


def _state(veilleur, check_id: str) -> str:
    return veilleur.get(f"/api/v1/checks/{check_id}")["state"]


def _open_incident(veilleur):
    items = veilleur.get("/api/v1/incidents", status="open")["items"]
    return items[0] if items else None


def _resolved(veilleur, incident_id: int):
    incident = veilleur.get(f"/api/v1/incidents/{incident_id}")
    return incident if incident["status"] == "resolved" else None


def _last_probe_after(veilleur, instant: str) -> bool:
    [check] = veilleur.get("/api/v1/checks")["items"]
    last = check["last_probe"]
    return last is not None and last["at"] > instant
