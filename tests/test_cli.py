"""The command line: exit statuses and what it prints, on real files and ports."""

from __future__ import annotations

import json
import socket
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import at
from tests.incidents.contract_fixture import PORTAL_ID, make_contract
from veilleur.cli import cli
from veilleur.states import State, StateChange
from veilleur.store import Database
from veilleur.store.recorder import Recorder

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


def test_calendar_who_answers_in_the_scopes_zone():
    result = run(
        "calendar", "who", "documentation", "2026-12-24T18:30", "--config", str(CANOPE),
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert (body["on_duty"], body["reason"]) == ("provider", "closure")
    assert body["at"] == "2026-12-24T18:30:00+01:00"


def test_calendar_due_across_the_spring_change():
    # Saturday 27 March 2027, 23:30 Paris (22:30 UTC); the provider covers the whole
    # weekend, and that night skips 02:00-03:00. + 4 h = 02:30 UTC = 04:30 CEST.
    result = run(
        "calendar", "due", "documentation", "2027-03-27T23:30", "4",
        "--config", str(CANOPE), "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["due_at"] == "2027-03-28T04:30:00+02:00"


def test_calendar_refuses_an_unknown_scope_or_a_bad_instant():
    unknown = run(
        "calendar", "who", "nope", "2026-12-04T10:00", "--config", str(CANOPE)
    )
    assert unknown.exit_code == 2 and "unknown scope 'nope'" in unknown.output
    bad = run("calendar", "who", "web", "tomorrow", "--config", str(CANOPE))
    assert bad.exit_code == 2 and "bad instant 'tomorrow'" in bad.output


def test_incident_commands_act_on_the_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'v.db'}"
    db = Database.open(url)
    db.migrate()
    contract = make_contract()
    recorder = Recorder(db, contract)
    recorder.sync_checks(contract.inventory.checks, at("2026-12-01 00:00"))
    recorder.record_change(
        PORTAL_ID,
        StateChange(State.UP, State.DOWN, at("2026-12-04 16:58"),
                    at("2026-12-04 17:00"), "refusée"),
    )  # fmt: skip
    db.dispose()
    env = {"VEILLEUR_DATABASE_URL": url}

    assert run("incident", "ack", "1", "--author", "Camille", env=env).exit_code == 0
    again = run("incident", "ack", "1", "--author", "Camille", env=env)
    assert again.exit_code == 1 and "déjà pris en charge" in again.output
    note = run(
        "incident", "note", "1", "Redémarrage d'Apache", "--author", "Camille", env=env
    )
    assert note.exit_code == 0
    empty = run("incident", "close", "1", "--author", "C", "--cause", " ",
                "--resolution", "r", env=env)  # fmt: skip
    assert empty.exit_code == 2
    db = Database.open(url)
    Recorder(db, contract).record_change(
        PORTAL_ID,
        StateChange(State.DOWN, State.UP, at("2026-12-04 17:30"),
                    at("2026-12-04 17:31"), "acceptée"),
    )  # fmt: skip
    db.dispose()
    closed = run("incident", "close", "1", "--author", "Camille", "--cause", "Disque plein",
                 "--resolution", "Purge", env=env)  # fmt: skip
    assert closed.exit_code == 0 and "incident 1: closed" in closed.output
    assert run("incident", "ack", "42", "--author", "C", env=env).exit_code == 2
