"""Incidents under a scope, on both databases: deadlines stored at opening, the alert
chain's messages in the outbox, acknowledgement, restoration, closing, and clock ticks
that repeat nothing."""

import pytest
from sqlalchemy import select

from tests.conftest import at
from tests.incidents.contract_fixture import PORTAL_ID, make_contract
from veilleur.incidents import lifecycle
from veilleur.states import State, StateChange
from veilleur.store.recorder import Recorder
from veilleur.store.tables import IncidentRow, NotificationRow


def down(start, seen):
    return StateChange(State.UP, State.DOWN, at(start), at(seen), "connexion refusée")


def up(start, seen):
    return StateChange(State.DOWN, State.UP, at(start), at(seen), "connexion acceptée")


@pytest.fixture
def contract():
    return make_contract()


@pytest.fixture
def recorder(db, contract):
    recorder = Recorder(db, contract)
    recorder.sync_checks(contract.inventory.checks, at("2026-12-01 00:00"))
    return recorder


def outbox(db):
    with db.session() as s:
        return [
            (n.key.split(":")[2], n.contact_id)
            for n in s.scalars(select(NotificationRow).order_by(NotificationRow.id))
        ]


def incident(db) -> IncidentRow:
    with db.session() as s:
        return s.scalars(select(IncidentRow)).one()


def test_an_out_of_hours_incident_tells_the_on_call_and_informs_ops_and_it(
    db, recorder
):
    # Friday 4 December 18:00 Paris (17:00 UTC).
    recorder.record_change(PORTAL_ID, down("2026-12-04 16:58", "2026-12-04 17:00"))
    row = incident(db)
    assert row.out_of_hours is True
    assert (row.gti_due_at, row.gtr_due_at) == (
        at("2026-12-04 19:00"), at("2026-12-04 21:00"),
    )  # fmt: skip
    assert outbox(db) == [
        ("opened", "astreinte"), ("opened", "exploitation"), ("opened", "dsi"),
    ]  # fmt: skip


def test_a_business_hours_incident_tells_the_clients_team_only(db, recorder):
    # Friday 10:00 Paris (09:00 UTC).
    recorder.record_change(PORTAL_ID, down("2026-12-04 08:58", "2026-12-04 09:00"))
    assert incident(db).out_of_hours is False
    assert outbox(db) == [("opened", "exploitation")]


def test_ticks_escalate_once_and_stop_after_acknowledgement(db, recorder, contract):
    recorder.record_change(PORTAL_ID, down("2026-12-04 16:58", "2026-12-04 17:00"))
    iid = incident(db).id
    for minute in ("17:31", "17:32"):
        with db.session() as s:
            lifecycle.tick(s, contract, at(f"2026-12-04 {minute}"))
    assert outbox(db)[-1] == ("escalate", "astreinte-n2")
    assert len(outbox(db)) == 4

    with db.session() as s:
        lifecycle.acknowledge(
            s, contract, iid, "Camille (astreinte)", at("2026-12-04 17:40")
        )
    row = incident(db)
    assert (row.gti_status, row.acknowledged_by) == ("met", "Camille (astreinte)")
    with (
        pytest.raises(lifecycle.IncidentStateError, match="déjà pris en charge"),
        db.session() as s,
    ):
        lifecycle.acknowledge(s, contract, iid, "Dominique", at("2026-12-04 17:41"))


def test_a_breach_is_recorded_and_told_once(db, recorder, contract):
    recorder.record_change(PORTAL_ID, down("2026-12-04 16:58", "2026-12-04 17:00"))
    with db.session() as s:
        lifecycle.acknowledge(
            s, contract, incident(db).id, "Camille", at("2026-12-04 17:05")
        )
    for now in ("2026-12-04 20:31", "2026-12-04 21:00", "2026-12-04 21:05"):
        with db.session() as s:
            lifecycle.tick(s, contract, at(now))
    row = incident(db)
    assert (row.gti_status, row.gtr_status, row.gtr_warned) == ("met", "breached", True)
    kinds = [k for k, _ in outbox(db)]
    assert kinds.count("warn") == 1  # to the on-call person
    assert kinds.count("breach") == 3  # on-call, ops, IT department


def test_recovery_then_closing_informs_with_cause_and_resolution(
    db, recorder, contract
):
    recorder.record_change(PORTAL_ID, down("2026-12-04 16:58", "2026-12-04 17:00"))
    recorder.record_change(PORTAL_ID, up("2026-12-04 18:10", "2026-12-04 18:11"))
    row = incident(db)
    assert (row.status, row.gti_status, row.gtr_status) == ("resolved", "met", "met")

    with db.session() as s:
        lifecycle.close(s, contract, row.id, "Camille", "Disque plein sur le proxy",
                        "Purge des journaux, redémarrage de HAProxy", "PROC-12",
                        at("2026-12-04 18:30"))  # fmt: skip
    row = incident(db)
    assert (row.status, row.cause, row.procedure) == (
        "closed", "Disque plein sur le proxy", "PROC-12",
    )  # fmt: skip
    with db.session() as s:
        closing = s.scalars(
            select(NotificationRow).where(NotificationRow.key.like("%:closed:%"))
        ).all()
    assert {n.contact_id for n in closing} == {"exploitation", "dsi"}
    assert "Cause : Disque plein sur le proxy" in closing[0].body
    assert "GTI respectée, GTR respectée" in closing[0].body


def test_an_open_incident_is_handed_over_at_eight(db, recorder, contract):
    # Sunday 22:00 Paris; nobody acts; Monday 08:00 Paris is 07:00 UTC.
    recorder.record_change(PORTAL_ID, down("2026-12-06 20:58", "2026-12-06 21:00"))
    with db.session() as s:
        lifecycle.tick(s, contract, at("2026-12-07 07:00:30"))
    row = incident(db)
    assert row.handed_over_at == at("2026-12-07 07:00:30")
    # GTI (due Monday 00:00 Paris) and GTR (02:00 Paris) passed during the night:
    # breached, even though no tick ran before this one; then handed over.
    assert (row.gti_status, row.gtr_status) == ("breached", "breached")
    assert ("handover", "exploitation") in outbox(db)


def test_running_clocks_are_handed_over_at_eight(db, recorder, contract):
    # Monday 07:30 Paris (06:30 UTC): 30 minutes of coverage, then business hours.
    # GTI would be due at 18:30 Paris and GTR at 20:30: still running at 08:00.
    recorder.record_change(PORTAL_ID, down("2026-12-07 06:28", "2026-12-07 06:30"))
    with db.session() as s:
        lifecycle.tick(s, contract, at("2026-12-07 07:00:30"))
    row = incident(db)
    assert (row.gti_due_at, row.gtr_due_at) == (
        at("2026-12-07 17:30"), at("2026-12-07 19:30"),
    )  # fmt: skip
    assert (row.gti_status, row.gtr_status) == ("handed_over", "handed_over")


def test_closing_twice_or_an_unknown_incident_is_refused(db, recorder, contract):
    recorder.record_change(PORTAL_ID, down("2026-12-04 16:58", "2026-12-04 17:00"))
    recorder.record_change(PORTAL_ID, up("2026-12-04 17:50", "2026-12-04 17:51"))
    iid = incident(db).id
    with db.session() as s:
        lifecycle.close(s, contract, iid, "A", "c", "r", None, at("2026-12-04 18:00"))
    with pytest.raises(lifecycle.IncidentStateError), db.session() as s:
        lifecycle.close(s, contract, iid, "A", "c", "r", None, at("2026-12-04 18:01"))
    with pytest.raises(lifecycle.IncidentNotFoundError), db.session() as s:
        lifecycle.restore(s, contract, 999, "A", at("2026-12-04 18:01"))


def test_two_people_taking_the_same_incident_in_hand_at_once_one_wins(
    db, recorder, contract
):
    import threading

    recorder.record_change(PORTAL_ID, down("2026-12-04 16:58", "2026-12-04 17:00"))
    iid = incident(db).id
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def take(who: str) -> None:
        start.wait()
        try:
            with db.session() as s:
                lifecycle.acknowledge(s, contract, iid, who, at("2026-12-04 17:10"))
            outcomes.append("ok")
        except lifecycle.IncidentStateError:
            outcomes.append("refused")
        except Exception as exc:  # SQLite refuses a write whose read went stale
            outcomes.append(type(exc).__name__)

    threads = [
        threading.Thread(target=take, args=(who,)) for who in ("Camille", "Dominique")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcomes.count("ok") == 1
    with db.session() as s:
        events = s.scalars(
            select(lifecycle.IncidentEventRow).where(
                lifecycle.IncidentEventRow.kind == "acknowledged"
            )
        ).all()
    assert len(events) == 1


def test_an_incident_outside_any_scope_has_no_clocks(db):
    from veilleur.store.recorder import Recorder as Plain

    recorder = Plain(db)  # no contract: no scope, no guarantee
    recorder.sync_checks(make_contract().inventory.checks, at("2026-12-01 00:00"))
    recorder.record_change(PORTAL_ID, down("2026-12-04 16:58", "2026-12-04 17:00"))
    row = incident(db)
    assert (row.gti_status, row.gtr_status, row.gti_due_at) == ("none", "none", None)


def test_a_service_declared_restored_while_down_stays_open_until_the_probe_agrees(
    db, recorder, contract
):
    recorder.record_change(PORTAL_ID, down("2026-12-04 16:58", "2026-12-04 17:00"))
    iid = incident(db).id
    with db.session() as s:
        lifecycle.restore(s, contract, iid, "Camille", at("2026-12-04 17:30"))
    row = incident(db)
    assert (row.status, row.resolved_at, row.gtr_status) == (
        "open", at("2026-12-04 17:30"), "met",
    )  # fmt: skip
    with (
        pytest.raises(lifecycle.IncidentStateError, match="toujours en panne"),
        db.session() as s,
    ):
        lifecycle.close(
            s, contract, iid, "Camille", "c", "r", None, at("2026-12-04 17:31")
        )
    with (
        pytest.raises(lifecycle.IncidentStateError, match="déjà déclaré"),
        db.session() as s,
    ):
        lifecycle.restore(s, contract, iid, "Camille", at("2026-12-04 17:32"))

    recorder.record_change(PORTAL_ID, up("2026-12-04 17:33", "2026-12-04 17:34"))
    row = incident(db)
    # Resolved at the declared instant, not when the probe confirmed it.
    assert (row.status, row.resolved_at) == ("resolved", at("2026-12-04 17:30"))
    with db.session() as s:
        lifecycle.close(
            s, contract, iid, "Camille", "c", "r", None, at("2026-12-04 17:40")
        )
    assert incident(db).status == "closed"
