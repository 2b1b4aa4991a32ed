"""The probe engine: runs every check at its interval, with bounded concurrency.

Scheduling. A heap holds each check's next due instant on the event loop's monotonic
clock. A check's first run is offset within its interval by a hash of its id, so that
thousands of checks with the same interval spread evenly instead of firing in the same
second, and keep the same phase across restarts. Due checks go to a queue drained by a
fixed number of workers: the worker count is the concurrency bound, and a slow target
holds one worker, not the schedule. A check whose previous probe is still running when
it falls due again skips that turn rather than piling up.

Results. Each result updates the check's `Tracker` (see `veilleur.states`); a state
change is handed at once to the writer thread, which stores it with its incident. The
last result and hourly latency sums stay in memory and are flushed every few seconds in
one transaction. The writer is a single thread, so writes keep their order and the
event loop never waits on the database.

Rejected: one task per check sleeping its interval (simple, but 15,000 sleeping tasks
drift, and nothing bounds how many probe at once); a thread pool of blocking probes
(a thread per concurrent probe costs far more than a coroutine).
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Counter, Gauge

from veilleur.inventory import CheckSpec
from veilleur.probes.base import ProbeContext, ProbeError, ProbeOutcome
from veilleur.probes.errors import describe_error
from veilleur.probes.kinds import KINDS
from veilleur.states import Result, StateChange, Tracker, observe

log = logging.getLogger(__name__)

PROBES = Counter("veilleur_probes", "Probes run", ["kind", "result"])
LAG = Gauge(
    "veilleur_probe_lag_seconds", "How late the last probe started after its due time"
)
QUEUED = Gauge("veilleur_probe_queue", "Due checks waiting for a free worker")
SKIPPED = Counter(
    "veilleur_probe_turns_skipped", "Turns skipped: still probing since the last"
)
CHANGES = Counter("veilleur_state_changes", "Check state changes", ["to"])
# A check due within this many seconds is due now. Optimization: event loops time in
# whole milliseconds, and waiting for less ends early and spins.
DUE_SLACK_S = 0.005
CHANGE_BATCH_S = 0.1

# A probe gets this long past its own timeout before the engine cancels it.
GRACE_S = 1.0


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class CheckResult:
    check: CheckSpec
    at: datetime
    result: Result
    outcome: ProbeOutcome


async def run_probe(
    check: CheckSpec, ctx: ProbeContext, clock: Callable[[], datetime] = utcnow
) -> CheckResult:
    """Probe `check` once; never raises for what the target does."""
    at = clock()
    kind = KINDS[check.kind]
    try:
        async with asyncio.timeout(check.timeout + GRACE_S):
            outcome = await kind.probe(check.params, check.timeout, ctx)
    except TimeoutError as exc:
        outcome = ProbeOutcome(False, None, describe_error(exc, check.timeout))
    except ProbeError as exc:
        return CheckResult(check, at, Result.ERROR, ProbeOutcome(False, None, str(exc)))
    except Exception:
        log.exception("probe %s (%s) crashed", check.id, check.kind)
        outcome = ProbeOutcome(False, None, "erreur interne de la sonde")
        return CheckResult(check, at, Result.ERROR, outcome)
    result = Result.OK if outcome.ok else Result.FAILED
    return CheckResult(check, at, result, outcome)


async def check_all(
    checks: Sequence[CheckSpec], concurrency: int = 200
) -> list[CheckResult]:
    """Probe every check once, `concurrency` at a time, in the order given."""
    ctx = ProbeContext()
    gate = asyncio.Semaphore(concurrency)

    async def one(check: CheckSpec) -> CheckResult:
        async with gate:
            return await run_probe(check, ctx)

    try:
        return list(await asyncio.gather(*(one(c) for c in checks)))
    finally:
        await ctx.close()


def spread_offset(check_id: str, interval: float) -> float:
    """A stable offset in [0, interval) for the check's first run."""
    return (zlib.crc32(check_id.encode()) / 2**32) * interval


class Sink:
    """Where the engine's results go; the default keeps nothing.

    `probed` and `drain` run on the event loop and must not block; `state_changed` and
    the callable returned by `drain` run in the engine's single writer thread.
    """

    def probed(self, result: CheckResult) -> None:
        pass

    def state_changed(self, changes: list[tuple[CheckSpec, StateChange]]) -> None:
        """Store a batch of changes, in the order they were seen."""

    def drain(self) -> Callable[[], None]:
        """Take what was gathered since the last call; return the work that stores it."""
        return lambda: None


class Engine:
    def __init__(
        self,
        checks: Sequence[CheckSpec],
        sink: Sink | None = None,
        *,
        trackers: dict[str, Tracker] | None = None,
        concurrency: int = 256,
        flush_interval: float = 2.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.checks = list(checks)
        self.sink = sink or Sink()
        self.trackers = trackers or {}
        for check in self.checks:
            self.trackers.setdefault(check.id, Tracker())
        self.concurrency = concurrency
        self.flush_interval = flush_interval
        self.clock = clock
        self.ctx = ProbeContext()
        self._running: set[int] = set()
        # Important: one writer thread, so state changes are stored in the order seen.
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="writer")
        self._pending_writes: set[asyncio.Future[Any]] = set()
        self._changes: list[tuple[CheckSpec, StateChange]] = []

    async def run(self, stop: asyncio.Event) -> None:
        """Probe until `stop` is set, then flush what is pending and return."""
        queue: asyncio.Queue[tuple[int, float]] = asyncio.Queue()
        workers = [
            asyncio.create_task(self._work(queue))
            for _ in range(min(self.concurrency, max(1, len(self.checks))))
        ]
        flusher = asyncio.create_task(self._flush_every(stop))
        log.info(
            "probing %d checks, at most %d at a time", len(self.checks), len(workers)
        )
        try:
            await self._schedule(queue, stop)
        finally:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            await flusher
            self._store_changes()
            await self._write(self.sink.drain())
            await asyncio.gather(*self._pending_writes, return_exceptions=True)
            self._writer.shutdown(wait=True)
            await self.ctx.close()

    async def _schedule(
        self, queue: asyncio.Queue[tuple[int, float]], stop: asyncio.Event
    ) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        heap = [
            (start + spread_offset(c.id, c.interval), index)
            for index, c in enumerate(self.checks)
        ]
        heapq.heapify(heap)
        stopping = asyncio.ensure_future(stop.wait())
        try:
            while heap and not stop.is_set():
                due, index = heap[0]
                delay = due - loop.time()
                if delay > DUE_SLACK_S:
                    await asyncio.wait([stopping], timeout=min(delay, 1.0))
                    continue
                heapq.heapreplace(heap, (due + self.checks[index].interval, index))
                if index in self._running:
                    SKIPPED.inc()  # still probing since its last turn
                    continue
                self._running.add(index)
                queue.put_nowait((index, due))
                QUEUED.set(queue.qsize())
            if not heap:
                await stopping
        finally:
            stopping.cancel()

    async def _work(self, queue: asyncio.Queue[tuple[int, float]]) -> None:
        loop = asyncio.get_running_loop()
        while True:
            index, due = await queue.get()
            LAG.set(max(0.0, loop.time() - due))
            try:
                await self._probe(self.checks[index])
            finally:
                self._running.discard(index)

    async def _probe(self, check: CheckSpec) -> None:
        result = await run_probe(check, self.ctx, self.clock)
        PROBES.labels(check.kind, result.result.value).inc()
        self.sink.probed(result)
        change = observe(
            self.trackers[check.id],
            result.result,
            result.outcome.message,
            result.at,
            check.failures,
            check.successes,
        )
        if change is not None:
            CHANGES.labels(change.new.value).inc()
            if not self._changes:
                # Optimization: changes seen within CHANGE_BATCH_S (a mass outage, a
                # first start) are stored in one transaction, not one each.
                asyncio.get_running_loop().call_later(
                    CHANGE_BATCH_S, self._store_changes
                )
            self._changes.append((check, change))

    def _store_changes(self) -> None:
        batch, self._changes = self._changes, []
        if batch:
            self._write_soon(lambda: self.sink.state_changed(batch))

    async def _flush_every(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.flush_interval)
            except TimeoutError:
                self._write_soon(self.sink.drain())

    def _write_soon(self, work: Callable[[], None]) -> None:
        future = asyncio.ensure_future(self._write(work))
        self._pending_writes.add(future)
        future.add_done_callback(self._pending_writes.discard)

    async def _write(self, work: Callable[[], None]) -> None:
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._writer, work)
        except Exception:
            log.exception("storing probe results failed")
