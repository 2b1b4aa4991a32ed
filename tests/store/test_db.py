"""Opening the database: the URLs refused before anything is written, and why."""

from __future__ import annotations

import logging
import socket

import pytest

from veilleur.store.db import Database, StoreConfigError, StoreError


def refusal(url: str) -> str:
    with pytest.raises(StoreConfigError) as caught:
        Database.open(url)
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("url", ["garbage", "", "postgresql://u@h:port/db"])
def test_it_refuses_what_is_not_a_url(url):
    message = refusal(url)
    assert message.startswith(f"VEILLEUR_DATABASE_URL={url!r} is not a database URL")
    assert "sqlite:///var/veilleur.db" in message


def test_it_masks_the_password_of_a_url_it_cannot_parse():
    message = refusal("postgresql://veilleur:hunter2@db:port/veilleur")
    assert "hunter2" not in message
    assert "'postgresql://veilleur:***@db:port/veilleur'" in message


@pytest.mark.parametrize(
    "url", ["mysql://root@127.0.0.1:3306/x", "oracle://u@127.0.0.1/x"]
)
def test_it_says_only_sqlite_and_postgresql_are_supported(url):
    assert "only SQLite and PostgreSQL are supported" in refusal(url)


@pytest.mark.parametrize(
    ("url", "driver", "plain"),
    [
        ("postgresql+asyncpg://u:pw@127.0.0.1/db", "asyncpg", "postgresql://"),
        ("postgresql+psycopg_async://u@127.0.0.1/db", "psycopg_async", "postgresql://"),
        ("sqlite+aiosqlite:///v.db", "aiosqlite", "sqlite://"),
    ],
)
def test_it_refuses_async_drivers(url, driver, plain):
    message = refusal(url)
    assert f"async drivers such as {driver} are not supported: write {plain}" in message
    assert ":pw@" not in message


def test_it_says_which_driver_module_is_missing():
    message = refusal("postgresql+psycopg2://u@127.0.0.1/db")
    assert "the driver's module psycopg2 is not installed" in message


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///",
        "sqlite:///:memory:",
        "sqlite:///file:v?mode=memory&uri=true",
    ],
)
def test_it_refuses_an_in_memory_sqlite_database(url):
    message = refusal(url)
    assert message.startswith(f"VEILLEUR_DATABASE_URL={url!r} is an in-memory")


def test_it_names_the_file_in_the_way_of_the_sqlite_directory(tmp_path):
    (tmp_path / "plain").write_text("not a directory", encoding="utf-8")
    for inside in ("plain/v.db", "plain/deeper/v.db"):
        message = refusal(f"sqlite:///{tmp_path / inside}")
        assert "cannot create the directory" in message
        assert f"{tmp_path / 'plain'} is a file, not a directory" in message


def test_it_refuses_a_directory_as_the_sqlite_file(tmp_path):
    message = refusal(f"sqlite:///{tmp_path}")
    assert f"{tmp_path} is a directory: name a file inside it" in message


def test_it_logs_the_absolute_path_of_a_relative_sqlite_file(
    tmp_path, monkeypatch, caplog
):
    monkeypatch.chdir(tmp_path)
    caplog.set_level(logging.INFO, logger="veilleur.store.db")
    db = Database.open("sqlite:///var/veilleur.db")
    try:
        assert f"database: SQLite file {tmp_path / 'var' / 'veilleur.db'}" in (
            caplog.messages
        )
        # The engine keeps that file even if the working directory changes.
        monkeypatch.chdir("/")
        db.migrate()
        assert (tmp_path / "var" / "veilleur.db").is_file()
    finally:
        db.dispose()


def test_an_unreachable_postgresql_is_a_runtime_fault_not_a_bad_setting():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused
        db = Database.open(f"postgresql://veilleur@127.0.0.1:{port}/veilleur")
        try:
            with pytest.raises(StoreError) as caught:
                db.migrate()
        finally:
            db.dispose()
    assert not isinstance(caught.value, StoreConfigError)
    assert str(caught.value).startswith("cannot reach the database: ")
