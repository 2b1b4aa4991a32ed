"""The command line: ``veilleur serve | check | inventory | db``.

Exit status: 0 success; 1 a check failed (``check``) or a runtime fault (database
unreachable); 2 bad configuration, settings or arguments.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.table import Table

from veilleur.inventory import Inventory, InventoryError, load_inventory
from veilleur.inventory.builtin import builtin_inventory
from veilleur.settings import Settings, SettingsError, load_settings
from veilleur.store import Database, StoreError

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
    from veilleur.service import serve as run_service

    settings = _settings()
    _logging(settings)
    inventory = _inventory(config, settings)
    db = _database(settings)
    try:
        _run(run_service(settings, inventory, db))
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
