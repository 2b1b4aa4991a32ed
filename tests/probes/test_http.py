"""The http kind against an aiohttp server (plain and TLS) started by the tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pydantic
import pytest
import trustme

from veilleur.probes.base import ProbeOutcome
from veilleur.probes.kinds.http import HttpParams

RunProbe = Callable[..., ProbeOutcome]


def assert_up(outcome: ProbeOutcome, message: str) -> None:
    assert outcome.ok, outcome.message
    assert outcome.message == message
    assert outcome.latency_ms is not None and outcome.latency_ms > 0


def assert_down(outcome: ProbeOutcome, message: str) -> None:
    assert not outcome.ok
    assert message in outcome.message


def test_ok_with_expected_text(run_probe: RunProbe, web: Any) -> None:
    outcome = run_probe("http", url=web.url("/ok"), contains="Bienvenue")
    assert_up(outcome, "HTTP 200")
    assert not outcome.warning


def test_head(run_probe: RunProbe, web: Any) -> None:
    assert_up(run_probe("http", url=web.url("/ok"), method="HEAD"), "HTTP 200")


def test_server_error(run_probe: RunProbe, web: Any) -> None:
    outcome = run_probe("http", url=web.url("/status/503"))
    assert not outcome.ok
    assert outcome.message == "HTTP 503 (attendu : 2xx)"
    assert outcome.latency_ms is not None  # the server did answer


def test_expected_status(run_probe: RunProbe, web: Any) -> None:
    assert_up(
        run_probe("http", url=web.url("/status/404"), expect_status=404), "HTTP 404"
    )
    outcome = run_probe("http", url=web.url("/status/500"), expect_status=[200, 204])
    assert_down(outcome, "HTTP 500 (attendu : 200, 204)")
    outcome = run_probe("http", url=web.url("/ok"), expect_status=204)
    assert_down(outcome, "HTTP 200 (attendu : 204)")


def test_redirects(run_probe: RunProbe, web: Any) -> None:
    assert_up(run_probe("http", url=web.url("/redirect")), "HTTP 200")
    outcome = run_probe("http", url=web.url("/redirect"), follow_redirects=False)
    assert_down(outcome, "HTTP 302 (attendu : 2xx)")
    outcome = run_probe(
        "http", url=web.url("/redirect"), follow_redirects=False, expect_status=302
    )
    assert_up(outcome, "HTTP 302")


def test_redirect_loop(run_probe: RunProbe, web: Any) -> None:
    assert_down(run_probe("http", url=web.url("/loop")), "trop de redirections")


def test_text_checks(run_probe: RunProbe, web: Any) -> None:
    outcome = run_probe("http", url=web.url("/ok"), contains="Maintenance")
    assert_down(outcome, "texte attendu absent : « Maintenance »")
    outcome = run_probe("http", url=web.url("/ok"), not_contains="Bienvenue")
    assert_down(outcome, "texte interdit présent : « Bienvenue »")
    outcome = run_probe("http", url=web.url("/ok"), not_contains="Erreur")
    assert_up(outcome, "HTTP 200")


def test_declared_charset(run_probe: RunProbe, web: Any) -> None:
    assert_up(run_probe("http", url=web.url("/latin1"), contains="Café"), "HTTP 200")


def test_only_the_first_megabyte_is_read(run_probe: RunProbe, web: Any) -> None:
    assert_up(run_probe("http", url=web.url("/big"), contains="Bienvenue"), "HTTP 200")
    outcome = run_probe("http", url=web.url("/big"), contains="MARQUEUR-FINAL")
    assert_down(outcome, "texte attendu absent")


def test_timeout(run_probe: RunProbe, web: Any) -> None:
    outcome = run_probe("http", url=web.url("/slow"), timeout=0.5)
    assert not outcome.ok
    assert outcome.message == "délai dépassé (0.5 s)"
    assert outcome.latency_ms is None


def test_refused(run_probe: RunProbe, closed_port: int) -> None:
    outcome = run_probe("http", url=f"http://127.0.0.1:{closed_port}/")
    assert not outcome.ok
    assert outcome.message == "connexion refusée"


def test_not_http(run_probe: RunProbe, banner_server: Callable[..., int]) -> None:
    port = banner_server(b"SSH-2.0-OpenSSH_9.2\r\n")
    outcome = run_probe("http", url=f"http://127.0.0.1:{port}/")
    assert_down(outcome, "réponse HTTP invalide")


def test_https_trusted(run_probe: RunProbe, web: Any, ca: trustme.CA) -> None:
    outcome = run_probe("http", url=web.tls_url("valid", "/ok"), trust=ca)
    assert_up(outcome, "HTTP 200")


def test_https_untrusted(run_probe: RunProbe, web: Any) -> None:
    outcome = run_probe("http", url=web.tls_url("valid", "/ok"))
    assert_down(outcome, "certificat refusé : autorité de certification inconnue")
    outcome = run_probe("http", url=web.tls_url("valid", "/ok"), verify_tls=False)
    assert_up(outcome, "HTTP 200")


def test_https_expired(run_probe: RunProbe, web: Any, ca: trustme.CA) -> None:
    outcome = run_probe("http", url=web.tls_url("expired", "/ok"), trust=ca)
    assert_down(outcome, "certificat refusé : certificat expiré")


def test_https_wrong_host(run_probe: RunProbe, web: Any, ca: trustme.CA) -> None:
    url = web.tls_url("wrong_host", "/ok", host="localhost")
    outcome = run_probe("http", url=url, trust=ca)
    assert_down(outcome, "certificat refusé : le nom d'hôte ne correspond pas")
    outcome = run_probe("http", url=web.tls_url("wrong_host", "/ok"), trust=ca)
    assert_down(outcome, "certificat refusé : l'adresse IP ne correspond pas")
    outcome = run_probe("http", url=url, trust=ca, verify_tls=False)
    assert_up(outcome, "HTTP 200")


def test_https_on_a_plain_port(run_probe: RunProbe, web: Any) -> None:
    url = f"https://127.0.0.1:{web.http_port}/ok"
    assert_down(run_probe("http", url=url), "TLS")


@pytest.mark.parametrize(
    "params",
    [
        {"url": "ftp://example.org/"},
        {"url": "example.org"},
        {"url": "http://exa mple.org/"},
        {"url": "http://example.org:99999/"},
        {"url": "http://example.org/", "expect_status": 42},
        {"url": "http://example.org/", "expect_status": []},
        {"url": "http://example.org/", "method": "POST"},
        {"url": "http://example.org/", "method": "HEAD", "contains": "x"},
        {"url": "http://example.org/", "contains": ""},
        {"url": "http://example.org/", "verify": False},
    ],
)
def test_bad_params(params: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        HttpParams(**params)


def test_params_defaults() -> None:
    params = HttpParams(url="https://example.org/", expect_status=[200, 301])
    assert params.expect_status == (200, 301)
    assert params.follow_redirects and params.verify_tls
    assert params.method == "GET"
    assert HttpParams(url="http://example.org/").expect_status is None
