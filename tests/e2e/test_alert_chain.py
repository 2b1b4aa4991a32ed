"""End to end: `veilleur serve` tells the alert chain of an outage by e-mail (a real
SMTP server) and webhook (a real HTTP receiver); the SMTP server is down for a while,
Veilleur is killed mid-way and restarted; every message arrives, once, in order."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.e2e.conftest import Site, free_port, wait_for
from tests.notify.servers import Mailbox, Webhook

pytestmark = pytest.mark.e2e


def contract_config(
    tmp_path: Path, site: Site, mailbox: Mailbox, hook: Webhook
) -> Path:
    folder = tmp_path / "inventory"
    folder.mkdir()
    # No business hours: the provider is on duty whenever the test runs, so the
    # incident is out of hours and the whole chain is called.
    (folder / "contract.yaml").write_text(
        f"""
contacts:
  - {{id: astreinte, channels: ["{mailbox.url("astreinte@example.org")}"]}}
  - {{id: astreinte-n2, channels: ["{hook.url("n2")}"]}}
  - {{id: exploitation, channels: ["{hook.url("exploitation")}"]}}
  - {{id: dsi, channels: ["{mailbox.url("dsi@example.org")}"]}}
platforms:
  - id: esidoc
    environments:
      - id: prod
        check_defaults: {{interval: 1s, timeout: 1s, failures: 2, successes: 1}}
        hosts:
          - id: portal
            address: 127.0.0.1
            checks:
              - {{id: home, kind: http, url: "http://{{address}}:{site.port}/"}}
scopes:
  - id: documentation
    platforms: [esidoc]
    calendar: {{business_hours: []}}
    guarantees: {{gti: 2h, gtr: 4h}}
    alert_chain:
      steps:
        - {{after: 0s, notify: [astreinte]}}
        - {{after: 3s, notify: [astreinte-n2]}}
      inform: [exploitation, dsi]
""",
        encoding="utf-8",
    )
    return folder


def test_the_chain_survives_an_smtp_outage_and_a_killed_veilleur(
    tmp_path, veilleur_factory
):
    site, mailbox, hook = Site(free_port()), Mailbox(), Webhook()
    site.start()
    mailbox.start()
    hook.start()
    veilleur = veilleur_factory(contract_config(tmp_path, site, mailbox, hook))
    try:
        veilleur.start()
        wait_for("the site to be UP", lambda: _state(veilleur) == "up")

        mailbox.stop()
        site.stop()
        wait_for(
            "the webhook to hear of the incident",
            lambda: _paths(hook) == ["/exploitation"],
        )
        wait_for("the second step", lambda: "/n2" in _paths(hook), timeout=20)
        wait_for("mails to be tried", lambda: _tried_mails(veilleur) >= 2)

        veilleur.process.send_signal(signal.SIGKILL)  # no chance to tidy up
        veilleur.process.wait(10)
        veilleur.process = None
        mailbox.start()
        site.start()
        veilleur.start()

        wait_for(
            "every message to arrive",
            lambda: len(mailbox.received) >= 4 and len(hook.received) >= 3,
            timeout=90,
        )
        incident = veilleur.get("/api/v1/incidents/1")
        wait_for(
            "the outbox to drain",
            lambda: all(n["status"] == "sent"
                        for n in veilleur.get("/api/v1/incidents/1")["notifications"]),
            timeout=30,
        )  # fmt: skip
        assert incident["status"] == "resolved"
    finally:
        site.stop()
        mailbox.stop()
        hook.stop()

    def mails(to: str) -> list[str]:
        return [subject for rcpt, subject, _ in mailbox.received if rcpt == to]

    title = "home indisponible sur portal (esidoc prod)"
    opened = f"[Veilleur] Incident n° 1 ouvert — {title}"
    restored = f"[Veilleur] Incident n° 1 — service rétabli — {title}"
    assert mails("astreinte@example.org") == [opened, restored]
    assert mails("dsi@example.org") == [opened, restored]
    assert [(m["path"], m["title"]) for m in hook.received] == [
        ("/exploitation", opened),
        (
            "/n2",
            f"[Veilleur] Incident n° 1 toujours sans prise en charge (relance 1) — {title}",
        ),
        ("/exploitation", restored),
    ]
    assert veilleur.stop() == 0


def _state(veilleur) -> str:
    return veilleur.get("/api/v1/checks/esidoc/prod/portal/home")["state"]


def _paths(hook: Webhook) -> list[str]:
    return [m["path"] for m in hook.received]


def _tried_mails(veilleur) -> int:
    items = veilleur.get("/api/v1/incidents/1")["notifications"]
    return sum(
        1 for n in items if n["contact_id"] in ("astreinte", "dsi") and n["attempts"]
    )
