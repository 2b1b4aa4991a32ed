"""End to end: how `veilleur serve` starts, and how it refuses to, seen from outside."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import VEILLEUR

pytestmark = pytest.mark.e2e

# The format the command line gives the root logger; uvicorn's lines must follow it.
LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR) [\w.]+: \S"
)


def inventory(tmp_path: Path, port: int, checks: bool = True) -> Path:
    folder = tmp_path / "inventory"
    folder.mkdir()
    check = f"""
            checks:
              - id: socket
                kind: tcp
                port: {port}
"""
    (folder / "local.yaml").write_text(
        f"""
platforms:
  - id: local
    environments:
      - id: prod
        hosts:
          - id: here
            address: 127.0.0.1
{check if checks else ""}""",
        encoding="utf-8",
    )
    return folder


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port another program listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def serve(config: Path, **env: str) -> tuple[int, str, float]:
    """Run `veilleur serve` to its end: exit status, output, seconds taken."""
    started = time.monotonic()
    finished = subprocess.run(
        [str(VEILLEUR), "serve", "--config", str(config)],
        env={**os.environ, "VEILLEUR_LOG_LEVEL": "INFO", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=30,
    )
    return finished.returncode, finished.stdout, time.monotonic() - started


def test_it_exits_1_with_one_clear_line_when_its_port_is_taken(tmp_path, taken_port):
    status, output, seconds = serve(
        inventory(tmp_path, taken_port),
        VEILLEUR_DATABASE_URL=f"sqlite:///{tmp_path / 'veilleur.db'}",
        VEILLEUR_PORT=str(taken_port),
    )

    assert status == 1, output
    assert seconds < 10
    assert (
        f"veilleur: cannot listen on 127.0.0.1:{taken_port}: address already in use "
        "(is another Veilleur or program using it?)"
    ) in output.splitlines()
    assert "Traceback" not in output
    # The address of the other program must not be announced as the dashboard.
    assert "dashboard at" not in output


def test_it_exits_2_when_the_inventory_has_no_check(tmp_path):
    config = inventory(tmp_path, 0, checks=False)
    status, output, _ = serve(
        config, VEILLEUR_DATABASE_URL=f"sqlite:///{tmp_path / 'veilleur.db'}"
    )

    assert status == 2, output
    assert (
        f"veilleur: the inventory has no check: nothing to supervise ({config})"
        in output.splitlines()
    )
    assert "Traceback" not in output


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("garbage", 2, "is not a database URL"),
        ("mysql://root@127.0.0.1:3306/x", 2, "only SQLite and PostgreSQL"),
        ("postgresql+asyncpg://u@127.0.0.1/db", 2, "write postgresql://"),
        ("sqlite://", 2, "is an in-memory database"),
        ("sqlite:///:memory:", 2, "is an in-memory database"),
        ("sqlite:////etc/passwd/v.db", 2, "/etc/passwd is a file, not a directory"),
        ("postgresql://u@127.0.0.1:1/db", 1, "cannot reach the database: "),
    ],
    ids=["garbage", "mysql", "asyncpg", "sqlite", "memory", "in-a-file", "down"],
)
def test_it_explains_a_database_url_it_cannot_use(tmp_path, url, status, says):
    code, output, _ = serve(inventory(tmp_path, 1), VEILLEUR_DATABASE_URL=url)

    assert code == status, output
    assert "Traceback" not in output
    [line] = [line for line in output.splitlines() if line.startswith("veilleur:")]
    assert line.startswith("veilleur: database: ")
    assert says in line


def test_every_line_of_its_log_has_the_same_format(
    tmp_path, monkeypatch, veilleur_factory
):
    veilleur = veilleur_factory(inventory(tmp_path, 1))
    # The default database, relative to the working directory the process inherits.
    del veilleur.env["VEILLEUR_DATABASE_URL"]
    monkeypatch.delenv("VEILLEUR_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    veilleur.start()
    assert veilleur.stop() == 0

    lines = veilleur.output().splitlines()
    assert lines
    assert [line for line in lines if not LOG_LINE.match(line)] == []
    messages = [line.split(": ", 1)[1] for line in lines]
    assert f"database: SQLite file {tmp_path / 'var' / 'veilleur.db'}" in messages
    assert any(m.startswith("Started server process") for m in messages)
    assert any(m.startswith(f"dashboard at {veilleur.url}/") for m in messages)
