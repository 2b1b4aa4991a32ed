"""Shared fixtures: a migrated database on SQLite and on the machine's PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from veilleur.store import Database

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A freshly migrated database, once per engine."""
    if request.param == "sqlite":
        database = Database.open(f"sqlite:///{tmp_path / 'veilleur.db'}")
        database.migrate()
        yield database
        database.dispose()
        return
    name = f"veilleur_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    database = Database.open(f"postgresql://postgres@127.0.0.1:5432/{name}")
    try:
        database.migrate()
        yield database
    finally:
        database.dispose()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def at(text: str) -> datetime:
    """An aware UTC instant from "2026-12-04 10:00[:SS]"."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
