"""Helpers to run Veilleur and the servers it watches as real processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

VEILLEUR = Path(sys.executable).parent / "veilleur"
# Debian's Chromium, driven by Playwright; without the background-networking flags it
# tries to reach outside hosts, which this machine's closed network refuses.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(
    what: str, probe: Callable[[], Any], timeout: float = 30.0, every: float = 0.2
) -> Any:
    """Call `probe` until it returns something truthy; fail saying `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = probe()
        except (httpx.HTTPError, OSError):
            value = None
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"timed out waiting for {what}")


class Site:
    """A tiny HTTP server in its own process, stopped and started by the test."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "http.server",
                str(self.port),
                "--bind",
                "127.0.0.1",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for("the site to listen", lambda: _accepts(self.port))

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Veilleur:
    """`veilleur serve` as a subprocess, with its own database and port."""

    def __init__(self, tmp: Path, config: Path | None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp / "veilleur.log"
        self.env = {
            **os.environ,
            "VEILLEUR_DATABASE_URL": f"sqlite:///{tmp / 'veilleur.db'}",
            "VEILLEUR_PORT": str(self.port),
            "VEILLEUR_LOG_LEVEL": "INFO",
        }
        self.args = [str(VEILLEUR), "serve"]
        if config is not None:
            self.args += ["--config", str(config)]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.args, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        wait_for("veilleur to answer", lambda: self.get("/api/v1/health"))

    def get(self, path: str, **params: Any) -> Any:
        answer = httpx.get(self.url + path, params=params, timeout=5)
        answer.raise_for_status()
        return answer.json()

    def stop(self) -> int:
        assert self.process is not None
        self.process.terminate()
        code = self.process.wait(20)
        self.process = None
        return code

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def veilleur_factory(tmp_path: Path) -> Iterator[Callable[[Path | None], Veilleur]]:
    started: list[Veilleur] = []

    def make(config: Path | None) -> Veilleur:
        v = Veilleur(tmp_path, config)
        started.append(v)
        return v

    yield make
    for v in started:
        if v.process is not None:
            v.process.kill()
            v.process.wait()
