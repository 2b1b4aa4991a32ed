"""Writes made on behalf of the probe engine.

State changes are rare and precious: each is written at once, with the incident it
opens or resolves, in one transaction. Probe results are many and cheap: the engine
keeps the last result of each check and hourly latency sums in memory and hands them
here in batches (`flush`), so a probe costs no write of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from veilleur.incidents.contract import Contract
from veilleur.incidents.lifecycle import apply_state_change
from veilleur.inventory import CheckSpec
from veilleur.probes.engine import CheckResult, Sink
from veilleur.states import Result, State, StateChange
from veilleur.store.db import Database
from veilleur.store.tables import CheckRow, LatencyBucketRow, StateChangeRow

LOCATION = "local"
BUCKET_SPAN_S = 3600  # one latency bucket per check and hour
DAY_S = 86400  # older history: one bucket per check and UTC day


@dataclass(slots=True)
class LastResult:
    at: datetime
    ok: bool
    latency_ms: float | None
    message: str
    warning: bool


@dataclass(slots=True)
class BucketDelta:
    """Probe counts added to one (check, hour) bucket since the last flush."""

    check_id: str
    start: datetime
    span_s: int
    probes: int = 0
    failures: int = 0
    answered: int = 0
    latency_sum_ms: float = 0.0
    latency_min_ms: float | None = None
    latency_max_ms: float | None = None

    def merge(self, row: LatencyBucketRow) -> None:
        """Add a stored bucket's counts to this one."""
        self.probes += row.probes
        self.failures += row.failures
        self.answered += row.answered
        self.latency_sum_ms += row.latency_sum_ms
        self._extend(row.latency_min_ms, row.latency_max_ms)

    def _extend(self, low: float | None, high: float | None) -> None:
        if low is not None and (
            self.latency_min_ms is None or low < self.latency_min_ms
        ):
            self.latency_min_ms = low
        if high is not None and (
            self.latency_max_ms is None or high > self.latency_max_ms
        ):
            self.latency_max_ms = high

    def add(self, ok: bool, latency_ms: float | None) -> None:
        self.probes += 1
        if not ok:
            self.failures += 1
        if latency_ms is not None:
            self.answered += 1
            self.latency_sum_ms += latency_ms
            self._extend(latency_ms, latency_ms)


class Recorder:
    def __init__(
        self, db: Database, contract: Contract | None = None, location: str = LOCATION
    ) -> None:
        self.db = db
        self.contract = contract  # scopes, clocks and contacts; None: incidents only
        self.location = location

    def sync_checks(
        self, checks: Iterable[CheckSpec], now: datetime
    ) -> dict[str, tuple[State, datetime]]:
        """Make the checks table match the inventory; return each check's state.

        A check that left the inventory is retired, not deleted: its history stays.
        """
        wanted = {c.id: c for c in checks}
        states: dict[str, tuple[State, datetime]] = {}
        with self.db.session() as session:
            existing = {row.id: row for row in session.scalars(select(CheckRow))}
            for cid, spec in wanted.items():
                row = existing.get(cid)
                if row is None:
                    row = CheckRow(
                        id=cid, created_at=now, state="unknown", state_since=now
                    )
                    session.add(row)
                row.platform = spec.platform
                row.environment = spec.environment
                row.host = spec.host
                row.name = spec.name
                row.kind = spec.kind
                row.target = spec.target[:500]
                row.interval_s = spec.interval
                row.retired_at = None
                states[cid] = (State(row.state), row.state_since)
            for cid, row in existing.items():
                if cid not in wanted and row.retired_at is None:
                    row.retired_at = now
        return states

    def record_changes(self, changes: Iterable[tuple[str, StateChange]]) -> None:
        """Store changes, in order, with their incidents, in one transaction."""
        with self.db.session() as session:
            for check_id, change in changes:
                self._record(session, check_id, change)

    def record_change(self, check_id: str, change: StateChange) -> None:
        self.record_changes([(check_id, change)])

    def _record(self, session: Session, check_id: str, change: StateChange) -> None:
        check = session.get(CheckRow, check_id)
        if check is None:
            return  # retired while the probe ran
        session.add(
            StateChangeRow(
                check_id=check_id,
                location=self.location,
                at=change.at,
                detected_at=change.detected_at,
                from_state=change.old.value,
                to_state=change.new.value,
                reason=change.reason,
            )
        )
        check.state = change.new.value
        check.state_since = change.at
        apply_state_change(session, check, change, self.contract)

    def flush(
        self,
        last_results: Mapping[str, LastResult],
        buckets: Iterable[BucketDelta],
    ) -> None:
        """Write the latest result of each check and add the bucket deltas."""
        with self.db.session() as session:
            if last_results:
                session.execute(
                    update(CheckRow),
                    [
                        {
                            "id": cid,
                            "last_probe_at": r.at,
                            "last_ok": r.ok,
                            "last_latency_ms": r.latency_ms,
                            "last_message": r.message,
                            "last_warning": r.warning,
                        }
                        for cid, r in last_results.items()
                    ],
                )
            rows = [self._bucket_row(b) for b in buckets]
            if rows:
                session.execute(self._bucket_upsert(), rows)

    def compact_buckets(self, before: datetime) -> int:
        """Merge the hourly buckets of whole UTC days before `before` into daily ones.

        Recent history keeps one row per check and hour (the dashboard's strips); older
        history one per check and day, so a year of 15,000 checks is about 10 million
        rows instead of 130 million. One day is merged per transaction. Returns the
        number of hourly rows merged.
        """
        limit = before.astimezone(UTC).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        merged = 0
        while True:
            with self.db.session() as session:
                oldest = session.scalar(
                    select(func.min(LatencyBucketRow.start)).where(
                        LatencyBucketRow.span_s < DAY_S, LatencyBucketRow.start < limit
                    )
                )
                if oldest is None:
                    return merged
                merged += self._merge_day(session, bucket_day(oldest))

    def _merge_day(self, session: Session, day: datetime) -> int:
        window = (
            LatencyBucketRow.span_s < DAY_S,
            LatencyBucketRow.start >= day,
            LatencyBucketRow.start < day + timedelta(days=1),
        )
        hourly = list(session.scalars(select(LatencyBucketRow).where(*window)))
        daily: dict[tuple[str, str], BucketDelta] = {}
        for row in hourly:
            total = daily.setdefault(
                (row.check_id, row.location), BucketDelta(row.check_id, day, DAY_S)
            )
            total.merge(row)
        session.execute(delete(LatencyBucketRow).where(*window))
        rows = [
            {**self._bucket_row(b), "location": location}
            for (_, location), b in daily.items()
        ]
        if rows:
            session.execute(self._bucket_upsert(), rows)
        return len(hourly)

    def _bucket_row(self, b: BucketDelta) -> dict[str, Any]:
        return {
            "check_id": b.check_id,
            "location": self.location,
            "start": b.start,
            "span_s": b.span_s,
            "probes": b.probes,
            "failures": b.failures,
            "answered": b.answered,
            "latency_sum_ms": b.latency_sum_ms,
            "latency_min_ms": b.latency_min_ms,
            "latency_max_ms": b.latency_max_ms,
        }

    def _bucket_upsert(self) -> Any:
        dialect = self.db.dialect
        if dialect == "postgresql":
            stmt: Any = postgresql.insert(LatencyBucketRow)
            least, greatest = func.least, func.greatest
        elif dialect == "sqlite":
            stmt = sqlite.insert(LatencyBucketRow)
            least, greatest = func.min, func.max
        else:
            raise NotImplementedError(f"no bucket upsert for {dialect}")
        table, new = LatencyBucketRow.__table__.c, stmt.excluded

        def both(pick: Any, column: str) -> Any:
            # NULL means "no answered probe yet" on either side; keep the other.
            old_value, new_value = table[column], new[column]
            return pick(
                func.coalesce(old_value, new_value), func.coalesce(new_value, old_value)
            )

        return stmt.on_conflict_do_update(
            index_elements=["check_id", "location", "start"],
            set_={
                "probes": table.probes + new.probes,
                "failures": table.failures + new.failures,
                "answered": table.answered + new.answered,
                "latency_sum_ms": table.latency_sum_ms + new.latency_sum_ms,
                "latency_min_ms": both(least, "latency_min_ms"),
                "latency_max_ms": both(greatest, "latency_max_ms"),
            },
        )


class RecordingSink(Sink):
    """Gathers results on the event loop and stores them through a `Recorder`."""

    def __init__(self, recorder: Recorder) -> None:
        self._recorder = recorder
        self._last: dict[str, LastResult] = {}
        self._buckets: dict[tuple[str, datetime], BucketDelta] = {}

    def probed(self, result: CheckResult) -> None:
        outcome, cid = result.outcome, result.check.id
        self._last[cid] = LastResult(
            result.at, outcome.ok, outcome.latency_ms, outcome.message, outcome.warning
        )
        if result.result is Result.ERROR:
            return  # the probe did not run: nothing to count
        start = bucket_start(result.at)
        bucket = self._buckets.get((cid, start))
        if bucket is None:
            bucket = self._buckets[(cid, start)] = BucketDelta(
                cid, start, BUCKET_SPAN_S
            )
        bucket.add(outcome.ok, outcome.latency_ms)

    def state_changed(self, changes: list[tuple[CheckSpec, StateChange]]) -> None:
        self._recorder.record_changes((check.id, change) for check, change in changes)

    def drain(self) -> Callable[[], None]:
        last, self._last = self._last, {}
        buckets, self._buckets = self._buckets, {}
        if not last and not buckets:
            return lambda: None
        return lambda: self._recorder.flush(last, buckets.values())


def bucket_day(at: datetime) -> datetime:
    """The UTC day that holds `at`."""
    return at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def bucket_start(at: datetime) -> datetime:
    """The UTC hour that holds `at`."""
    return at.replace(minute=0, second=0, microsecond=0)
