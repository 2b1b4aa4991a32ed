from tests.conftest import at
from veilleur.states import Result, State, Tracker, observe


def feed(
    tracker: Tracker, results: list[Result], failures: int = 3, successes: int = 2
):
    changes = []
    for minute, result in enumerate(results):
        change = observe(
            tracker, result, f"probe {minute}", at(f"2026-12-04 10:{minute:02d}"),
            failures, successes,
        )  # fmt: skip
        if change:
            changes.append(change)
    return changes


OK, FAIL, ERR = Result.OK, Result.FAILED, Result.ERROR


def test_it_comes_up_on_the_first_good_probe_of_a_new_check():
    tracker = Tracker()
    [change] = feed(tracker, [OK])
    assert (change.old, change.new) == (State.UNKNOWN, State.UP)
    assert change.at == at("2026-12-04 10:00")


def test_it_goes_down_after_the_configured_consecutive_failures_only():
    tracker = Tracker()
    changes = feed(tracker, [OK, FAIL, FAIL, OK, FAIL, FAIL, FAIL])
    assert [(c.old, c.new) for c in changes] == [
        (State.UNKNOWN, State.UP),
        (State.UP, State.DOWN),
    ]


def test_it_dates_the_outage_from_the_first_failure_and_detects_it_at_the_last():
    tracker = Tracker()
    changes = feed(tracker, [OK, FAIL, FAIL, FAIL])
    down = changes[-1]
    assert down.at == at("2026-12-04 10:01")
    assert down.detected_at == at("2026-12-04 10:03")
    assert down.reason == "probe 3 (3 échecs consécutifs)"


def test_it_needs_the_configured_successes_to_come_back_up():
    tracker = Tracker()
    changes = feed(tracker, [FAIL, FAIL, FAIL, OK, FAIL, OK, OK])
    assert [(c.old, c.new) for c in changes] == [
        (State.UNKNOWN, State.DOWN),
        (State.DOWN, State.UP),
    ]
    assert changes[-1].at == at("2026-12-04 10:05")


def test_it_is_unknown_when_the_probe_cannot_run():
    tracker = Tracker(state=State.UP)
    [change] = feed(tracker, [ERR])
    assert change.new is State.UNKNOWN


def test_it_reports_nothing_while_the_state_holds():
    tracker = Tracker()
    assert len(feed(tracker, [OK] * 10)) == 1
