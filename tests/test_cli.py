"""The command line: exit statuses and what it prints, on real files and ports."""

from __future__ import annotations

import json
import socket
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from veilleur.cli import cli

CANOPE = Path(__file__).parents[1] / "examples" / "canope"


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env)


def test_inventory_prints_totals_per_platform_and_environment_as_json():
    result = run("inventory", "--config", str(CANOPE), "--json")
    assert result.exit_code == 0, result.output
    rows = {(r["platform"], r["environment"]): r for r in json.loads(result.output)}
    bcdi = rows[("bcdi", "prod")]
    # 119 VMs; RAM 1 + 110×4 + 4 + 2×1 + 2 + 2 + 9 + 4 + 4 = 468 against 470 stated.
    assert (bcdi["vms"], bcdi["ram_gb"]) == (119, 468)
    assert bcdi["differences"]["ram_gb"] == -2


def test_a_bad_inventory_exits_2_naming_the_file_and_path(tmp_path):
    (tmp_path / "bad.yaml").write_text("platforms:\n  - id: x\n    colour: red\n")
    result = run("inventory", "--config", str(tmp_path))
    assert result.exit_code == 2
    assert "bad.yaml:3: platforms[0].colour: unknown field 'colour'" in result.output


def test_a_bad_setting_exits_2_naming_the_variable():
    result = run("inventory", "--config", str(CANOPE), env={"VEILLEUR_PORT": "http"})
    assert result.exit_code == 2
    assert "VEILLEUR_PORT='http': expected a whole number" in result.output


@pytest.fixture
def listening_port():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


@pytest.fixture
def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_check_probes_once_and_exits_1_when_something_is_down(
    tmp_path, listening_port, closed_port
):
    (tmp_path / "local.yaml").write_text(
        f"""
platforms:
  - id: local
    environments:
      - id: prod
        hosts:
          - id: here
            address: 127.0.0.1
            vcpu: 1
            ram_gb: 1
            disk_gb: 10
            checks:
              - {{id: open, kind: tcp, port: {listening_port}}}
              - {{id: shut, kind: tcp, port: {closed_port}}}
"""
    )
    result = run("check", "--config", str(tmp_path), "--json")
    assert result.exit_code == 1
    rows = {r["id"]: r for r in json.loads(result.output)}
    assert rows["local/prod/here/open"]["ok"] is True
    assert rows["local/prod/here/shut"]["message"] == "connexion refusée"

    only = run("check", "--config", str(tmp_path), "--json", "--only", "open")
    assert only.exit_code == 0
    assert [r["id"] for r in json.loads(only.output)] == ["local/prod/here/open"]


def test_serve_refuses_a_database_from_a_newer_version(tmp_path):
    url = f"sqlite:///{tmp_path / 'v.db'}"
    assert run("db", "upgrade", env={"VEILLEUR_DATABASE_URL": url}).exit_code == 0

    with sqlite3.connect(tmp_path / "v.db") as con:
        con.execute("UPDATE alembic_version SET version_num = 'ffff'")
    result = run("serve", "--config", str(CANOPE), env={"VEILLEUR_DATABASE_URL": url})
    assert result.exit_code == 1
    assert "schema revision 'ffff' is newer than this Veilleur" in result.output
