"""Storage on both engines: checks kept in step with the inventory, state changes with
their incidents, latency buckets. Runs on SQLite and on the machine's PostgreSQL."""

from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from tests.conftest import at
from veilleur.inventory.loader import load_sources
from veilleur.states import State, StateChange
from veilleur.store import Database
from veilleur.store.db import SchemaTooNewError
from veilleur.store.recorder import BucketDelta, LastResult, Recorder
from veilleur.store.tables import (
    CheckRow,
    IncidentEventRow,
    IncidentRow,
    LatencyBucketRow,
    StateChangeRow,
)

INVENTORY = """
platforms:
  - id: esidoc
    environments:
      - id: prod
        hosts:
          - id: proxy
            address: 127.0.0.1
            vcpu: 2
            ram_gb: 2
            disk_gb: 10
            checks:
{checks}
"""
PORTAL = "              - {id: portal, kind: tcp, port: 443}"
FTP = "              - {id: ftp, kind: tcp, port: 21}"


def checks(*lines: str):
    return load_sources(
        [("test.yaml", INVENTORY.format(checks="\n".join(lines)))], "test"
    ).checks


PORTAL_ID = "esidoc/prod/proxy/portal"


def change(old: State, new: State, start: str, seen: str, reason: str = "x"):
    return StateChange(old, new, at(start), at(seen), reason)


def test_it_adds_new_checks_as_unknown_and_retires_removed_ones(db: Database):
    recorder = Recorder(db)
    states = recorder.sync_checks(checks(PORTAL, FTP), at("2026-12-04 10:00"))
    assert states[PORTAL_ID] == (State.UNKNOWN, at("2026-12-04 10:00"))

    recorder.sync_checks(checks(PORTAL), at("2026-12-04 11:00"))
    with db.session() as s:
        ftp = s.get(CheckRow, "esidoc/prod/proxy/ftp")
        assert ftp.retired_at == at("2026-12-04 11:00")
        assert s.get(CheckRow, PORTAL_ID).retired_at is None


def test_a_down_change_opens_one_incident_and_up_resolves_it(db: Database):
    recorder = Recorder(db)
    recorder.sync_checks(checks(PORTAL), at("2026-12-04 10:00"))
    recorder.record_change(
        PORTAL_ID, change(State.UP, State.DOWN, "2026-12-04 10:01", "2026-12-04 10:03",
                          "connexion refusée (3 échecs consécutifs)"),
    )  # fmt: skip
    recorder.record_change(
        PORTAL_ID,
        change(State.DOWN, State.UNKNOWN, "2026-12-04 10:05", "2026-12-04 10:05"),
    )
    recorder.record_change(
        PORTAL_ID,
        change(State.UNKNOWN, State.DOWN, "2026-12-04 10:06", "2026-12-04 10:08"),
    )
    recorder.record_change(
        PORTAL_ID, change(State.DOWN, State.UP, "2026-12-04 10:20", "2026-12-04 10:21")
    )

    with db.session() as s:
        [incident] = s.scalars(select(IncidentRow)).all()
        assert incident.status == "resolved"
        assert incident.started_at == at("2026-12-04 10:01")
        assert incident.opened_at == at("2026-12-04 10:03")
        assert incident.resolved_at == at("2026-12-04 10:20")
        kinds = s.scalars(
            select(IncidentEventRow.kind).order_by(
                IncidentEventRow.at, IncidentEventRow.id
            )
        ).all()
        assert kinds == ["failing", "opened", "state", "state", "resolved"]
        assert len(s.scalars(select(StateChangeRow)).all()) == 4
        check = s.get(CheckRow, PORTAL_ID)
        assert (check.state, check.state_since) == ("up", at("2026-12-04 10:20"))


def test_the_database_refuses_a_second_open_incident_for_a_check(db: Database):
    Recorder(db).sync_checks(checks(PORTAL), at("2026-12-04 10:00"))
    row = dict(check_id=PORTAL_ID, status="open", title="t",
               started_at=at("2026-12-04 10:00"), opened_at=at("2026-12-04 10:00"))  # fmt: skip
    with db.session() as s:
        s.add(IncidentRow(**row))
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(IncidentRow(**row))


def test_flushes_add_up_in_hourly_buckets(db: Database):
    recorder = Recorder(db)
    recorder.sync_checks(checks(PORTAL), at("2026-12-04 10:00"))
    hour = at("2026-12-04 10:00")

    first = BucketDelta(PORTAL_ID, hour, 3600)
    for ok, ms in [(True, 12.0), (True, 8.0), (False, None)]:
        first.add(ok, ms)
    last = {
        PORTAL_ID: LastResult(at("2026-12-04 10:02"), False, None, "refusée", False)
    }
    recorder.flush(last, [first])

    second = BucketDelta(PORTAL_ID, hour, 3600)
    second.add(True, 30.0)
    recorder.flush({}, [second])

    with db.session() as s:
        [bucket] = s.scalars(select(LatencyBucketRow)).all()
        assert (bucket.probes, bucket.failures, bucket.answered) == (4, 1, 3)
        assert bucket.latency_sum_ms == 50.0
        assert (bucket.latency_min_ms, bucket.latency_max_ms) == (8.0, 30.0)
        check = s.get(CheckRow, PORTAL_ID)
        assert (check.last_ok, check.last_message) == (False, "refusée")


def test_it_refuses_a_database_migrated_by_a_newer_version(db: Database):
    with db.session() as s:
        s.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(SchemaTooNewError, match="'9999' is newer than this Veilleur"):
        db.migrate()


def test_migrating_twice_changes_nothing(tmp_path: Path):
    database = Database.open(f"sqlite:///{tmp_path / 'v.db'}")
    database.migrate()
    database.migrate()
    with database.session() as s:
        assert s.scalar(text("SELECT version_num FROM alembic_version")) == "0002"


def test_old_hours_are_merged_into_days_and_recent_ones_kept(db: Database):
    recorder = Recorder(db)
    recorder.sync_checks(checks(PORTAL), at("2026-11-01 00:00"))
    deltas = []
    # 10 November: two hours with probes; 3 December: one recent hour.
    for hour, samples in [
        ("2026-11-10 00:00", [(True, 10.0), (False, None)]),
        ("2026-11-10 23:00", [(True, 40.0), (True, 5.0)]),
        ("2026-12-03 12:00", [(True, 7.0)]),
    ]:
        delta = BucketDelta(PORTAL_ID, at(hour), 3600)
        for ok, ms in samples:
            delta.add(ok, ms)
        deltas.append(delta)
    recorder.flush({}, deltas)

    assert recorder.compact_buckets(at("2026-11-20 00:00")) == 2
    assert recorder.compact_buckets(at("2026-11-20 00:00")) == 0
    with db.session() as s:
        rows = s.scalars(
            select(LatencyBucketRow).order_by(LatencyBucketRow.start)
        ).all()
        summary = [
            (r.start, r.span_s, r.probes, r.failures, r.answered, r.latency_sum_ms,
             r.latency_min_ms, r.latency_max_ms)
            for r in rows
        ]  # fmt: skip
    assert summary == [
        # 4 probes, 1 failure, 3 answered: 10 + 40 + 5 = 55 ms, from 5 to 40.
        (at("2026-11-10 00:00"), 86400, 4, 1, 3, 55.0, 5.0, 40.0),
        (at("2026-12-03 12:00"), 3600, 1, 0, 1, 7.0, 7.0, 7.0),
    ]
