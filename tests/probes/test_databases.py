"""The postgres, mysql and redis kinds against this machine's real servers.

PostgreSQL (trust authentication), MariaDB (root without a password) and Redis (no
password) listen on their standard ports of 127.0.0.1. Wrong-protocol cases point a
probe at a server the tests started (HTTP, or a TCP server sending an SSH banner).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pydantic
import pytest

from veilleur.probes.base import ProbeError, ProbeOutcome
from veilleur.probes.kinds.redis import RedisParams

RunProbe = Callable[..., ProbeOutcome]
BannerServer = Callable[..., int]
HOST = "127.0.0.1"
UNSET = "VEILLEUR_TEST_UNSET_PASSWORD"


def assert_up(outcome: ProbeOutcome, message: str) -> None:
    assert outcome.ok, outcome.message
    assert outcome.message == message
    assert outcome.latency_ms is not None and outcome.latency_ms > 0


def assert_down(outcome: ProbeOutcome, message: str) -> None:
    assert not outcome.ok
    assert message in outcome.message, outcome.message


@pytest.fixture
def no_password_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv(UNSET, raising=False)
    return UNSET


@pytest.fixture
def wrong_password_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("VEILLEUR_TEST_WRONG_PASSWORD", "pas-le-bon")
    return "VEILLEUR_TEST_WRONG_PASSWORD"


# --- PostgreSQL ----------------------------------------------------------------------


def test_postgres_ok(run_probe: RunProbe) -> None:
    assert_up(run_probe("postgres", host=HOST), "SELECT 1 réussi")


def test_postgres_with_password(run_probe: RunProbe, wrong_password_env: str) -> None:
    # Trust authentication accepts any password: only the reading of it is tested.
    outcome = run_probe("postgres", host=HOST, password_env=wrong_password_env)
    assert_up(outcome, "SELECT 1 réussi")


def test_postgres_unknown_database(run_probe: RunProbe) -> None:
    outcome = run_probe("postgres", host=HOST, database="veilleur_absente")
    assert_down(outcome, "base de données inconnue : « veilleur_absente »")


def test_postgres_unknown_user(run_probe: RunProbe) -> None:
    outcome = run_probe("postgres", host=HOST, user="veilleur_inconnu")
    assert_down(outcome, "accès refusé pour « veilleur_inconnu »")


def test_postgres_refused(run_probe: RunProbe, closed_port: int) -> None:
    outcome = run_probe("postgres", host=HOST, port=closed_port)
    assert_down(outcome, "connexion refusée")


def test_postgres_wrong_protocol(run_probe: RunProbe, web: Any) -> None:
    outcome = run_probe("postgres", host=HOST, port=web.http_port)
    assert_down(outcome, "le service ne répond pas comme PostgreSQL")


def test_postgres_silent_server(
    run_probe: RunProbe, banner_server: BannerServer
) -> None:
    outcome = run_probe("postgres", host=HOST, port=banner_server(b""), timeout=0.5)
    assert_down(outcome, "délai dépassé (0.5 s)")


def test_postgres_missing_password_variable(
    run_probe: RunProbe, no_password_env: str
) -> None:
    with pytest.raises(ProbeError, match=no_password_env):
        run_probe("postgres", host=HOST, password_env=no_password_env)


# --- MariaDB / MySQL -----------------------------------------------------------------


def test_mysql_ok(run_probe: RunProbe) -> None:
    assert_up(run_probe("mysql", host=HOST), "SELECT 1 réussi")
    assert_up(run_probe("mysql", host=HOST, database="mysql"), "SELECT 1 réussi")


def test_mysql_wrong_password(run_probe: RunProbe, wrong_password_env: str) -> None:
    outcome = run_probe("mysql", host=HOST, password_env=wrong_password_env)
    assert_down(outcome, "accès refusé pour « root » (utilisateur ou mot de passe)")


def test_mysql_unknown_user(run_probe: RunProbe) -> None:
    outcome = run_probe("mysql", host=HOST, user="veilleur_inconnu")
    assert_down(outcome, "accès refusé pour « veilleur_inconnu »")


def test_mysql_unknown_database(run_probe: RunProbe) -> None:
    outcome = run_probe("mysql", host=HOST, database="veilleur_absente")
    assert_down(outcome, "base de données inconnue : « veilleur_absente »")


def test_mysql_refused(run_probe: RunProbe, closed_port: int) -> None:
    assert_down(run_probe("mysql", host=HOST, port=closed_port), "connexion refusée")


def test_mysql_wrong_protocol(run_probe: RunProbe, banner_server: BannerServer) -> None:
    port = banner_server(b"SSH-2.0-OpenSSH_9.2\r\n")
    outcome = run_probe("mysql", host=HOST, port=port)
    assert_down(outcome, "le service ne répond pas comme MySQL")


def test_mysql_silent_server(run_probe: RunProbe, web: Any) -> None:
    # An HTTP server waits for the client to speak; MySQL waits for the server.
    outcome = run_probe("mysql", host=HOST, port=web.http_port, timeout=0.5)
    assert_down(outcome, "délai dépassé (0.5 s)")


def test_mysql_missing_password_variable(
    run_probe: RunProbe, no_password_env: str
) -> None:
    with pytest.raises(ProbeError, match=no_password_env):
        run_probe("mysql", host=HOST, password_env=no_password_env)


# --- Redis ---------------------------------------------------------------------------


def test_redis_ok(run_probe: RunProbe) -> None:
    assert_up(run_probe("redis", host=HOST), "PONG")


def test_redis_wrong_user(run_probe: RunProbe, wrong_password_env: str) -> None:
    outcome = run_probe(
        "redis", host=HOST, user="veilleur_inconnu", password_env=wrong_password_env
    )
    assert_down(outcome, "authentification refusée (utilisateur ou mot de passe)")


def test_redis_refused(run_probe: RunProbe, closed_port: int) -> None:
    assert_down(run_probe("redis", host=HOST, port=closed_port), "connexion refusée")


def test_redis_wrong_protocol(run_probe: RunProbe, web: Any) -> None:
    outcome = run_probe("redis", host=HOST, port=web.http_port)
    assert_down(outcome, "le service ne répond pas comme Redis (reçu : HTTP/")


def test_redis_silent_server(run_probe: RunProbe, banner_server: BannerServer) -> None:
    outcome = run_probe("redis", host=HOST, port=banner_server(b""), timeout=0.5)
    assert_down(outcome, "délai dépassé (0.5 s)")


def test_redis_missing_password_variable(
    run_probe: RunProbe, no_password_env: str
) -> None:
    with pytest.raises(ProbeError, match=no_password_env):
        run_probe("redis", host=HOST, password_env=no_password_env)


def test_redis_user_needs_a_password() -> None:
    with pytest.raises(pydantic.ValidationError):
        RedisParams(host=HOST, user="app")
