"""The tls kind against TLS servers with trustme certificates started by the tests."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pydantic
import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from veilleur.probes.base import ProbeOutcome
from veilleur.probes.kinds.tls import TlsParams, certificate_not_after

RunProbe = Callable[..., ProbeOutcome]
DATE = re.compile(r"\(\d{4}-\d{2}-\d{2}\)")


def tls(run_probe: RunProbe, web: Any, name: str, **params: Any) -> ProbeOutcome:
    return run_probe("tls", host="127.0.0.1", port=web.tls_ports[name], **params)


def test_valid_certificate(run_probe: RunProbe, web: Any, ca: trustme.CA) -> None:
    outcome = tls(run_probe, web, "valid", trust=ca)
    assert outcome.ok and not outcome.warning
    assert re.fullmatch(
        r"le certificat expire dans (89|90) jours \(.*\)", outcome.message
    )
    assert DATE.search(outcome.message)
    assert outcome.latency_ms is not None and outcome.latency_ms > 0


def test_server_name(run_probe: RunProbe, web: Any, ca: trustme.CA) -> None:
    outcome = tls(run_probe, web, "valid", trust=ca, server_name="localhost")
    assert outcome.ok, outcome.message


def test_expiring_soon_is_a_warning(
    run_probe: RunProbe, web: Any, ca: trustme.CA
) -> None:
    outcome = tls(run_probe, web, "soon", trust=ca)
    assert outcome.ok and outcome.warning
    assert re.match(r"le certificat expire dans (13|14) jours", outcome.message)
    outcome = tls(run_probe, web, "soon", trust=ca, warn_days=10, critical_days=5)
    assert outcome.ok and not outcome.warning


def test_below_critical_is_a_failure(
    run_probe: RunProbe, web: Any, ca: trustme.CA
) -> None:
    outcome = tls(run_probe, web, "critical", trust=ca)
    assert not outcome.ok
    assert re.match(r"le certificat expire dans (2|3) jours", outcome.message)
    assert DATE.search(outcome.message)
    assert outcome.latency_ms is not None


def test_expired(run_probe: RunProbe, web: Any, ca: trustme.CA) -> None:
    outcome = tls(run_probe, web, "expired", trust=ca)
    assert not outcome.ok
    assert outcome.message == "certificat refusé : certificat expiré"
    outcome = tls(run_probe, web, "expired", verify=False)
    assert not outcome.ok
    assert re.fullmatch(
        r"le certificat a expiré le \d{4}-\d{2}-\d{2} \(il y a (4|5) jours\)",
        outcome.message,
    )


def test_untrusted(run_probe: RunProbe, web: Any) -> None:
    outcome = tls(run_probe, web, "valid")
    assert not outcome.ok
    assert outcome.message == "certificat refusé : autorité de certification inconnue"
    assert tls(run_probe, web, "valid", verify=False).ok


def test_wrong_host(run_probe: RunProbe, web: Any, ca: trustme.CA) -> None:
    outcome = tls(run_probe, web, "wrong_host", trust=ca, server_name="localhost")
    assert not outcome.ok
    assert "le nom d'hôte ne correspond pas au certificat" in outcome.message
    outcome = tls(run_probe, web, "wrong_host", trust=ca, verify=False)
    assert outcome.ok
    assert outcome.message.startswith("le certificat expire dans")


def test_refused(run_probe: RunProbe, closed_port: int) -> None:
    outcome = run_probe("tls", host="127.0.0.1", port=closed_port)
    assert not outcome.ok
    assert outcome.message == "connexion refusée"


def test_not_tls(run_probe: RunProbe, web: Any) -> None:
    outcome = run_probe("tls", host="127.0.0.1", port=web.http_port)
    assert not outcome.ok
    assert "TLS" in outcome.message


def test_silent_server(run_probe: RunProbe, banner_server: Callable[..., int]) -> None:
    port = banner_server(b"")
    outcome = run_probe("tls", host="127.0.0.1", port=port, timeout=0.5)
    assert not outcome.ok
    assert outcome.message == "délai dépassé (0.5 s)"


def test_thresholds_are_checked() -> None:
    with pytest.raises(pydantic.ValidationError):
        TlsParams(host="example.org", warn_days=7, critical_days=7)
    with pytest.raises(pydantic.ValidationError):
        TlsParams(host="example.org", critical_days=30)
    params = TlsParams(host="example.org")
    assert (params.port, params.warn_days, params.critical_days) == (443, 21, 7)
    assert params.verify and params.server_name is None


@pytest.mark.parametrize(
    "not_after",
    [
        dt.datetime(2031, 5, 17, 8, 30, 15, tzinfo=dt.UTC),  # UTCTime
        dt.datetime(2061, 1, 2, 3, 4, 5, tzinfo=dt.UTC),  # GeneralizedTime
    ],
)
def test_not_after_parsing(ca: trustme.CA, not_after: dt.datetime) -> None:
    leaf = ca.issue_cert("example.org", not_after=not_after)
    pem = leaf.cert_chain_pems[0].bytes()
    certificate = x509.load_pem_x509_certificate(pem)
    der = certificate.public_bytes(Encoding.DER)
    assert certificate_not_after(der) == certificate.not_valid_after_utc == not_after


def test_malformed_certificate() -> None:
    with pytest.raises(ValueError):
        certificate_not_after(b"\x30\x82\x01")
    with pytest.raises(ValueError):
        certificate_not_after(b"")
