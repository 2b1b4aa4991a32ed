#!/usr/bin/env python3
"""How many HTTP checks the probe engine runs, at what CPU and memory cost.

A script run by hand, not a test: it starts its own HTTP server on 127.0.0.1, sends
traffic only there, every phase is bounded in count and time, and it stops by itself.

    .venv/bin/python bench/probe_throughput.py            # defaults, about 80 s
    .venv/bin/python bench/probe_throughput.py --quick    # reduced sizes, about 20 s
    .venv/bin/python bench/probe_throughput.py --help     # every option

What it measures (see bench/README.md for the meaning of every figure):

A. Raw probe throughput: N http checks probed once, with `check_all` and through the
   `Engine` (short interval, a counting sink): wall time, checks/s, CPU seconds per
   1,000 checks, failed probes (must be about 0).
B. Scheduled load with storage: the `Engine` with `RecordingSink` over SQLite, K checks
   at a 60 s interval for a bounded duration: checks/s, CPU share of one core, schedule
   lag (the LAG gauge and the measured delay from due instant to probe start),
   time in the writer thread, database size.
M. Memory: in a fresh subprocess, RSS before and after building 10,000 CheckSpecs and an
   Engine with its trackers (not run), as MB per 10,000 checks.

The target server runs in a separate process so that its CPU is not counted as the
engine's. Debian's nginx is used when /usr/sbin/nginx exists (or `--nginx PATH`; a
throwaway config in a temporary directory, one worker, `return 200 "ok"`); otherwise an
aiohttp server in a subprocess, which needs several times more CPU per request and
takes it from the same cores as the engine: `apt-get install nginx-light` gives better
numbers. The script never installs anything.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import gc
import grp
import io
import json
import os
import platform
import pstats
import pwd
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from collections.abc import Coroutine, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from prometheus_client import REGISTRY
from sqlalchemy import func, select, update

from veilleur.inventory import CheckSpec
from veilleur.inventory.loader import load_sources
from veilleur.probes.engine import (
    CheckResult,
    Engine,
    Sink,
    check_all,
    spread_offset,
    utcnow,
)
from veilleur.states import Result, State, StateChange, Tracker
from veilleur.store.db import Database
from veilleur.store.recorder import Recorder, RecordingSink
from veilleur.store.tables import CheckRow, LatencyBucketRow, StateChangeRow

T = TypeVar("T")

NGINX = Path("/usr/sbin/nginx")
HOST = "127.0.0.1"  # every server and every probe of this script stays on loopback
LAG_METRIC = "veilleur_probe_lag_seconds"
SERVER_START_TIMEOUT_S = 15.0


# --------------------------------------------------------------------------- helpers


def cpu_seconds() -> float:
    """User + system CPU of this process (all its threads) so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclasses.dataclass
class Span:
    """Wall and CPU time between `start()` and `stop()`."""

    wall0: float = 0.0
    cpu0: float = 0.0
    wall: float = 0.0
    cpu: float = 0.0

    def start(self) -> None:
        self.wall0, self.cpu0 = time.perf_counter(), cpu_seconds()

    def stop(self) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = cpu_seconds() - self.cpu0


def run_loop(coroutine: Coroutine[Any, Any, T], use_uvloop: bool) -> T:
    """Run `coroutine` as the CLI does: on uvloop when it is importable and wanted."""
    if use_uvloop:
        try:
            import uvloop
        except ImportError:
            pass
        else:
            return uvloop.run(coroutine)
    return asyncio.run(coroutine)


def uvloop_available() -> bool:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the server did not listen on {HOST}:{port} within {timeout} s")


def proc_cpu_seconds(pid: int) -> float:
    """CPU seconds of `pid` and its direct children (nginx's worker), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        # fields[0] is the state, [1] the parent pid, [11] utime, [12] stime.
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def percentile(values: Sequence[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def banner(text: str) -> None:
    line = "!" * 78
    print(f"\n{line}\n!! {text}\n{line}\n", flush=True)


def log(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


async def sample_lag(stop: asyncio.Event, samples: list[float]) -> None:
    """Read the engine's LAG gauge every 0.25 s until `stop` is set."""
    while not stop.is_set():
        await asyncio.sleep(0.25)
        value = REGISTRY.get_sample_value(LAG_METRIC)
        if value is not None:
            samples.append(value)


# --------------------------------------------------------------------------- server


class LocalServer:
    """A fast HTTP server on 127.0.0.1 in its own process: nginx, else aiohttp."""

    def __init__(self, prefer: str, nginx: Path = NGINX) -> None:
        self.prefer = prefer
        self.nginx = nginx
        self.port = free_port()
        self.kind = ""
        self.note = ""
        self.process: subprocess.Popen[bytes] | None = None
        self._tmp = tempfile.mkdtemp(prefix="veilleur-bench-server-")

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        if self.prefer in ("auto", "nginx") and self.nginx.exists():
            self._start_nginx()
        else:
            if self.prefer == "nginx":
                raise RuntimeError(
                    f"--server nginx asked for, but {self.nginx} is missing"
                )
            if self.prefer == "auto":
                self.note = (
                    f"nginx not installed ({self.nginx} missing): using the aiohttp fallback, "
                    "which shares the cores with the engine; "
                    "`apt-get install nginx-light` gives better numbers"
                )
                log(self.note)
            self._start_aiohttp()
        assert self.process is not None
        try:
            wait_for_port(self.port, self.process, SERVER_START_TIMEOUT_S)
        except RuntimeError:
            self.stop()
            raise

    def _start_nginx(self) -> None:
        tmp = Path(self._tmp)
        user = ""
        if os.geteuid() == 0:
            # Workers of a root master drop to an unprivileged user; name one that exists.
            nobody = pwd.getpwnam("nobody")
            user = f"user nobody {grp.getgrgid(nobody.pw_gid).gr_name};"
        config = textwrap.dedent(
            f"""\
            {user}
            worker_processes 1;
            pid {tmp}/nginx.pid;
            error_log {tmp}/error.log warn;
            events {{ worker_connections 8192; }}
            http {{
                access_log off;
                client_body_temp_path {tmp}/body;
                proxy_temp_path {tmp}/proxy;
                fastcgi_temp_path {tmp}/fastcgi;
                uwsgi_temp_path {tmp}/uwsgi;
                scgi_temp_path {tmp}/scgi;
                server {{
                    listen {HOST}:{self.port} backlog=4096;
                    location / {{
                        default_type text/plain;
                        return 200 "ok";
                    }}
                }}
            }}
            """
        )
        (tmp / "nginx.conf").write_text(config)
        version = subprocess.run(
            [str(self.nginx), "-v"], capture_output=True, text=True, check=False
        ).stderr.strip()
        self.kind = f"{version.removeprefix('nginx version: ')} (1 worker)"
        self.process = subprocess.Popen(
            [
                str(self.nginx),
                "-p",
                str(tmp),
                "-c",
                str(tmp / "nginx.conf"),
                "-e",
                str(tmp / "error.log"),
                "-g",
                "daemon off;",
            ],
            stdin=subprocess.DEVNULL,
        )

    def _start_aiohttp(self) -> None:
        import aiohttp

        self.kind = f"aiohttp {aiohttp.__version__} server in a subprocess (fallback)"
        self.process = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--_role",
                "aiohttp-server",
                "--_port",
                str(self.port),
            ],
            stdin=subprocess.DEVNULL,
        )

    def cpu_seconds(self) -> float:
        return proc_cpu_seconds(self.process.pid) if self.process else 0.0

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            # nginx: SIGQUIT is its graceful stop; the aiohttp child stops on SIGTERM.
            sig = signal.SIGQUIT if self.kind.startswith("nginx") else signal.SIGTERM
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self._tmp, ignore_errors=True)


def serve_aiohttp(port: int, use_uvloop: bool) -> None:
    """The fallback target: answers 200 "ok" to any GET, until SIGTERM."""
    from aiohttp import web

    async def ok(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def main() -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", ok)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, HOST, port, backlog=4096)
        await site.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await runner.cleanup()

    run_loop(main(), use_uvloop)


# --------------------------------------------------------------------------- checks


def build_checks(
    count: int, base_url: str, interval_s: float = 60.0
) -> list[CheckSpec]:
    """`count` http checks through the real inventory loader, one per host."""
    yaml_text = textwrap.dedent(
        f"""\
        platforms:
          - id: bench
            environments:
              - id: prod
                check_defaults: {{interval: 60s, timeout: 10s}}
                hosts:
                  - id: h
                    count: {count}
                    name: "h{{n:06d}}"
                    vcpu: 1
                    ram_gb: 1
                    disk_gb: 10
                    checks:
                      - id: web
                        kind: http
                        url: "{base_url}/{{name}}"
        """
    )
    checks = list(load_sources([("bench.yaml", yaml_text)], source="bench").checks)
    if interval_s != 60.0:
        # The loader refuses intervals under 1 s; the engine itself takes any.
        checks = [dataclasses.replace(c, interval=interval_s) for c in checks]
    return checks


def seeded_trackers(checks: Sequence[CheckSpec], state: State) -> dict[str, Tracker]:
    return {c.id: Tracker(state=state) for c in checks}


def failure_summary(failures: Counter[str], total: int) -> list[str]:
    lines = []
    count = sum(failures.values())
    if count:
        lines.append(f"  FAILED probes: {count} of {total}; most common reasons:")
        for message, n in failures.most_common(5):
            lines.append(f"    {n:>7}  {message}")
    return lines


# --------------------------------------------------------------------------- mode A


@dataclasses.dataclass
class ThroughputResult:
    label: str
    checks: int
    probes: int
    distinct: int
    span: Span
    server_cpu: float
    failures: Counter[str]
    state_changes: int = 0
    stopped_by_deadline: bool = False
    lag_samples: list[float] | None = None
    first_delays: list[float] | None = None

    @property
    def rate(self) -> float:
        return self.probes / self.span.wall if self.span.wall else float("nan")

    @property
    def cpu_per_1000(self) -> float:
        return self.span.cpu / self.probes * 1000 if self.probes else float("nan")

    def lines(self) -> list[str]:
        out = [
            f"{self.label}:",
            f"  probes {self.probes} ({self.distinct} distinct of {self.checks} checks)"
            f" in {self.span.wall:.2f} s wall = {self.rate:,.0f} checks/s",
            f"  engine CPU {self.span.cpu:.2f} s = {self.cpu_per_1000:.3f} CPU s per"
            f" 1,000 checks ({self.span.cpu / self.span.wall:.0%} of one core);"
            f" server CPU {self.server_cpu / self.span.wall:.0%} of one core",
        ]
        if self.lag_samples is not None and self.first_delays is not None:
            lags, delays = self.lag_samples, self.first_delays
            out.append(
                f"  LAG gauge max {max(lags, default=0):.3f} s;"
                f" due -> first probe start p50 {percentile(delays, 0.5):.2f} s,"
                f" max {max(delays, default=0):.2f} s"
            )
        if self.state_changes:
            out.append(f"  state changes handed to the writer: {self.state_changes}")
        if self.stopped_by_deadline:
            out.append("  STOPPED BY THE DEADLINE before every check had run once")
        out += failure_summary(self.failures, self.probes)
        return out


async def throughput_check_all(
    checks: Sequence[CheckSpec], concurrency: int, server: LocalServer
) -> ThroughputResult:
    span = Span()
    server_cpu0 = server.cpu_seconds()
    span.start()
    results = await check_all(checks, concurrency)
    span.stop()
    server_cpu = server.cpu_seconds() - server_cpu0
    failures = Counter(r.outcome.message for r in results if r.result is not Result.OK)
    return ThroughputResult(
        f"A1 check_all, concurrency {concurrency}",
        len(checks),
        len(results),
        len({r.check.id for r in results}),
        span,
        server_cpu,
        failures,
    )


class CountingSink(Sink):
    """Counts results; sets `done` once every check has been probed at least once."""

    def __init__(self, target: int, span: Span) -> None:
        self.target = target
        self.span = span
        self.t0_wall = 0.0
        self.first_delays: list[float] = []
        self.total = 0
        self.seen: set[str] = set()
        self.failures: Counter[str] = Counter()
        self.state_changes = 0
        self.done = asyncio.Event()

    def probed(self, result: CheckResult) -> None:
        self.total += 1
        if result.result is not Result.OK:
            self.failures[result.outcome.message] += 1
        cid = result.check.id
        if cid not in self.seen:
            self.seen.add(cid)
            due = self.t0_wall + spread_offset(cid, result.check.interval)
            self.first_delays.append(result.at.timestamp() - due)
        if len(self.seen) >= self.target and not self.done.is_set():
            self.span.stop()
            self.done.set()

    def state_changed(self, changes: list[tuple[CheckSpec, StateChange]]) -> None:
        self.state_changes += len(changes)  # the writer thread: no lock needed


async def throughput_engine(
    checks: Sequence[CheckSpec],
    concurrency: int,
    start_state: State,
    deadline_s: float,
    server: LocalServer,
    profile_path: str | None,
) -> ThroughputResult:
    span = Span()
    sink = CountingSink(len(checks), span)
    engine = Engine(
        checks,
        sink,
        trackers=seeded_trackers(checks, start_state),
        concurrency=concurrency,
    )
    stop = asyncio.Event()
    profiler = cProfile.Profile() if profile_path else None
    server_cpu0 = server.cpu_seconds()
    if profiler:
        profiler.enable()
    lag_samples: list[float] = []
    sampler = asyncio.create_task(sample_lag(stop, lag_samples))
    sink.t0_wall = time.time()
    span.start()
    running = asyncio.create_task(engine.run(stop))
    try:
        await asyncio.wait_for(sink.done.wait(), timeout=deadline_s)
        by_deadline = False
    except TimeoutError:
        span.stop()
        by_deadline = True
    if profiler:
        profiler.disable()
    server_cpu = server.cpu_seconds() - server_cpu0
    probes = sink.total
    stop.set()
    await running
    await sampler
    if profiler and profile_path:
        profiler.dump_stats(profile_path)
    interval = checks[0].interval if checks else 0
    return ThroughputResult(
        f"A2 Engine, concurrency {concurrency}, interval {interval:.2f} s,"
        f" trackers start {start_state.value}",
        len(checks),
        probes,
        len(sink.seen),
        span,
        server_cpu,
        sink.failures,
        sink.state_changes,
        by_deadline,
        lag_samples,
        sink.first_delays,
    )


# --------------------------------------------------------------------------- mode B


class TimedRecorder(Recorder):
    """A Recorder that adds up the time its writes take in the writer thread."""

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.flushes = 0
        self.flush_s = 0.0
        self.flush_max_s = 0.0
        self.changes = 0
        self.batches = 0
        self.changes_s = 0.0

    def flush(self, last_results: Any, buckets: Any) -> None:
        started = time.perf_counter()
        super().flush(last_results, buckets)
        took = time.perf_counter() - started
        self.flushes += 1
        self.flush_s += took
        self.flush_max_s = max(self.flush_max_s, took)

    def record_changes(self, changes: Iterable[tuple[str, StateChange]]) -> None:
        batch = list(changes)
        started = time.perf_counter()
        super().record_changes(batch)
        self.changes += len(batch)
        self.batches += 1
        self.changes_s += time.perf_counter() - started


class MeasuringSink(RecordingSink):
    """RecordingSink that also counts probes and measures due-to-start delay."""

    def __init__(self, recorder: Recorder, t0_wall: float) -> None:
        super().__init__(recorder)
        self.t0_wall = t0_wall
        self.offsets: dict[str, tuple[float, float]] = {}
        self.total = 0
        self.failures: Counter[str] = Counter()
        self.delays: list[float] = []
        self.probed_once: set[str] = set()

    def probed(self, result: CheckResult) -> None:
        super().probed(result)
        self.total += 1
        if result.result is not Result.OK:
            self.failures[result.outcome.message] += 1
        offset, interval = self.offsets[result.check.id]
        since_due = result.at.timestamp() - self.t0_wall - offset
        if result.check.id in self.probed_once:
            # A later turn: which turn it was is not known, so count from the last
            # due instant (exact while the delays stay under one interval).
            since_due %= interval
        else:
            self.probed_once.add(result.check.id)  # the first turn: exact
        self.delays.append(since_due)


@dataclasses.dataclass
class ScheduledResult:
    checks: int
    interval: float
    duration: float
    due: int
    probes: int
    span: Span
    server_cpu: float
    lag_samples: list[float]
    delays: list[float]
    failures: Counter[str]
    recorder: TimedRecorder
    sync_s: float
    shutdown_s: float
    db_files: dict[str, int]
    rows: dict[str, int]
    start_state: State

    def lines(self) -> list[str]:
        wall = self.span.wall
        lags = self.lag_samples
        delays = self.delays
        rec = self.recorder
        db_total = sum(self.db_files.values())
        files = ", ".join(
            f"{name} {size / 2**20:.1f} MB" for name, size in self.db_files.items()
        )
        return [
            f"B  Engine + RecordingSink + SQLite: {self.checks} checks every"
            f" {self.interval:g} s for {self.duration:g} s,"
            f" trackers start {self.start_state.value}:",
            f"  probes {self.probes} (due by the schedule: {self.due})"
            f" = {self.probes / wall:,.1f} checks/s achieved,"
            f" {self.due / wall:,.1f} checks/s scheduled",
            f"  engine CPU {self.span.cpu:.2f} s in {wall:.1f} s ="
            f" {self.span.cpu / wall:.1%} of one core"
            f" ({self.span.cpu / max(1, self.probes) * 1000:.3f} CPU s per 1,000"
            f" checks); server CPU {self.server_cpu / wall:.1%} of one core",
            f"  LAG gauge (sampled every 0.25 s): max {max(lags, default=0):.3f} s,"
            f" p95 {percentile(lags, 0.95):.3f} s, last {lags[-1] if lags else 0:.3f} s",
            f"  due -> probe start (measured per probe): p50 {percentile(delays, 0.5):.3f}"
            f" s, p95 {percentile(delays, 0.95):.3f} s, max {max(delays, default=0):.3f} s",
            f"  writer thread: {rec.flushes} flushes, {rec.flush_s:.2f} s in all"
            f" (max {rec.flush_max_s * 1000:.0f} ms); {rec.changes} state changes"
            f" in {rec.batches} transactions, {rec.changes_s:.2f} s in all"
            f" ({rec.changes_s / max(1, rec.changes) * 1000:.2f} ms each)",
            f"  setup: sync_checks {self.sync_s:.2f} s; shutdown (final flush)"
            f" {self.shutdown_s:.2f} s",
            f"  database at the end: {db_total / 2**20:.1f} MB ({files});"
            f" rows: {', '.join(f'{k} {v}' for k, v in self.rows.items())}",
            *failure_summary(self.failures, self.probes),
        ]


def due_count(checks: Sequence[CheckSpec], duration: float) -> int:
    """How many probes the schedule asks for in [0, duration)."""
    total = 0
    for check in checks:
        offset = spread_offset(check.id, check.interval)
        if offset < duration:
            total += int((duration - offset) // check.interval) + 1
    return total


def database_files(db_path: Path) -> dict[str, int]:
    files = {}
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{db_path}{suffix}")
        if path.exists():
            files[path.name] = path.stat().st_size
    return files


def count_rows(db: Database) -> dict[str, int]:
    counts = {}
    with db.session() as session:
        for name, table in (
            ("checks", CheckRow),
            ("latency buckets", LatencyBucketRow),
            ("state changes", StateChangeRow),
        ):
            counts[name] = session.scalar(select(func.count()).select_from(table)) or 0
    return counts


async def scheduled_load(
    checks: Sequence[CheckSpec],
    duration: float,
    concurrency: int,
    start_state: State,
    workdir: Path,
    server: LocalServer,
) -> ScheduledResult:
    db_path = workdir / "bench.db"
    db = Database.open(f"sqlite:///{db_path}")
    await asyncio.to_thread(db.migrate)
    recorder = TimedRecorder(db)
    started = time.perf_counter()
    states = await asyncio.to_thread(recorder.sync_checks, checks, utcnow())
    sync_s = time.perf_counter() - started
    if start_state is State.UP:
        with db.session() as session:
            session.execute(update(CheckRow).values(state=State.UP.value))
        trackers = seeded_trackers(checks, State.UP)
    else:
        trackers = {cid: Tracker(state=state) for cid, (state, _) in states.items()}

    sink = MeasuringSink(recorder, time.time())
    sink.offsets = {c.id: (spread_offset(c.id, c.interval), c.interval) for c in checks}
    engine = Engine(checks, sink, trackers=trackers, concurrency=concurrency)
    stop = asyncio.Event()
    lag_samples: list[float] = []

    span = Span()
    server_cpu0 = server.cpu_seconds()
    sink.t0_wall = time.time()
    span.start()
    running = asyncio.create_task(engine.run(stop))
    sampler = asyncio.create_task(sample_lag(stop, lag_samples))
    await asyncio.sleep(duration)
    span.stop()
    server_cpu = server.cpu_seconds() - server_cpu0
    probes = sink.total
    stop.set()
    started = time.perf_counter()
    await running
    shutdown_s = time.perf_counter() - started
    await sampler
    rows = await asyncio.to_thread(count_rows, db)
    db.dispose()
    return ScheduledResult(
        checks=len(checks),
        interval=checks[0].interval if checks else 0,
        duration=duration,
        due=due_count(checks, duration),
        probes=probes,
        span=span,
        server_cpu=server_cpu,
        lag_samples=lag_samples,
        delays=sink.delays,
        failures=sink.failures,
        recorder=recorder,
        sync_s=sync_s,
        shutdown_s=shutdown_s,
        db_files=database_files(db_path),
        rows=rows,
        start_state=start_state,
    )


# --------------------------------------------------------------------------- memory


def rss_kib() -> dict[str, int]:
    """VmRSS and VmHWM (peak) of this process, in KiB."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def measure_memory(count: int) -> dict[str, float]:
    """Run in a fresh subprocess: what 10,000 configured checks cost in RSS."""
    gc.collect()
    base = rss_kib()
    checks = build_checks(count, "http://127.0.0.1:8080")
    gc.collect()
    after_checks = rss_kib()
    engine = Engine(checks, Sink())
    gc.collect()
    after_engine = rss_kib()
    assert len(engine.trackers) == count
    return {
        "checks": count,
        "base_rss_kib": base["VmRSS"],
        "checks_rss_kib": after_checks["VmRSS"],
        "engine_rss_kib": after_engine["VmRSS"],
        "peak_rss_kib": after_engine["VmHWM"],
    }


def memory_in_subprocess(count: int, use_uvloop: bool) -> dict[str, float]:
    command = [
        sys.executable,
        __file__,
        "--_role",
        "memory",
        "--memory-checks",
        str(count),
    ]
    if not use_uvloop:
        command.append("--no-uvloop")
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=300, check=True
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def memory_lines(m: dict[str, float]) -> list[str]:
    per = 10_000 / m["checks"] / 1024  # KiB for m["checks"] -> MB per 10,000
    checks_mb = (m["checks_rss_kib"] - m["base_rss_kib"]) * per
    engine_mb = (m["engine_rss_kib"] - m["checks_rss_kib"]) * per
    total_mb = (m["engine_rss_kib"] - m["base_rss_kib"]) * per
    peak_mb = (m["peak_rss_kib"] - m["base_rss_kib"]) * per
    return [
        f"M  memory, fresh process, {int(m['checks'])} checks (not run):",
        f"  RSS after imports {m['base_rss_kib'] / 1024:.1f} MB,"
        f" after CheckSpecs {m['checks_rss_kib'] / 1024:.1f} MB,"
        f" after Engine {m['engine_rss_kib'] / 1024:.1f} MB,"
        f" peak {m['peak_rss_kib'] / 1024:.1f} MB",
        f"  per 10,000 checks: {total_mb:.1f} MB retained"
        f" (CheckSpecs {checks_mb:.1f} MB + Engine/trackers {engine_mb:.1f} MB),"
        f" {peak_mb:.1f} MB at peak while loading",
    ]


# --------------------------------------------------------------------------- profile


def profile_lines(path: str, top: int = 25) -> list[str]:
    stats = pstats.Stats(path)
    by_area: Counter[str] = Counter()
    for (filename, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        by_area[area_of(filename, name)] += row[2]  # tottime
    total = sum(by_area.values()) or 1.0
    lines = ["P  cProfile of A2 (main thread only), own time by area:"]
    for area, seconds in by_area.most_common(12):
        lines.append(f"    {seconds:7.2f} s  {seconds / total:5.1%}  {area}")
    buffer = io.StringIO()
    pstats.Stats(path, stream=buffer).sort_stats("tottime").print_stats(top)
    lines.append(f"  top {top} functions by own time (full stats in {path}):")
    lines += ["    " + row for row in buffer.getvalue().splitlines() if row.strip()][
        -top - 1 :
    ]
    return lines


def area_of(filename: str, name: str) -> str:
    if filename == "~":
        return f"builtin {name.split(' of ')[-1].strip('>')}".strip()
    parts = Path(filename).parts
    for anchor in ("site-packages", "src"):
        if anchor in parts:
            rest = parts[parts.index(anchor) + 1 :]
            if rest and rest[0] == "veilleur":
                return ".".join(rest[:3]).removesuffix(".py")
            return rest[0].removesuffix(".py") if rest else filename
    if "asyncio" in parts:
        return "asyncio (stdlib)"
    return f"stdlib {Path(filename).stem}"


# --------------------------------------------------------------------------- main


def machine_lines(server: LocalServer | None, use_uvloop: bool) -> list[str]:
    import aiohttp

    loop = "uvloop" if use_uvloop and uvloop_available() else "asyncio"
    if loop == "uvloop":
        import uvloop

        loop += f" {getattr(uvloop, '__version__', '?')}"
    lines = [
        f"machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}),"
        f" {platform.system()} {platform.release()}",
        f"python {platform.python_version()} ({sys.executable}), event loop {loop},"
        f" aiohttp {aiohttp.__version__}",
    ]
    if server is not None:
        lines.append(f"target server: {server.kind} at {server.base_url}")
        if server.note:
            lines.append(f"NOTE: {server.note}")
    return lines


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Veilleur probe engine throughput benchmark (127.0.0.1 only).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--checks", type=int, default=20_000, help="mode A: http checks probed once"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=256,
        help="probes at once (the Engine's default is 256)",
    )
    parser.add_argument(
        "--engine-interval",
        type=float,
        default=None,
        help="mode A2: check interval in seconds (default: checks / (1.5 x the A1 "
        "rate), so that checks fall due faster than the engine can probe and it runs "
        "flat out, while the scheduler re-handles no more due checks than needed)",
    )
    parser.add_argument(
        "--a-deadline",
        type=float,
        default=300.0,
        help="mode A2: give up after this many seconds",
    )
    parser.add_argument(
        "--scheduled-checks",
        type=int,
        default=15_000,
        help="mode B: checks at --interval",
    )
    parser.add_argument(
        "--interval", type=float, default=60.0, help="mode B: check interval in seconds"
    )
    parser.add_argument(
        "--duration", type=float, default=60.0, help="mode B: seconds of scheduled load"
    )
    parser.add_argument(
        "--memory-checks",
        type=int,
        default=10_000,
        help="mode M: checks built in the fresh subprocess",
    )
    parser.add_argument(
        "--start-state",
        choices=("unknown", "up"),
        default="unknown",
        help="A2 and B: trackers start UNKNOWN (first start: every "
        "check's first probe is a state change) or UP (steady state)",
    )
    parser.add_argument(
        "--modes", default="A,B,M", help="comma-separated subset of A, B, M"
    )
    parser.add_argument(
        "--server",
        choices=("auto", "nginx", "aiohttp"),
        default="auto",
        help="target server",
    )
    parser.add_argument(
        "--nginx",
        type=Path,
        default=NGINX,
        help="the nginx binary to use (Debian's nginx-light or nginx-core)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="reduced sizes: 2,000 / 1,500 checks, 15 s of mode B",
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="cProfile mode A2 into FILE and print where time goes",
    )
    parser.add_argument(
        "--no-uvloop",
        action="store_true",
        help="plain asyncio even when uvloop is importable",
    )
    parser.add_argument(
        "--_role",
        choices=("main", "aiohttp-server", "memory"),
        default="main",
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--_port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.checks = min(args.checks, 2_000)
        args.scheduled_checks = min(args.scheduled_checks, 1_500)
        args.duration = min(args.duration, 15.0)
    for name in ("checks", "concurrency", "scheduled_checks", "memory_checks"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if not 0 < args.duration <= 3600 or not 0 < args.a_deadline <= 3600:
        parser.error("--duration and --a-deadline must be in (0, 3600] seconds")
    if args.interval < 0.05 or (
        args.engine_interval is not None and args.engine_interval < 0.05
    ):
        parser.error("intervals under 0.05 s would make the scheduler spin")
    args.modes = {m.strip().upper() for m in args.modes.split(",") if m.strip()}
    if not args.modes <= {"A", "B", "M"}:
        parser.error("--modes takes A, B and M")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    use_uvloop = not args.no_uvloop
    if args._role == "aiohttp-server":
        serve_aiohttp(args._port, use_uvloop)
        return 0
    if args._role == "memory":
        print(json.dumps(measure_memory(args.memory_checks)))
        return 0

    start_state = State(args.start_state)
    summary: list[str] = []
    failed_loudly: list[str] = []
    server: LocalServer | None = None
    with tempfile.TemporaryDirectory(prefix="veilleur-bench-") as workdir:
        if args.modes & {"A", "B"}:
            try:
                server = LocalServer(args.server, args.nginx)
                server.start()
            except (RuntimeError, OSError) as exc:
                print(f"bench: cannot start the target server: {exc}", file=sys.stderr)
                return 2
        try:
            if "A" in args.modes:
                assert server is not None
                started = time.perf_counter()
                checks = build_checks(args.checks, server.base_url)
                log(
                    f"built {len(checks)} checks in {time.perf_counter() - started:.2f}"
                    " s; A1 check_all"
                )
                a1 = run_loop(
                    throughput_check_all(checks, args.concurrency, server), use_uvloop
                )
                summary += a1.lines()
                engine_interval = args.engine_interval or max(
                    0.05, len(checks) / (1.5 * a1.rate)
                )
                log(f"A2 Engine, interval {engine_interval:.2f} s")
                fast = [
                    dataclasses.replace(c, interval=engine_interval) for c in checks
                ]
                a2 = run_loop(
                    throughput_engine(
                        fast,
                        args.concurrency,
                        start_state,
                        args.a_deadline,
                        server,
                        args.profile,
                    ),
                    use_uvloop,
                )
                summary += a2.lines()
                for result in (a1, a2):
                    if result.failures or result.stopped_by_deadline:
                        failed_loudly.append(result.label)
                del checks, fast
            if "B" in args.modes:
                assert server is not None
                log(f"B scheduled load for {args.duration:g} s")
                checks = build_checks(
                    args.scheduled_checks, server.base_url, args.interval
                )
                b = run_loop(
                    scheduled_load(
                        checks,
                        args.duration,
                        args.concurrency,
                        start_state,
                        Path(workdir),
                        server,
                    ),
                    use_uvloop,
                )
                summary += b.lines()
                if b.failures:
                    failed_loudly.append("B scheduled load")
                if b.probes < 0.95 * b.due:
                    failed_loudly.append("B fell behind its schedule")
        finally:
            if server is not None:
                server.stop()
        if "M" in args.modes:
            log("M memory (fresh subprocess)")
            summary += memory_lines(
                memory_in_subprocess(args.memory_checks, use_uvloop)
            )
    if args.profile and "A" in args.modes:
        summary += profile_lines(args.profile)

    print(
        "\n".join(
            [
                "",
                "=== Veilleur probe throughput ===",
                *machine_lines(server, use_uvloop),
                "",
                *summary,
            ]
        )
    )
    if failed_loudly:
        banner(
            "PROBES FAILED OR FELL BEHIND in: "
            + "; ".join(failed_loudly)
            + " -- the figures above do not measure a healthy run"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
