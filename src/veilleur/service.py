"""``veilleur serve``: the web server and the probe engine in one event loop.

Exceptions::

    ServeError                   serving cannot start; the message says why
    ├── NothingToSuperviseError  the inventory has no check: a configuration mistake
    └── CannotListenError        the web server's address cannot be bound

The web server's sockets are bound here, before anything starts, and handed to uvicorn:
left to itself, uvicorn reports a taken port in its own log line and calls
``sys.exit(3)`` from inside its task, after the probes have started and the dashboard's
address has been announced.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gc
import logging
import signal
import socket
from datetime import timedelta

import uvicorn

from veilleur.incidents.contract import Contract
from veilleur.incidents.lifecycle import tick
from veilleur.inventory import Inventory
from veilleur.notify.dispatch import Dispatcher
from veilleur.probes.engine import Engine, utcnow
from veilleur.settings import Settings
from veilleur.states import Tracker
from veilleur.store import Database
from veilleur.store.recorder import Recorder, RecordingSink
from veilleur.web.app import create_app

log = logging.getLogger(__name__)

# What to suggest after the system's reason, when binding fails.
LISTEN_HINTS = {
    errno.EADDRINUSE: "is another Veilleur or program using it?",
    errno.EACCES: "ports below 1024 need privileges: choose another VEILLEUR_PORT",
    errno.EADDRNOTAVAIL: "VEILLEUR_HOST is not an address of this machine",
}


# Latency is kept per hour this long (the dashboard's strips), then per day.
HOURLY_HISTORY = timedelta(days=14)


class ServeError(Exception):
    """Serving cannot start; the message says why and what to do."""


class NothingToSuperviseError(ServeError):
    pass


class CannotListenError(ServeError):
    pass


def require_checks(inventory: Inventory) -> None:
    """Refuse an inventory with nothing to probe (before the database is touched)."""
    if not inventory.checks:
        raise NothingToSuperviseError(
            f"the inventory has no check: nothing to supervise ({inventory.source})"
        )


async def serve(settings: Settings, inventory: Inventory, db: Database) -> None:
    """Run until SIGINT or SIGTERM; the database must already be migrated."""
    require_checks(inventory)
    sockets = await bind(settings)
    try:
        await _supervise(settings, inventory, db, sockets)
    finally:
        for sock in sockets:
            sock.close()


async def bind(settings: Settings) -> list[socket.socket]:
    """Sockets bound to each address VEILLEUR_HOST names, not listening yet."""
    try:
        addresses = await asyncio.get_running_loop().getaddrinfo(
            settings.host,
            settings.port,
            type=socket.SOCK_STREAM,
            flags=socket.AI_PASSIVE,
        )
    except OSError as exc:
        raise CannotListenError(_cannot_listen(settings, exc)) from exc

    sockets: list[socket.socket] = []
    try:
        for family, kind, proto, _, address in dict.fromkeys(addresses):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                # As asyncio does: an IPv6 socket leaves IPv4 to its own socket.
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
    except OSError as exc:
        for sock in sockets:
            sock.close()
        raise CannotListenError(_cannot_listen(settings, exc)) from exc
    return sockets


def _cannot_listen(settings: Settings, exc: OSError) -> str:
    reason = str(exc.strerror or exc)
    reason = reason[:1].lower() + reason[1:]
    hint = LISTEN_HINTS.get(exc.errno or 0)
    suffix = f" ({hint})" if hint else ""
    return f"cannot listen on {settings.address}: {reason}{suffix}"


async def _supervise(
    settings: Settings,
    inventory: Inventory,
    db: Database,
    sockets: list[socket.socket],
) -> None:
    """Serve the dashboard on `sockets` and probe, until a signal says stop."""
    contract = Contract(inventory, settings.base_url)
    recorder = Recorder(db, contract)
    states = await asyncio.to_thread(recorder.sync_checks, inventory.checks, utcnow())
    # Optimization: the inventory lives as long as the process; keeping its objects
    # out of the garbage collector's generations saves a fifth of the probe loop's CPU.
    gc.collect()
    gc.freeze()
    trackers = {cid: Tracker(state=state) for cid, (state, _) in states.items()}
    engine = Engine(
        inventory.checks,
        RecordingSink(recorder),
        trackers=trackers,
        concurrency=settings.concurrency,
    )
    app = create_app(db, settings.api_token, contract=contract)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        access_log=settings.log_level == "DEBUG",
        lifespan="off",
        # None: uvicorn's loggers propagate to the root logger the command line set
        # up, so that its lines have the same format as ours.
        log_config=None,
    )
    server = uvicorn.Server(config)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # While it serves, uvicorn takes SIGINT and SIGTERM over and raises them again when
    # it is done; the loop still sees them, so both halves stop together.
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    web = asyncio.create_task(server.serve(sockets=sockets))
    probing = asyncio.create_task(engine.run(stop))
    clocks = asyncio.create_task(tick_clocks(db, contract, stop))
    history = asyncio.create_task(compact_history(recorder, stop))
    sending = asyncio.create_task(Dispatcher(db).run(stop))
    if await _started(server, web, stop):
        log.info(
            "dashboard at %s/ (API %s/api/v1, inventory %s, %d checks)",
            settings.base_url,
            settings.base_url,
            inventory.source,
            len(inventory.checks),
        )
    await asyncio.wait(
        [web, probing, asyncio.create_task(stop.wait())],
        return_when=asyncio.FIRST_COMPLETED,
    )
    stop.set()
    server.should_exit = True
    await probing
    await clocks
    await history
    await sending
    with contextlib.suppress(asyncio.CancelledError):
        await web
    log.info("stopped")


async def _started(
    server: uvicorn.Server, web: asyncio.Task[None], stop: asyncio.Event
) -> bool:
    """Wait until uvicorn accepts connections; False if it ended or we stop first."""
    while not (server.started or web.done() or stop.is_set()):
        await asyncio.sleep(0.05)
    return server.started


async def tick_clocks(
    db: Database, contract: Contract, stop: asyncio.Event, every: float = 5.0
) -> None:
    """Escalations, deadline warnings, breaches and handovers, every few seconds."""

    def once() -> None:
        with db.session() as session:
            tick(session, contract, utcnow())

    while not stop.is_set():
        try:
            await asyncio.to_thread(once)
        except Exception:
            log.exception("clock tick failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)


async def compact_history(
    recorder: Recorder,
    stop: asyncio.Event,
    every: float = 6 * 3600,
    keep_hourly: timedelta = HOURLY_HISTORY,
) -> None:
    """Merge hourly latency older than `keep_hourly` into daily rows, now and then."""
    while not stop.is_set():
        try:
            merged = await asyncio.to_thread(
                recorder.compact_buckets, utcnow() - keep_hourly
            )
            if merged:
                log.info("merged %d hourly latency rows into daily ones", merged)
        except Exception:
            log.exception("compacting latency history failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
