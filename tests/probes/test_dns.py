"""The dns kind against a small UDP DNS server started by the tests.

Only "localhost" goes through the system resolver: it is answered from /etc/hosts, so
no query leaves the machine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pydantic
import pytest

from veilleur.probes.base import ProbeOutcome
from veilleur.probes.kinds.dns import DnsParams, parse_server

RunProbe = Callable[..., ProbeOutcome]


def assert_up(outcome: ProbeOutcome, message: str) -> None:
    assert outcome.ok, outcome.message
    assert outcome.message == message
    assert outcome.latency_ms is not None and outcome.latency_ms > 0


def test_a_record(run_probe: RunProbe, dns_server: str) -> None:
    outcome = run_probe("dns", name="app.test", server=dns_server)
    assert_up(outcome, "A : 10.1.2.3, 10.1.2.4")


def test_expected_values(run_probe: RunProbe, dns_server: str) -> None:
    outcome = run_probe("dns", name="app.test", server=dns_server, expect=["10.1.2.4"])
    assert_up(outcome, "A : 10.1.2.3, 10.1.2.4")
    outcome = run_probe(
        "dns", name="app.test", server=dns_server, expect=["10.1.2.3", "10.9.9.9"]
    )
    assert not outcome.ok
    assert outcome.message == (
        "valeur attendue absente : « 10.9.9.9 » (reçu : 10.1.2.3, 10.1.2.4)"
    )


def test_txt_record(run_probe: RunProbe, dns_server: str) -> None:
    outcome = run_probe(
        "dns", name="app.test", record="TXT", server=dns_server, expect=["v=spf1 -all"]
    )
    assert_up(outcome, "TXT : v=spf1 -all")


def test_mx_record(run_probe: RunProbe, dns_server: str) -> None:
    outcome = run_probe(
        "dns",
        name="app.test",
        record="mx",
        server=dns_server,
        expect=["MAIL.app.test."],
    )
    assert_up(outcome, "MX : 10 mail.app.test")


def test_cname_and_ns(run_probe: RunProbe, dns_server: str) -> None:
    outcome = run_probe("dns", name="alias.test", record="CNAME", server=dns_server)
    assert_up(outcome, "CNAME : app.test")
    outcome = run_probe("dns", name="app.test", record="NS", server=dns_server)
    assert_up(outcome, "NS : ns1.app.test")


def test_nxdomain(run_probe: RunProbe, dns_server: str) -> None:
    outcome = run_probe("dns", name="absent.test", server=dns_server)
    assert not outcome.ok
    assert outcome.message == "nom inexistant (NXDOMAIN)"


def test_no_answer(run_probe: RunProbe, dns_server: str) -> None:
    outcome = run_probe("dns", name="app.test", record="AAAA", server=dns_server)
    assert not outcome.ok
    assert outcome.message == "aucun enregistrement AAAA pour ce nom"


def test_servfail(run_probe: RunProbe, dns_server: str) -> None:
    outcome = run_probe("dns", name="servfail.test", server=dns_server)
    assert not outcome.ok
    assert outcome.message == "serveur DNS en échec : SERVFAIL"


def test_no_reply(run_probe: RunProbe, dns_server: str) -> None:
    outcome = run_probe("dns", name="silent.test", server=dns_server, timeout=0.5)
    assert not outcome.ok
    assert outcome.message == "délai dépassé (0.5 s)"
    assert outcome.latency_ms is None


def test_system_resolver(run_probe: RunProbe) -> None:
    outcome = run_probe("dns", name="localhost", expect=["127.0.0.1"])
    assert outcome.ok, outcome.message
    assert "127.0.0.1" in outcome.message
    assert outcome.latency_ms is not None and outcome.latency_ms > 0


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("127.0.0.1", ("127.0.0.1", 53)),
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        ("::1", ("::1", 53)),
        ("[::1]:5353", ("::1", 5353)),
    ],
)
def test_parse_server(text: str, parsed: tuple[str, int]) -> None:
    assert parse_server(text) == parsed


@pytest.mark.parametrize(
    "params",
    [
        {"name": "example.org", "server": "dns.example.org"},
        {"name": "example.org", "server": "127.0.0.1:0"},
        {"name": "example.org", "server": "127.0.0.1:x"},
        {"name": "example.org", "server": "[127.0.0.1]:53"},
        {"name": "example.org", "server": "[::1]"},
        {"name": "example.org", "record": "SOA"},
        {"name": "example..org"},
        {"name": "example.org", "expect": []},
    ],
)
def test_bad_params(params: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        DnsParams(**params)
