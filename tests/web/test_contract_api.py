"""The contract's API: scopes, who is on duty, deadlines, the calendar feed, ad-hoc
days (72 hours ahead), and acting on incidents."""

import icalendar
import pytest
from fastapi.testclient import TestClient

from tests.conftest import at
from tests.incidents.contract_fixture import PORTAL_ID, make_contract
from veilleur.states import State, StateChange
from veilleur.store.recorder import Recorder
from veilleur.web.app import create_app

TOKEN = "s3cret-token-for-tests-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def api(db):
    contract = make_contract()
    recorder = Recorder(db, contract)
    recorder.sync_checks(contract.inventory.checks, at("2026-12-01 00:00"))
    recorder.record_change(
        PORTAL_ID,
        StateChange(State.UP, State.DOWN, at("2026-12-04 16:58"),
                    at("2026-12-04 17:00"), "connexion refusée"),
    )  # fmt: skip
    clock = {"now": at("2026-12-04 17:20")}
    app = create_app(db, TOKEN, clock=lambda: clock["now"], contract=contract)
    client = TestClient(app)
    client.clock = clock
    client.recorder = recorder
    return client


def test_who_is_on_duty_on_christmas_day(api):
    answer = api.get(
        "/api/v1/scopes/documentation/duty", params={"at": "2026-12-25T10:00"}
    )
    body = answer.json()
    assert answer.status_code == 200
    # The December closure (19 December to 3 January) wins over the holiday.
    assert (body["on_duty"], body["reason"], body["label"]) == (
        "provider", "closure", "fermeture de décembre",
    )  # fmt: skip
    # Monday 4 January 2027 08:00 Paris = 07:00 UTC.
    assert body["next_change"] == "2027-01-04T07:00:00Z"


def test_who_is_on_duty_during_business_hours(api):
    body = api.get("/api/v1/scopes/documentation/duty",
                   params={"at": "2026-12-04T10:00+01:00"}).json()  # fmt: skip
    assert (body["on_duty"], body["label"]) == ("client", "heures ouvrées")


def test_a_deadline_in_coverage_time(api):
    # Friday 16:00 Paris + 2 h of coverage: 17:00 to 19:00 Paris = 18:00 UTC.
    body = api.get("/api/v1/scopes/documentation/due",
                   params={"at": "2026-12-04T16:00", "hours": 2}).json()  # fmt: skip
    assert body["due_at"] == "2026-12-04T18:00:00Z"


def test_bad_scope_instants_and_hours_are_refused(api):
    assert api.get("/api/v1/scopes/nope/duty").status_code == 404
    bad = api.get("/api/v1/scopes/documentation/duty", params={"at": "noon"})
    assert bad.status_code == 422 and "ISO 8601" in bad.json()["error"]
    assert (
        api.get("/api/v1/scopes/documentation/due", params={"hours": -1}).status_code
        == 422
    )


def test_the_coverage_feed_lists_the_providers_duty_periods(api):
    answer = api.get("/api/v1/scopes/documentation/coverage.ics")
    assert answer.headers["content-type"].startswith("text/calendar")
    feed = icalendar.Calendar.from_ical(answer.content)
    summaries = {str(e["SUMMARY"]) for e in feed.walk("VEVENT")}
    assert any("fermeture de décembre" in s for s in summaries)
    assert any("nuit" in s for s in summaries)


def test_an_adhoc_day_needs_72_hours_notice_or_an_override(api):
    # Now: Friday 4 December 17:20 UTC. Wednesday 9 December 00:00 Paris is
    # 8 December 23:00 UTC: 101 h 40 min ahead, accepted. Monday 7 December 00:00
    # Paris (6 December 23:00 UTC) is 53 h 40 min ahead: refused.
    url = "/api/v1/scopes/documentation/adhoc-days"
    ok = api.post(url, json={"day": "2026-12-09", "author": "DSI"}, headers=AUTH)
    assert ok.status_code == 201 and ok.json()["override"] is False
    late = api.post(url, json={"day": "2026-12-07", "author": "DSI"}, headers=AUTH)
    assert late.status_code == 422
    assert "journée ponctuelle refusée" in late.json()["error"]
    forced = api.post(
        url,
        json={"day": "2026-12-07", "author": "DSI", "override": True,
              "reason": "mise à jour de sécurité urgente"},
        headers=AUTH,
    )  # fmt: skip
    assert forced.status_code == 201 and forced.json()["override"] is True
    again = api.post(url, json={"day": "2026-12-09", "author": "DSI"}, headers=AUTH)
    assert again.status_code == 409
    assert [d["day"] for d in api.get(url).json()] == ["2026-12-07", "2026-12-09"]

    # The ad-hoc day now counts as the provider's: Wednesday 10:00 Paris.
    body = api.get("/api/v1/scopes/documentation/duty",
                   params={"at": "2026-12-09T10:00"}).json()  # fmt: skip
    assert (body["on_duty"], body["reason"]) == ("provider", "adhoc")


def test_people_take_in_hand_restore_and_close_through_the_api(api):
    url = "/api/v1/incidents/1"
    acked = api.post(f"{url}/acknowledge", json={"author": "Camille"}, headers=AUTH)
    assert acked.status_code == 200
    assert acked.json()["gti"] == {"due_at": "2026-12-04T19:00:00Z", "status": "met"}
    twice = api.post(f"{url}/acknowledge", json={"author": "Camille"}, headers=AUTH)
    assert twice.status_code == 409 and "déjà pris en charge" in twice.json()["error"]

    missing = api.post(f"{url}/close", json={"author": "Camille", "cause": " "},
                       headers=AUTH)  # fmt: skip
    assert missing.status_code == 422
    assert api.get(url).json()["status"] == "open"

    api.clock["now"] = at("2026-12-04 18:00")
    restored = api.post(f"{url}/restore", json={"author": "Camille"}, headers=AUTH)
    assert restored.json()["gtr"]["status"] == "met"
    # The probe still sees it down: the incident stays open, and cannot be closed.
    assert restored.json()["status"] == "open"
    early = api.post(f"{url}/close", json={"author": "Camille", "cause": "c",
                                           "resolution": "r"}, headers=AUTH)  # fmt: skip
    assert early.status_code == 409 and "toujours en panne" in early.json()["error"]
    api.recorder.record_change(
        PORTAL_ID,
        StateChange(State.DOWN, State.UP, at("2026-12-04 18:01"),
                    at("2026-12-04 18:02"), "connexion acceptée"),
    )  # fmt: skip
    api.clock["now"] = at("2026-12-04 18:05")
    closed = api.post(
        f"{url}/close",
        json={"author": "Camille", "cause": "Disque plein",
              "resolution": "Purge des journaux", "procedure": "PROC-12"},
        headers=AUTH,
    )  # fmt: skip
    body = closed.json()
    assert (body["status"], body["cause"], body["procedure"]) == (
        "closed", "Disque plein", "PROC-12",
    )  # fmt: skip
    assert [e["kind"] for e in body["timeline"]][-5:] == [
        "acknowledged", "resolved", "note", "confirmed", "closed",
    ]  # fmt: skip
    assert {n["contact_id"] for n in body["notifications"]} >= {"astreinte", "dsi"}


def test_acting_needs_the_token(api):
    answer = api.post("/api/v1/incidents/1/acknowledge", json={"author": "x"})
    assert answer.status_code == 401
    assert api.get("/api/v1/incidents/1").json()["acknowledged_at"] is None


def test_it_lists_the_clients_three_scopes_with_who_is_on_duty(db):
    from pathlib import Path

    from veilleur.incidents.contract import Contract
    from veilleur.inventory import load_inventory

    canope = load_inventory(Path(__file__).parents[2] / "examples" / "canope")
    app = create_app(db, None, clock=lambda: at("2026-12-04 10:00"),
                     contract=Contract(canope, "http://127.0.0.1:8470"))  # fmt: skip
    scopes = {s["id"]: s for s in TestClient(app).get("/api/v1/scopes").json()}
    assert set(scopes) == {"documentation", "web", "bases-internes"}
    # Friday 11:00 Paris: the client's team is on duty everywhere.
    assert {s["now"]["on_duty"] for s in scopes.values()} == {"client"}
    assert scopes["bases-internes"]["counting"] == "business_hours"
    assert scopes["documentation"]["members"] == ["bcdi", "esidoc"]


def test_the_dashboard_says_who_is_on_duty(api):
    # Friday 4 December 17:20 UTC is 18:20 Paris: the provider's night; the client's
    # team takes over on Monday 7 December at 08:00.
    page = api.get("/")
    assert page.status_code == 200
    assert "Qui est de service" in page.text
    row = page.text.split('id="duty"')[1].split("</table>")[0]
    assert "Astreinte du titulaire" in row and "nuit" in row
    assert "7 décembre 2026 à 08:00" in row
