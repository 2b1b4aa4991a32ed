"""Opening the database and keeping its schema current.

`Database.open(url)` checks the URL and creates the engine; `migrate()` brings a fresh
or older database to the code's schema with Alembic and refuses one migrated by a newer
Veilleur, since code that does not know a table's new meaning must not write into it.

Exceptions::

    StoreError              the database cannot be used now (down, refused, too new)
    ├── StoreConfigError    VEILLEUR_DATABASE_URL itself is wrong: only changing it helps
    └── SchemaTooNewError   the database was migrated by a newer Veilleur

Only SQLite, in a file, and PostgreSQL, through psycopg, are supported: the migrations
and the read queries are tested on those two. The engine is used from worker threads
(``asyncio.to_thread``), so async drivers cannot serve, and an in-memory SQLite
database would be a different, empty database in each thread's connection.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
VARIABLE = "VEILLEUR_DATABASE_URL"
SUPPORTED = ("sqlite", "postgresql")
EXAMPLES = "sqlite:///var/veilleur.db or postgresql://user@host/veilleur"


class StoreError(Exception):
    """The database cannot be used; the message says why and what to do."""


class StoreConfigError(StoreError):
    """The database URL cannot work as written; the message names the variable."""


class SchemaTooNewError(StoreError):
    pass


class Database:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str) -> Database:
        parsed, shown = _parse(url)
        options: dict[str, Any] = {"pool_pre_ping": True}
        if parsed.get_backend_name() == "sqlite":
            path = _sqlite_file(parsed, shown)
            # Absolute, so that the file stays the same whatever the working directory.
            parsed = parsed.set(database=str(path))
            options["connect_args"] = {"timeout": 30, "check_same_thread": False}
            location = f"SQLite file {path}"
        else:
            location = f"PostgreSQL {shown}"

        try:
            engine = create_engine(parsed, **options)
        except ImportError as exc:
            raise StoreConfigError(
                f"{VARIABLE}={shown!r}: the driver's module {exc.name} is not "
                f"installed: write {parsed.get_backend_name()}://… for the built-in one"
            ) from exc
        except (NoSuchModuleError, ArgumentError) as exc:
            raise StoreConfigError(f"{VARIABLE}={shown!r}: unusable ({exc})") from exc
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        log.info("database: %s", location)
        return cls(engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self.sessions() as session, session.begin():
            yield session

    def migrate(self) -> None:
        """Upgrade the schema to the code's newest revision."""
        config = _alembic_config()
        head = ScriptDirectory.from_config(config).get_current_head()
        try:
            with self.engine.begin() as connection:
                current = MigrationContext.configure(connection).get_current_revision()
                known = {
                    s.revision
                    for s in ScriptDirectory.from_config(config).walk_revisions()
                }
                if current is not None and current not in known:
                    raise SchemaTooNewError(
                        f"the database's schema revision {current!r} is newer than this "
                        f"Veilleur (which knows up to {head!r}): upgrade Veilleur, or "
                        "point VEILLEUR_DATABASE_URL at another database"
                    )
                if current != head:
                    log.info("migrating database schema from %s to %s", current, head)
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot reach the database: {_short(exc)}") from exc

    def dispose(self) -> None:
        self.engine.dispose()


def _parse(url: str) -> tuple[URL, str]:
    """The URL to give the engine, and the URL as written without its password."""
    try:
        written = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise StoreConfigError(
            f"{VARIABLE}={_without_password(url)!r} is not a database URL: "
            f"write for example {EXAMPLES}"
        ) from exc
    shown = url if written.password is None else str(written)  # str() masks it

    parsed = written
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED:
        raise StoreConfigError(
            f"{VARIABLE}={shown!r}: only SQLite and PostgreSQL are supported, "
            f"not {backend}: write for example {EXAMPLES}"
        )
    try:
        dialect = parsed.get_dialect()
    except NoSuchModuleError as exc:
        raise StoreConfigError(
            f"{VARIABLE}={shown!r}: unknown driver {parsed.get_driver_name()!r}: "
            f"write {backend}://… without a driver"
        ) from exc
    if dialect.is_async:
        raise StoreConfigError(
            f"{VARIABLE}={shown!r}: async drivers such as "
            f"{parsed.get_driver_name()} are not supported: write {backend}://… "
            "without a driver"
        )
    return parsed, shown


def _sqlite_file(parsed: URL, shown: str) -> Path:
    """The absolute path of the SQLite file, its directory created if missing."""
    database = parsed.database or ""
    if database in ("", ":memory:") or parsed.query.get("mode") == "memory":
        raise StoreConfigError(
            f"{VARIABLE}={shown!r} is an in-memory database: it would lose "
            "everything at each stop, and each of Veilleur's threads would see its "
            "own empty one; name a file, e.g. sqlite:///var/veilleur.db"
        )
    if "uri" in parsed.query:
        raise StoreConfigError(
            f"{VARIABLE}={shown!r}: SQLite URI filenames are not supported: "
            "write sqlite:///path/to/veilleur.db"
        )
    path = Path(os.path.abspath(database))
    if path.is_dir():
        raise StoreConfigError(
            f"{VARIABLE}={shown!r}: {path} is a directory: name a file inside it, "
            f"e.g. sqlite:///{path / 'veilleur.db'}"
        )

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        in_the_way = [p for p in path.parents if p.exists() and not p.is_dir()]
        reason = (
            f"{in_the_way[0]} is a file, not a directory"
            if in_the_way
            else f"{exc.strerror or exc}"
        )
        raise StoreConfigError(
            f"{VARIABLE}={shown!r}: cannot create the directory {path.parent} for "
            f"the SQLite file: {reason}; choose a path Veilleur can write"
        ) from exc
    return path


def _without_password(url: str) -> str:
    """`url` with what looks like a password masked, for a URL that does not parse."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the pages read while the engine writes; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _short(exc: SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None)
    return str(original or exc).strip().splitlines()[0]
