"""The ftp kind against pyftpdlib and a few misbehaving TCP servers."""

from __future__ import annotations

from collections.abc import Callable

from veilleur.probes.base import ProbeOutcome

RunProbe = Callable[..., ProbeOutcome]
BannerServer = Callable[..., int]


def test_banner(run_probe: RunProbe, ftp_server: int) -> None:
    outcome = run_probe("ftp", host="127.0.0.1", port=ftp_server)
    assert outcome.ok, outcome.message
    assert outcome.message == "bannière : 220 Veilleur test FTP"
    assert outcome.latency_ms is not None and outcome.latency_ms > 0


def test_multiline_banner(run_probe: RunProbe, banner_server: BannerServer) -> None:
    port = banner_server("220-Bienvenue\r\n  sur le serveur\r\n220 Prêt\r\n".encode())
    outcome = run_probe("ftp", host="127.0.0.1", port=port)
    assert outcome.ok, outcome.message
    assert outcome.message == "bannière : 220 Bienvenue / sur le serveur / Prêt"


def test_unavailable(run_probe: RunProbe, banner_server: BannerServer) -> None:
    port = banner_server(b"421 Too many connections\r\n", hang_up=True)
    outcome = run_probe("ftp", host="127.0.0.1", port=port)
    assert not outcome.ok
    assert outcome.message == (
        "réponse inattendue (attendu : 220) : 421 Too many connections"
    )


def test_not_ftp(run_probe: RunProbe, banner_server: BannerServer) -> None:
    port = banner_server(b"SSH-2.0-OpenSSH_9.2\r\n")
    outcome = run_probe("ftp", host="127.0.0.1", port=port)
    assert not outcome.ok
    assert outcome.message == "réponse non FTP : « SSH-2.0-OpenSSH_9.2 »"


def test_closed_without_banner(
    run_probe: RunProbe, banner_server: BannerServer
) -> None:
    port = banner_server(b"", hang_up=True)
    outcome = run_probe("ftp", host="127.0.0.1", port=port)
    assert not outcome.ok
    assert outcome.message == "connexion fermée sans bannière"


def test_silent_server(run_probe: RunProbe, banner_server: BannerServer) -> None:
    outcome = run_probe("ftp", host="127.0.0.1", port=banner_server(b""), timeout=0.5)
    assert not outcome.ok
    assert outcome.message == "délai dépassé (0.5 s)"


def test_refused(run_probe: RunProbe, closed_port: int) -> None:
    outcome = run_probe("ftp", host="127.0.0.1", port=closed_port)
    assert not outcome.ok
    assert outcome.message == "connexion refusée"


def test_bare_reply_code(run_probe: RunProbe, banner_server: BannerServer) -> None:
    outcome = run_probe("ftp", host="127.0.0.1", port=banner_server(b"220\r\n"))
    assert outcome.ok, outcome.message
    assert outcome.message == "bannière : 220"
