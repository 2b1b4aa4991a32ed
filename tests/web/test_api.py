"""The JSON API and the pages, on a database filled through the recorder."""

import pytest
from fastapi.testclient import TestClient

from tests.conftest import at
from tests.store.test_recorder import FTP, PORTAL, PORTAL_ID, checks
from veilleur.states import State, StateChange
from veilleur.store.recorder import BucketDelta, LastResult, Recorder
from veilleur.web.app import create_app

TOKEN = "s3cret-token-for-tests-0123456789"
NOW = at("2026-12-04 12:00")


@pytest.fixture
def filled(db):
    """Portal: up at 10:00, down 10:30 to 10:45, open again since 11:50; FTP unknown."""
    recorder = Recorder(db)
    recorder.sync_checks(checks(PORTAL, FTP), at("2026-12-04 09:00"))
    for old, new, start, seen in [
        (State.UNKNOWN, State.UP, "10:00", "10:00"),
        (State.UP, State.DOWN, "10:30", "10:32"),
        (State.DOWN, State.UP, "10:45", "10:46"),
        (State.UP, State.DOWN, "11:50", "11:52"),
    ]:
        recorder.record_change(
            PORTAL_ID,
            StateChange(old, new, at(f"2026-12-04 {start}"), at(f"2026-12-04 {seen}"),
                        "connexion refusée"),
        )  # fmt: skip
    bucket = BucketDelta(PORTAL_ID, at("2026-12-04 11:00"), 3600)
    bucket.add(True, 20.0)
    bucket.add(False, None)
    recorder.flush(
        {PORTAL_ID: LastResult(at("2026-12-04 11:59"), False, None, "refusée", False)},
        [bucket],
    )
    return db


def client(db, token=None):
    return TestClient(create_app(db, token, clock=lambda: NOW))


def test_health_says_ok_and_counts_checks(filled):
    answer = client(filled).get("/api/v1/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "database": "ok", "checks": 2}


def test_it_lists_troubled_checks_first_and_filters_by_state(filled):
    api = client(filled)
    items = api.get("/api/v1/checks").json()["items"]
    assert [c["id"] for c in items] == [PORTAL_ID, "esidoc/prod/proxy/ftp"]
    down = api.get("/api/v1/checks", params={"state": "down"}).json()
    assert down["total"] == 1 and down["items"][0]["last_probe"]["message"] == "refusée"


def test_it_refuses_bad_query_parameters_in_french(filled):
    api = client(filled)
    answer = api.get("/api/v1/checks", params={"limit": "many"})
    assert answer.status_code == 422
    assert answer.json() == {
        "error": "requête invalide — limit : nombre attendu, reçu 'many'"
    }
    assert api.get("/api/v1/checks", params={"limit": 0}).status_code == 422
    assert api.get("/api/v1/checks", params={"state": "sideways"}).status_code == 422
    assert api.get("/api/v1/incidents", params={"status": "x"}).status_code == 422


def test_it_finds_a_check_by_its_id_and_says_when_it_does_not(filled):
    api = client(filled)
    assert api.get(f"/api/v1/checks/{PORTAL_ID}").json()["state"] == "down"
    missing = api.get("/api/v1/checks/esidoc/prod/nope")
    assert missing.status_code == 404
    assert missing.json() == {"error": "contrôle inconnu : esidoc/prod/nope"}


def test_history_gives_changes_buckets_and_time_in_states(filled):
    answer = client(filled).get(
        f"/api/v1/checks/{PORTAL_ID}/history",
        params={"since": "2026-12-04T10:00:00Z", "until": "2026-12-04T12:00:00Z"},
    )
    body = answer.json()
    assert answer.status_code == 200
    assert [c["to_state"] for c in body["changes"]] == ["up", "down", "up", "down"]
    # Down 10:30–10:45 and 11:50–12:00: 25 minutes of 120.
    times = body["time_in_states"]
    assert times["down_s"] == 25 * 60 and times["up_s"] == 95 * 60
    assert times["availability"] == pytest.approx(95 / 120)
    [bucket] = body["buckets"]
    assert (bucket["probes"], bucket["failures"], bucket["latency_avg_ms"]) == (
        2,
        1,
        20.0,
    )


def test_history_refuses_naive_or_reversed_periods(filled):
    api = client(filled)
    url = f"/api/v1/checks/{PORTAL_ID}/history"
    naive = api.get(url, params={"since": "2026-12-04T10:00:00"})
    assert naive.status_code == 422 and "fuseau" in naive.json()["error"]
    backwards = api.get(
        url, params={"since": "2026-12-04T12:00:00Z", "until": "2026-12-04T10:00:00Z"}
    )
    assert backwards.status_code == 422
    garbage = api.get(url, params={"since": "yesterday"})
    assert garbage.status_code == 422 and "date ISO 8601" in garbage.json()["error"]


def test_incidents_come_with_their_timeline(filled):
    api = client(filled)
    page = api.get("/api/v1/incidents").json()
    assert page["total"] == 2
    assert [i["status"] for i in page["items"]] == ["open", "resolved"]
    incident = api.get(f"/api/v1/incidents/{page['items'][1]['id']}").json()
    assert [e["kind"] for e in incident["timeline"]] == [
        "failing",
        "opened",
        "resolved",
    ]
    assert incident["resolved_at"] == "2026-12-04T10:45:00Z"
    assert api.get("/api/v1/incidents/999").status_code == 404
    assert api.get("/api/v1/incidents/abc").status_code == 422


def test_notes_need_a_configured_token(filled):
    answer = client(filled).post(
        "/api/v1/incidents/1/notes", json={"text": "vu", "author": "astreinte"}
    )
    assert answer.status_code == 403
    assert "aucun jeton" in answer.json()["error"]


def test_notes_refuse_a_wrong_token_and_keep_the_timeline_intact(filled):
    api = client(filled, TOKEN)
    before = api.get("/api/v1/incidents/1").json()["timeline"]
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        answer = api.post(
            "/api/v1/incidents/1/notes",
            json={"text": "vu", "author": "astreinte"},
            headers=headers,
        )
        assert answer.status_code == 401
    assert api.get("/api/v1/incidents/1").json()["timeline"] == before


def test_a_note_with_the_token_joins_the_timeline(filled):
    api = client(filled, TOKEN)
    answer = api.post(
        "/api/v1/incidents/2/notes",
        json={"text": "Redémarrage d'Apache", "author": "astreinte"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code == 201
    last = answer.json()["timeline"][-1]
    assert (last["kind"], last["message"], last["actor"]) == (
        "note", "Redémarrage d'Apache", "astreinte",
    )  # fmt: skip
    assert last["at"] == "2026-12-04T12:00:00Z"


@pytest.mark.parametrize(
    "body",
    [b"{not json", b'{"text": ""}', b'{"text": "x", "author": "a", "extra": 1}', b"[]"],
)
def test_bad_note_bodies_get_a_reason_not_a_crash(filled, body):
    api = client(filled, TOKEN)
    answer = api.post(
        "/api/v1/incidents/1/notes",
        content=body,
        headers={
            "Authorization": f"Bearer {TOKEN}",
            "Content-Type": "application/json",
        },
    )
    assert answer.status_code == 422
    assert answer.json()["error"].startswith("requête invalide")


def test_the_openapi_document_lists_the_endpoints(filled):
    paths = client(filled).get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/checks", "/api/v1/incidents/{incident_id}/notes"} <= set(paths)


def test_the_dashboard_shows_platforms_and_open_incidents_in_french(filled):
    page = client(filled).get("/")
    assert page.status_code == 200
    assert "Incidents ouverts (1)" in page.text
    assert "portal indisponible sur proxy (esidoc prod)" in page.text
    assert "4 décembre 2026 à 12:52" in page.text  # 11:52 UTC is 12:52 in Paris


def test_pages_for_a_check_an_incident_and_something_missing(filled):
    api = client(filled)
    check = api.get(f"/controles/{PORTAL_ID}")
    assert check.status_code == 200 and "Changements d'état" in check.text
    incident = api.get("/incidents/1")
    assert incident.status_code == 200 and "Chronologie" in incident.text
    assert api.get("/incidents/42").status_code == 404
    assert api.get("/controles/nope").status_code == 404
    assert api.get("/environnements/esidoc/prod").status_code == 200


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/api/v1/incidents/99999999999999999999999", "au plus 2147483647 attendu"),
        ("/api/v1/checks?offset=99999999999999999999999", "offset : au plus"),
        ("/api/v1/checks?limit=0", "limit : au moins 1 attendu"),
    ],
)
def test_out_of_range_numbers_are_refused_in_french(filled, url, words):
    answer = client(filled).get(url)
    assert answer.status_code == 422 and words in answer.json()["error"]


@pytest.mark.parametrize(
    "url", ["/incidents/abc", "/incidents/99999999999999999999999/rapport", "/nope"]
)
def test_unknown_pages_get_the_french_404_page(filled, url):
    answer = client(filled).get(url)
    assert answer.status_code == 404
    assert "Introuvable" in answer.text and answer.headers["content-type"].startswith(
        "text/html"
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/checks/%00",
        "/api/v1/checks?platform=%00",
        f"/api/v1/checks/{PORTAL_ID}/history?until=0001-01-01T00:00:00Z",
        f"/api/v1/checks/{PORTAL_ID}/history?since=9999-12-31T00:00:00Z",
    ],
)
def test_nul_characters_and_absurd_dates_are_refused_not_crashed_on(filled, url):
    answer = client(filled).get(url)
    assert answer.status_code in (400, 422)
    assert answer.json()["error"].startswith("requête invalide")


@pytest.mark.parametrize("text", ["a\u0000b", "\u200b\u200b", "   "])
def test_notes_need_readable_text(filled, text):
    api = client(filled, TOKEN)
    before = api.get("/api/v1/incidents/1").json()["timeline"]
    answer = api.post(
        "/api/v1/incidents/1/notes",
        json={"text": text, "author": "astreinte"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code == 422
    assert api.get("/api/v1/incidents/1").json()["timeline"] == before


def test_history_does_not_count_the_future(filled):
    # NOW is 12:00; until 14:00 asks for two hours nobody has seen yet.
    body = (
        client(filled)
        .get(
            f"/api/v1/checks/{PORTAL_ID}/history",
            params={"since": "2026-12-04T10:00:00Z", "until": "2026-12-04T14:00:00Z"},
        )
        .json()
    )
    times = body["time_in_states"]
    assert times["up_s"] + times["down_s"] + times["unknown_s"] == 2 * 3600
