"""The tcp kind, and the registry every kind is listed in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pydantic
import pytest

from veilleur.probes.base import ProbeOutcome
from veilleur.probes.kinds import KINDS

RunProbe = Callable[..., ProbeOutcome]


def test_registry_lists_every_kind() -> None:
    assert set(KINDS) == {
        "tcp",
        "http",
        "tls",
        "dns",
        "postgres",
        "mysql",
        "redis",
        "ftp",
    }
    for name, kind in KINDS.items():
        assert kind.name == name


@pytest.mark.parametrize(
    ("kind", "params", "text"),
    [
        ("tcp", {"host": "db1", "port": 22}, "db1:22"),
        ("http", {"url": "https://example.org/x"}, "https://example.org/x"),
        (
            "tls",
            {"host": "10.0.0.1", "server_name": "www.example.org"},
            "www.example.org (10.0.0.1:443)",
        ),
        ("dns", {"name": "example.org", "record": "mx"}, "example.org MX"),
        ("postgres", {"host": "db1"}, "postgres@db1:5432/postgres"),
        ("mysql", {"host": "db1", "database": "shop"}, "root@db1:3306/shop"),
        ("redis", {"host": "cache"}, "cache:6379"),
        ("ftp", {"host": "files"}, "files:21"),
    ],
)
def test_describe(kind: str, params: dict[str, Any], text: str) -> None:
    kind_ = KINDS[kind]
    assert kind_.describe(kind_.params(**params)) == text


def test_tcp_accepts(run_probe: RunProbe, banner_server: Callable[..., int]) -> None:
    outcome = run_probe("tcp", host="127.0.0.1", port=banner_server(b""))
    assert outcome.ok
    assert outcome.message == "connexion acceptée"
    assert outcome.latency_ms is not None and outcome.latency_ms > 0


def test_tcp_refused(run_probe: RunProbe, closed_port: int) -> None:
    outcome = run_probe("tcp", host="127.0.0.1", port=closed_port)
    assert not outcome.ok
    assert outcome.message == "connexion refusée"
    assert outcome.latency_ms is None


def test_tcp_timeout(run_probe: RunProbe, saturated_port: int) -> None:
    outcome = run_probe("tcp", host="127.0.0.1", port=saturated_port, timeout=0.5)
    assert not outcome.ok
    assert outcome.message == "délai dépassé (0.5 s)"


def test_tcp_params_are_checked() -> None:
    params = KINDS["tcp"].params
    with pytest.raises(pydantic.ValidationError):
        params(host="db1", port=70000)
    with pytest.raises(pydantic.ValidationError):
        params(host="db1", port=22, colour="blue")
