"""End to end: an on-call engineer works an incident from its page in a real browser.

`veilleur serve` watches a local site under a scope with GTI and GTR; the site stops,
an incident opens. In Chromium the engineer opens the incident, is refused without
the access token, types it once, takes the incident in hand, adds a note, is refused
a closing without a cause, closes it, and reads the cause in the report, on the page
and in the PDF. The page's automatic refresh never wipes a note being written, and
the token never leaves for anywhere but the API.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, Site, free_port, wait_for

pytestmark = pytest.mark.e2e

TOKEN = "e2e-access-token-0123456789abcdef"
CAUSE = "Saturation du disque de /var sur le frontal"
RESOLUTION = "Journaux purgés, service Apache redémarré"
REFRESH_MS = 15_000  # veilleur.js


def inventory(tmp_path: Path, site_port: int) -> Path:
    folder = tmp_path / "inventory"
    folder.mkdir()
    (folder / "site.yaml").write_text(
        f"""
platforms:
  - id: esidoc
    environments:
      - id: prod
        check_defaults: {{interval: 1s, timeout: 1s, failures: 2, successes: 1}}
        hosts:
          - id: portal
            address: 127.0.0.1
            checks:
              - {{id: home, kind: http, url: "http://{{address}}:{site_port}/"}}
scopes:
  - id: documentation
    name: Plateformes documentaires
    platforms: [esidoc]
    calendar:
      business_hours: [{{days: mon-fri, hours: "08:00-17:00"}}]
    guarantees: {{gti: 2h, gtr: 4h}}
""",
        encoding="utf-8",
    )
    return folder


def test_an_engineer_takes_in_hand_and_closes_an_incident_from_its_page(
    tmp_path, veilleur_factory, request
):
    site = Site(free_port())
    request.addfinalizer(site.stop)  # it is started again before the closing
    site.start()
    veilleur = veilleur_factory(inventory(tmp_path, site.port))
    veilleur.env["VEILLEUR_API_TOKEN"] = TOKEN
    veilleur.start()
    try:
        wait_for("the site to be UP", lambda: _state(veilleur) == "up")
        site.stop()
        incident = wait_for("an incident", lambda: _open_incident(veilleur))
    finally:
        site.stop()
    url = f"{veilleur.url}/incidents/{incident['id']}"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        sent: list[tuple[str, str | None]] = []
        page.on(
            "request", lambda r: sent.append((r.url, r.headers.get("authorization")))
        )
        page.clock.install()  # the refresh runs when the test says so
        page.goto(url)
        expect(page.locator("#clocks [data-clock=gti]")).to_contain_text("en cours")

        _a_draft_holds_the_refresh(page, url)

        page.get_by_role("button", name="Prendre en charge").click()
        expect(page.locator("form[data-action=acknowledge] .refusal")).to_contain_text(
            "jeton absent ou invalide"
        )

        page.get_by_label("Votre nom").fill("Camille Martin")
        page.get_by_label("Jeton d'accès").fill(TOKEN)
        page.get_by_role("button", name="Prendre en charge").click()
        expect(page.locator("#progress")).to_contain_text(
            "Pris en charge par Camille Martin"
        )
        expect(page.get_by_role("button", name="Prendre en charge")).to_have_count(0)
        # Typed once: after the reload the kept token and name are there again.
        expect(page.get_by_label("Jeton d'accès")).to_have_value(TOKEN)

        page.get_by_label("Note pour la chronologie").fill("Disque plein, je purge.")
        page.get_by_role("button", name="Ajouter une note").click()
        expect(page.locator(".timeline")).to_contain_text("Disque plein, je purge.")

        page.get_by_label("Résolution").fill(RESOLUTION)
        page.get_by_role("button", name="Clore l'incident").click()
        expect(page.locator("form[data-action=close] .refusal")).to_contain_text(
            "cause : texte vide"
        )
        expect(page.get_by_label("Résolution")).to_have_value(RESOLUTION)

        page.get_by_label("Cause").fill(CAUSE)
        page.get_by_role("button", name="Clore l'incident").click()
        # The probe still sees the site down: closing waits for the service.
        expect(page.locator("form[data-action=close] .refusal")).to_contain_text(
            "toujours en panne"
        )
        site.start()
        wait_for(
            "the probe to see the site back",
            lambda: (
                veilleur.get(f"/api/v1/incidents/{incident['id']}")["status"]
                == "resolved"
            ),
        )
        page.get_by_role("button", name="Clore l'incident").click()
        expect(page.locator("h1 .badge")).to_have_text("clos")
        expect(page.locator("#actions")).to_contain_text("plus aucune action")
        expect(page.locator("form[data-action]")).to_have_count(0)

        page.click("#report-link")
        expect(page.locator("#cause")).to_have_text(CAUSE)
        expect(page.locator("body")).not_to_contain_text("Rapport provisoire")
        with page.expect_download() as download:
            page.click("#report-pdf")
        assert download.value.suggested_filename == f"incident-{incident['id']}.pdf"
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
        browser.close()

    for where, authorization in sent:
        assert TOKEN not in where
        if authorization is not None:
            assert where.startswith(f"{veilleur.url}/api/v1/incidents/")
    closed = veilleur.get(f"/api/v1/incidents/{incident['id']}")
    assert (closed["status"], closed["cause"], closed["acknowledged_by"]) == (
        "closed", CAUSE, "Camille Martin",
    )  # fmt: skip
    pdf = httpx.get(f"{url}/rapport.pdf", timeout=30)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert veilleur.stop() == 0


def _a_draft_holds_the_refresh(page: Page, url: str) -> None:
    """A note being written survives the refresh; once it is gone, the page swaps."""
    mark = "document.querySelector('[data-live] h1').dataset.old = 'yes'"
    page.evaluate(mark)
    page.get_by_label("Note pour la chronologie").fill("Je regarde")
    page.locator("h1").click()  # the focus leaves the form, the draft stays

    with page.expect_response(lambda r: r.url == url):
        page.clock.run_for(REFRESH_MS)
    page.wait_for_timeout(300)  # the answer is parsed, the swap would be done
    expect(page.get_by_label("Note pour la chronologie")).to_have_value("Je regarde")
    expect(page.locator("h1[data-old]")).to_have_count(1)

    page.get_by_label("Note pour la chronologie").fill("")
    page.locator("h1").click()
    page.clock.run_for(REFRESH_MS)
    expect(page.locator("h1[data-old]")).to_have_count(0)


def _state(veilleur) -> str:
    [check] = veilleur.get("/api/v1/checks")["items"]
    return check["state"]


def _open_incident(veilleur):
    items = veilleur.get("/api/v1/incidents", status="open")["items"]
    return items[0] if items else None
