"""The incident page (clocks, people, notifications, actions), the dashboard's clock
columns and the incident report in HTML and PDF, on a database filled the way the
service fills it: the recorder, the lifecycle's actions and clock ticks, a dispatcher
round.

All instants below are UTC; Paris is UTC+1 in December. The scope counts its deadlines
in the provider's coverage time: outside business hours, Monday to Friday 08:00-17:00
Paris. 3 and 4 December 2026 are a Thursday and a Friday, no holiday, no closure.
"""

import asyncio
import re
import shutil
import subprocess
from html import unescape

import pytest
from fastapi.testclient import TestClient

from tests.conftest import at
from veilleur.incidents import lifecycle
from veilleur.incidents.contract import Contract
from veilleur.inventory.loader import load_sources
from veilleur.notify.dispatch import Dispatcher, SendError
from veilleur.states import State, StateChange
from veilleur.store import Database
from veilleur.store.recorder import Recorder
from veilleur.web.app import create_app

NOW = at("2026-12-04 17:40")  # Friday 18:40 Paris
CAUSE = "Certificat TLS expiré sur le répartiteur HAProxy"
RESOLUTION = "Certificat renouvelé puis HAProxy rechargé"
PROCEDURE = "PI-07 Renouvellement d'un certificat"

CONTRACT = """
contacts:
  - {id: astreinte, name: Astreinte du titulaire, channels: ["json://127.0.0.1:9/a"]}
  - {id: exploitation, name: Équipe d'exploitation, channels: ["json://127.0.0.1:9/e"]}
  - {id: dsi, name: DSI, channels: ["mailto://dsi.example.org"]}
platforms:
  - id: esidoc
    environments:
      - id: prod
        hosts:
          - id: proxy
            address: 127.0.0.1
            checks:
              - {id: search, kind: tcp, port: 9200}
              - {id: portal, kind: tcp, port: 443}
              - {id: admin, kind: tcp, port: 8443}
              - {id: ftp, kind: tcp, port: 21}
scopes:
  - id: documentation
    name: Plateformes documentaires
    platforms: [esidoc]
    calendar:
      business_hours: [{days: mon-fri, hours: "08:00-17:00"}]
    guarantees: {gti: 2h, gtr: 4h, warn_before: 30m}
    alert_chain:
      steps: [{after: 0m, notify: [astreinte]}]
      inform: [dsi]
      business_hours: [exploitation]
"""
CHECK = "esidoc/prod/proxy/"
MISSED, HANDED_OVER, CLOSED, RUNNING = 1, 2, 3, 4


def down(start: str, seen: str) -> StateChange:
    return StateChange(State.UP, State.DOWN, at(start), at(seen), "connexion refusée")


def up(start: str, seen: str) -> StateChange:
    return StateChange(State.DOWN, State.UP, at(start), at(seen), "connexion acceptée")


async def accept_but_mail(url: str, subject: str, body: str) -> None:
    """A fake channel: webhooks take the message, the mail server refuses it."""
    if url.startswith("mailto:"):
        raise SendError("boîte refusée", permanent=True)


def fill(db: Database) -> Contract:
    """Four incidents, one per check, in the order of their ids."""
    contract = Contract(load_sources([("c.yaml", CONTRACT)], "test"), "http://x")
    recorder = Recorder(db, contract)
    recorder.sync_checks(contract.inventory.checks, at("2026-12-03 12:00"))

    # n° 1, search: opened Thursday 21:00 Paris, out of hours. GTI due 23:00 Paris
    # (22:00 UTC), GTR 01:00 Paris on Friday. The 23:30 Paris tick finds the GTI
    # missed; taken in hand at 23:45; back by itself at 00:30 Paris: GTR met.
    recorder.record_change(
        CHECK + "search", down("2026-12-03 19:58", "2026-12-03 20:00")
    )
    with db.session() as s:
        lifecycle.tick(s, contract, at("2026-12-03 22:30"))
    with db.session() as s:
        lifecycle.acknowledge(
            s, contract, MISSED, "Camille Martin", at("2026-12-03 22:45")
        )
    recorder.record_change(CHECK + "search", up("2026-12-03 23:30", "2026-12-03 23:31"))

    # n° 2, portal: opened Friday 06:30 Paris, out of hours. GTI: 1 h 30 of coverage
    # until 08:00, the last 30 min from 17:00: due 17:30 Paris. GTR: 1 h 30 + 2 h 30
    # from 17:00: due 19:30 Paris. At 08:00 Paris the client's team takes over.
    recorder.record_change(
        CHECK + "portal", down("2026-12-04 05:28", "2026-12-04 05:30")
    )
    with db.session() as s:
        lifecycle.tick(s, contract, at("2026-12-04 07:00"))

    # n° 3, admin: opened Friday 10:00 Paris, in business hours: both clocks start
    # at 17:00, GTI due 19:00 and GTR 21:00 Paris. Taken in hand at 10:10 Paris,
    # restored and closed at 11:05 Paris: both met.
    recorder.record_change(
        CHECK + "admin", down("2026-12-04 08:58", "2026-12-04 09:00")
    )
    with db.session() as s:
        lifecycle.acknowledge(
            s, contract, CLOSED, "Claire Dubois", at("2026-12-04 09:10")
        )
    asyncio.run(
        Dispatcher(db, accept_but_mail, clock=lambda: at("2026-12-04 09:30")).round()
    )
    # Declared restored at 11:05 Paris, confirmed by the probe seconds later.
    with db.session() as s:
        lifecycle.restore(s, contract, CLOSED, "Claire Dubois", at("2026-12-04 10:05"))
    recorder.record_change(
        CHECK + "admin", up("2026-12-04 10:05:10", "2026-12-04 10:05:20")
    )
    with db.session() as s:
        lifecycle.close(s, contract, CLOSED, "Claire Dubois", CAUSE, RESOLUTION,
                        PROCEDURE, at("2026-12-04 10:05:30"))  # fmt: skip

    # n° 4, ftp: opened Friday 16:52 Paris, in business hours: GTI due 19:00 Paris
    # (18:00 UTC), GTR 21:00 Paris (20:00 UTC). At NOW, 18:40 Paris, 20 min are
    # left on the GTI (within the 30 min warning) and 2 h 20 min on the GTR.
    recorder.record_change(CHECK + "ftp", down("2026-12-04 15:50", "2026-12-04 15:52"))
    return contract


@pytest.fixture
def site(db):
    contract = fill(db)
    return TestClient(create_app(db, None, clock=lambda: NOW, contract=contract))


def text_of(html: str) -> str:
    """The page's words, without tags, on one line."""
    words = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", unescape(words)).strip()


def clock_row(html: str, name: str) -> tuple[str, str]:
    """(CSS classes, text) of the row or cell of one clock ("gti" or "gtr")."""
    match = re.search(
        rf'<(tr|td) class="([^"]*)" data-clock="{name}">(.*?)</\1>', html, re.S
    )
    assert match, f"no {name} clock in the page"
    return match.group(2), text_of(match.group(3))


def actions_of(html: str) -> set[str]:
    return set(re.findall(r'<form data-action="(\w+)"', html))


def test_a_running_clock_shows_its_deadline_and_the_time_left(site):
    page = site.get(f"/incidents/{RUNNING}").text

    gti_classes, gti = clock_row(page, "gti")
    assert "GTI" in gti and "garantie de temps d'intervention" in gti
    assert "4 décembre 2026 à 19:00" in gti and "en cours" in gti
    assert "reste 20 min" in gti
    assert "clock-near" in gti_classes  # within the 30 min of warning
    gtr_classes, gtr = clock_row(page, "gtr")
    assert "garantie de temps de rétablissement" in gtr
    assert "4 décembre 2026 à 21:00" in gtr and "reste 2 h 20 min" in gtr
    assert "clock-near" not in gtr_classes
    assert "pendant les heures ouvrées" in text_of(page)
    assert "Plateformes documentaires (documentation)" in text_of(page)


def test_an_open_incident_nobody_took_offers_every_action(site):
    page = site.get(f"/incidents/{RUNNING}").text

    assert actions_of(page) == {"acknowledge", "restore", "notes", "close"}
    words = text_of(page)
    for label in ("Prendre en charge", "Ajouter une note", "Service rétabli",
                  "Clore l'incident", "Jeton d'accès"):  # fmt: skip
        assert label in words
    assert "En attente de prise en charge depuis 1 h 48 min" in words
    # The token is typed in a field of no form, with no name: never submitted.
    token = re.search(r"<input id=\"access-token\"[^>]*>", page).group(0)
    assert "name=" not in token and 'type="password"' in token


def test_a_missed_intervention_reads_breached_and_the_restoration_met(site):
    page = site.get(f"/incidents/{MISSED}").text

    _, gti = clock_row(page, "gti")
    assert "3 décembre 2026 à 23:00" in gti and "dépassée" in gti
    assert "prise en charge le 3 décembre 2026 à 23:45" in gti
    _, gtr = clock_row(page, "gtr")
    assert "4 décembre 2026 à 01:00" in gtr and "respectée" in gtr
    words = text_of(page)
    assert "hors heures ouvrées" in words
    assert "Pris en charge par Camille Martin le 3 décembre 2026 à 23:45" in words
    assert "Service rétabli le 4 décembre 2026 à 00:30 (constaté par la sonde)" in words
    # Taken in hand and restored: only a note or the closing are left.
    assert actions_of(page) == {"notes", "close"}


def test_the_notifications_say_whom_they_went_to_and_how_it_went(site):
    page = site.get(f"/incidents/{MISSED}").text
    rows = [
        text_of(r) for r in re.findall(r"<tr class=\"notification-.*?</tr>", page, re.S)
    ]

    assert any(
        r.startswith("Astreinte du titulaire") and "envoyée 1" in r for r in rows
    )
    assert any(r.startswith("DSI") and "abandonnée" in r and "boîte refusée" in r
               for r in rows)  # fmt: skip
    closed = site.get(f"/incidents/{CLOSED}").text
    assert "en attente" in text_of(closed)  # the restoration, after the round


def test_clocks_handed_over_to_the_clients_team(site):
    page = site.get(f"/incidents/{HANDED_OVER}").text

    _, gti = clock_row(page, "gti")
    assert "4 décembre 2026 à 17:30" in gti
    assert "passée à l'équipe d'exploitation" in gti
    assert (
        "passage de relais à l'équipe d'exploitation le 4 décembre 2026 à 08:00" in gti
    )
    _, gtr = clock_row(page, "gtr")
    assert "4 décembre 2026 à 19:30" in gtr and "reste" not in gtr
    assert "acknowledge" in actions_of(page)


def test_a_closed_incident_shows_its_closing_and_offers_no_action(site):
    page = site.get(f"/incidents/{CLOSED}").text
    words = text_of(page)

    assert actions_of(page) == set()
    assert "plus aucune action" in words
    assert f"Cause {CAUSE}" in words and f"Résolution {RESOLUTION}" in words
    assert PROCEDURE in words
    assert "Clos le 4 décembre 2026 à 11:05 par Claire Dubois" in words
    assert "Pris en charge par Claire Dubois le 4 décembre 2026 à 10:10" in words
    _, gti = clock_row(page, "gti")
    assert "4 décembre 2026 à 19:00" in gti and "respectée" in gti


def test_without_a_scope_the_clocks_say_nothing_is_guaranteed(db):
    Recorder(db).sync_checks(
        load_sources([("c.yaml", CONTRACT)], "test").checks, at("2026-12-04 09:00")
    )
    Recorder(db).record_change(
        CHECK + "ftp", down("2026-12-04 15:50", "2026-12-04 15:52")
    )
    page = TestClient(create_app(db, None, clock=lambda: NOW)).get("/incidents/1").text

    assert "sans objet" in clock_row(page, "gti")[1]
    assert "aucun périmètre du contrat" in text_of(page)


def test_the_dashboard_shows_both_deadlines_of_open_incidents(site):
    page = site.get("/").text

    assert "Incidents ouverts (2)" in text_of(page)
    table = page[page.index('id="open-incidents"') :]
    row = table[table.index(f'data-incident="{RUNNING}"') :]
    gti_classes, gti = clock_row(row, "gti")
    assert "clock-near" in gti_classes
    assert "4 déc. 19:00" in gti and "reste 20 min" in gti
    assert "4 déc. 21:00" in clock_row(row, "gtr")[1]
    row = table[table.index(f'data-incident="{HANDED_OVER}"') :]
    assert "passée à l'équipe d'exploitation" in clock_row(row, "gtr")[1]


def test_the_report_gives_cause_resolution_procedure_and_paris_times(site):
    answer = site.get(f"/incidents/{CLOSED}/rapport")
    words = text_of(answer.text)

    assert answer.status_code == 200
    assert "Rapport provisoire" not in words
    assert f"Cause {CAUSE}" in words
    assert f"Résolution {RESOLUTION}" in words
    assert f"Procédure d'intervention suivie {PROCEDURE}" in words
    # 08:58, 09:00, 09:10 and 10:05 UTC.
    for step in (
        "Premier échec de la sonde 4 décembre 2026 à 09:58",
        "Ouverture de l'incident (panne confirmée) 4 décembre 2026 à 10:00",
        "Prise en charge 4 décembre 2026 à 10:10 Claire Dubois",
        "Rétablissement du service 4 décembre 2026 à 11:05 Claire Dubois",
        "Clôture 4 décembre 2026 à 11:05 Claire Dubois",
    ):
        assert step in words
    assert "Délai de prise en charge (ouverture → prise en charge) 10 min" in words
    assert (
        "Interruption du service (premier échec → rétablissement) 1 h 07 min" in words
    )
    assert "GTI garantie de temps d'intervention 4 décembre 2026 à 19:00" in words
    assert "esidoc" in words and "proxy" in words and "admin" in words


def test_the_report_of_an_open_incident_is_provisional(site):
    words = text_of(site.get(f"/incidents/{RUNNING}/rapport").text)

    banner = words.index("Rapport provisoire : incident non clos")
    assert banner < words.index("Incident n° 4")  # at the top
    assert "À renseigner à la clôture de l'incident" in words
    assert "pas de prise en charge (1 h 48 min à ce jour)" in words


def test_the_pdf_report_is_a_pdf_that_says_the_cause(site, tmp_path):
    answer = site.get(f"/incidents/{CLOSED}/rapport.pdf")

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert 'filename="incident-3.pdf"' in answer.headers["content-disposition"]
    assert answer.content.startswith(b"%PDF")
    assert CAUSE in pdf_text(answer.content, tmp_path)


def test_unknown_incidents_get_a_french_404_page(site):
    for path in ("/incidents/99", "/incidents/99/rapport", "/incidents/99/rapport.pdf"):
        answer = site.get(path)
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith("text/html")
        assert "Veilleur ne connaît pas l'incident n° 99" in text_of(answer.text)


def pdf_text(pdf: bytes, tmp_path) -> str:
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext is missing: install poppler-utils (scripts/setup.sh)"
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        [tool, str(path), "-"], capture_output=True, check=True, timeout=30
    )
    return re.sub(r"\s+", " ", done.stdout.decode("utf-8"))
