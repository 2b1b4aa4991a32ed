"""The command line: ``veilleur serve | check | inventory | db``.

Exit status: 0 success; 1 a check failed (``check``) or a runtime fault (database
unreachable); 2 bad configuration, settings or arguments.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.table import Table

from veilleur.inventory import Inventory, InventoryError, load_inventory
from veilleur.inventory.builtin import builtin_inventory
from veilleur.settings import Settings, SettingsError, load_settings
from veilleur.store import Database, StoreConfigError, StoreError

log = logging.getLogger("veilleur")

CONFIG_OPTION = click.option(
    "--config",
    "config",
    type=click.Path(path_type=Path),
    default=None,
    help="Inventory directory (YAML files). Default: this machine's local services.",
)


def main() -> None:
    cli(prog_name="veilleur")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Veilleur: supervision and follow-up of a managed-operations contract."""


@cli.command()
@CONFIG_OPTION
def serve(config: Path | None) -> None:
    """Probe the inventory, record states and incidents, serve the dashboard."""
    from veilleur.service import CannotListenError, NothingToSuperviseError
    from veilleur.service import serve as run_service

    settings = _settings()
    _logging(settings)
    inventory = _inventory(config, settings)
    if not inventory.checks:
        _fail(
            f"the inventory has no check: nothing to supervise ({inventory.source})", 2
        )
    db = _database(settings)
    try:
        _run(run_service(settings, inventory, db))
    except NothingToSuperviseError as exc:
        _fail(str(exc), 2)
    except CannotListenError as exc:
        _fail(str(exc), 1)
    finally:
        db.dispose()


@cli.command()
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--only", default=None, help="Only the checks whose id contains this.")
def check(config: Path | None, as_json: bool, only: str | None) -> None:
    """Probe every check once and print the results (exit 1 if any failed)."""
    from veilleur.probes.engine import check_all

    settings = _settings()
    logging.basicConfig(level=logging.WARNING)
    inventory = _inventory(config, settings)
    checks = [c for c in inventory.checks if only is None or only in c.id]
    results = _run(check_all(checks, settings.concurrency))
    rows = [
        {
            "id": r.check.id,
            "kind": r.check.kind,
            "target": r.check.target,
            "result": r.result.value,
            "ok": r.outcome.ok,
            "latency_ms": None
            if r.outcome.latency_ms is None
            else round(r.outcome.latency_ms, 2),
            "message": r.outcome.message,
            "warning": r.outcome.warning,
            "at": r.at.isoformat(),
        }
        for r in results
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        table = Table("check", "result", "ms", "message")
        for row in rows:
            colour = "green" if row["ok"] else "red"
            ms = "" if row["latency_ms"] is None else f"{row['latency_ms']:.1f}"
            table.add_row(
                row["id"], f"[{colour}]{row['result']}[/]", ms, row["message"]
            )
        Console().print(table)
    sys.exit(0 if all(row["ok"] for row in rows) else 1)


@cli.command()
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the totals as JSON.")
def inventory(config: Path | None, as_json: bool) -> None:
    """Validate the inventory; print VM counts and RAM, vCPU, disk sums."""
    settings = _settings()
    inv = _inventory(config, settings)
    rows = inv.capacity()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("platform", "env", "VMs", "RAM GB", "vCPU", "disk GB", "checks",
                  "differs from stated")  # fmt: skip
    for row in rows:
        differences = row.get("differences") or {}
        diff = ", ".join(f"{k} {v:+g}" for k, v in differences.items())
        table.add_row(
            row["platform"], row["environment"], str(row["vms"]), f"{row['ram_gb']:g}",
            str(row["vcpu"]), f"{row['disk_gb']:g}", str(row["checks"]),
            f"[yellow]{diff}[/]" if diff else "",
        )  # fmt: skip
    Console().print(table)


@cli.group()
def calendar() -> None:
    """Coverage calendars: who is on duty, when a deadline falls."""


def _scope_and_instant(config: Path | None, scope_id: str, instant: str) -> Any:
    from veilleur.calendars import local_instant

    inv = _inventory(config, _settings())
    scope = inv.scope(scope_id)
    if scope is None:
        known = ", ".join(s.id for s in inv.scopes) or "none"
        _fail(f"unknown scope {scope_id!r} (known: {known})", 2)
    try:
        at = datetime.fromisoformat(instant)
    except ValueError:
        _fail(
            f"bad instant {instant!r}: write ISO 8601, e.g. 2026-12-04T17:30+01:00", 2
        )
    if at.tzinfo is None:
        at = local_instant(scope.calendar.zone, at.date(), at.time())
    return scope, at


@calendar.command("who")
@click.argument("scope_id", metavar="SCOPE")
@click.argument("instant")
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
def calendar_who(
    config: Path | None, scope_id: str, instant: str, as_json: bool
) -> None:
    """Who is on duty in SCOPE at INSTANT, and why (ISO 8601; local without offset)."""
    from veilleur.calendars import duty_at, next_change_if_any

    scope, at = _scope_and_instant(config, scope_id, instant)
    duty = duty_at(scope.calendar, at)
    change = next_change_if_any(scope.calendar, at)
    zone = scope.calendar.zone
    answer = {
        "scope": scope.id,
        "at": at.astimezone(zone).isoformat(),
        "on_duty": duty.on_duty,
        "reason": duty.reason,
        "label": duty.label,
        "since": duty.since.astimezone(zone).isoformat(),
        "until": duty.until.astimezone(zone).isoformat(),
        "next_change": None if change is None else change.astimezone(zone).isoformat(),
    }
    if as_json:
        click.echo(json.dumps(answer, ensure_ascii=False, indent=2))
        return
    who = (
        "titulaire (astreinte)"
        if duty.on_duty == "provider"
        else "équipe d'exploitation"
    )
    click.echo(f"{answer['at']}: {who} — {duty.label}")
    click.echo(f"  from {answer['since']} until {answer['until']}")


@calendar.command("due")
@click.argument("scope_id", metavar="SCOPE")
@click.argument("instant")
@click.argument("hours", type=click.FloatRange(min=0, max=24 * 366))
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
def calendar_due(
    config: Path | None, scope_id: str, instant: str, hours: float, as_json: bool
) -> None:
    """The instant HOURS of guarantee time after INSTANT, as SCOPE counts them."""
    from veilleur.incidents.clocks import deadline_after

    scope, at = _scope_and_instant(config, scope_id, instant)
    due = deadline_after(scope, scope.calendar, at, hours * 3600)
    zone = scope.calendar.zone
    answer = {
        "scope": scope.id,
        "start": at.astimezone(zone).isoformat(),
        "hours": hours,
        "counting": scope.guarantees.counting,
        "due_at": due.astimezone(zone).isoformat(),
    }
    if as_json:
        click.echo(json.dumps(answer, ensure_ascii=False, indent=2))
    else:
        click.echo(f"{answer['due_at']} ({hours:g} h counted as {answer['counting']})")


@cli.group()
def incident() -> None:
    """Act on an incident: acknowledge, note, restore, close."""


AUTHOR = click.option(
    "--author", required=True, help="Who acts (shown in the timeline and report)."
)


def _act(action: Any, *args: Any) -> None:
    from veilleur.incidents.contract import Contract
    from veilleur.incidents.lifecycle import IncidentNotFoundError, IncidentStateError
    from veilleur.probes.engine import utcnow

    settings = _settings()
    config = click.get_current_context().params.get("config")
    contract = Contract(_inventory(config, settings), settings.base_url)
    db = _database(settings)
    try:
        with db.session() as session:
            row = action(session, contract, *args, utcnow())
            click.echo(f"incident {row.id}: {row.status}")
    except IncidentNotFoundError as exc:
        _fail(f"unknown incident {exc}", 2)
    except IncidentStateError as exc:
        _fail(str(exc), 1)
    finally:
        db.dispose()


@incident.command("ack")
@click.argument("incident_id", type=int)
@AUTHOR
@CONFIG_OPTION
def incident_ack(incident_id: int, author: str, config: Path | None) -> None:
    """Take the incident in hand (stops the GTI clock)."""
    from veilleur.incidents.lifecycle import acknowledge

    _act(acknowledge, incident_id, author)


@incident.command("note")
@click.argument("incident_id", type=int)
@click.argument("text")
@AUTHOR
@CONFIG_OPTION
def incident_note(
    incident_id: int, text: str, author: str, config: Path | None
) -> None:
    """Add a note to the incident's timeline."""
    from veilleur.incidents.lifecycle import add_note, get_incident

    def note(
        session: Any, _contract: Any, iid: int, words: str, who: str, now: Any
    ) -> Any:
        add_note(session, iid, words, who, now)
        return get_incident(session, iid)

    _act(note, incident_id, text, author)


@incident.command("restore")
@click.argument("incident_id", type=int)
@AUTHOR
@CONFIG_OPTION
def incident_restore(incident_id: int, author: str, config: Path | None) -> None:
    """Mark the service restored (stops the GTR clock)."""
    from veilleur.incidents.lifecycle import restore

    _act(restore, incident_id, author)


@incident.command("close")
@click.argument("incident_id", type=int)
@AUTHOR
@click.option("--cause", required=True, help="Cause of the incident.")
@click.option("--resolution", required=True, help="What restored the service.")
@click.option("--procedure", default=None, help="Intervention procedure followed.")
@CONFIG_OPTION
def incident_close(
    incident_id: int,
    author: str,
    cause: str,
    resolution: str,
    procedure: str | None,
    config: Path | None,
) -> None:
    """Close with the cause and resolution that make the incident report."""
    from veilleur.incidents.lifecycle import close

    for name, value in (("--cause", cause), ("--resolution", resolution)):
        if not value.strip():
            _fail(f"{name} must not be empty", 2)

    def closing(session: Any, contract: Any, iid: int, now: Any) -> Any:
        return close(session, contract, iid, author, cause, resolution, procedure, now)

    _act(closing, incident_id)


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database (VEILLEUR_DATABASE_URL) to this version's schema."""
    settings = _settings()
    _logging(settings)
    _database(settings).dispose()
    click.echo("database schema is current")


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        _fail(f"bad setting: {exc}", 2)


def _logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _inventory(config: Path | None, settings: Settings) -> Inventory:
    try:
        if config is None:
            return builtin_inventory(settings.base_url)
        return load_inventory(config)
    except InventoryError as exc:
        _fail(str(exc), 2)


def _database(settings: Settings) -> Database:
    try:
        db = Database.open(settings.database_url)
        db.migrate()
    except StoreConfigError as exc:
        _fail(f"database: {exc}", 2)
    except StoreError as exc:
        _fail(f"database: {exc}", 1)
    return db


def _run(coroutine: Any) -> Any:
    try:
        import uvloop

        return uvloop.run(coroutine)
    except ImportError:
        return asyncio.run(coroutine)


def _fail(message: str, status: int) -> NoReturn:
    click.echo(f"veilleur: {message}", err=True)
    sys.exit(status)
