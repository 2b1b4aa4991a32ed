"""What every probe kind shares: its outcome, its context, its registration."""

from __future__ import annotations

import os
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from pydantic import BaseModel, ConfigDict


class ProbeError(Exception):
    """The probe could not run at all; the check becomes UNKNOWN."""


def password_from_env(variable: str | None) -> str | None:
    """The password held by the environment variable `variable`, if one is named."""
    if variable is None:
        return None
    value = os.environ.get(variable)
    if value is None:
        raise ProbeError(f"variable d'environnement {variable} non définie")
    return value


@dataclass(frozen=True, slots=True)
class ProbeOutcome:
    ok: bool
    latency_ms: float | None  # time to the answer, None when there was none
    message: str  # why, in French, for people: "connexion refusée", "HTTP 503"
    warning: bool = False  # up, but worth a look (a certificate expiring soon)


class ProbeParams(BaseModel):
    """Base of every kind's parameters: unknown keys are configuration mistakes."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ProbeContext:
    """Shared resources handed to probes, so a probe opens nothing long-lived itself.

    The HTTP session is created lazily inside the running event loop and closed by
    `close()`; the engine owns one context for its whole life.
    """

    def __init__(self) -> None:
        self._http: aiohttp.ClientSession | None = None
        self.ssl_default = ssl.create_default_context()
        self.ssl_unverified = ssl.create_default_context()
        self.ssl_unverified.check_hostname = False
        self.ssl_unverified.verify_mode = ssl.CERT_NONE

    @property
    def http(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            # Important: no keep-alive. A supervision probe must see what a new
            # visitor sees, including a server that no longer accepts connections.
            connector = aiohttp.TCPConnector(
                force_close=True, limit=0, ttl_dns_cache=60, ssl=self.ssl_default
            )
            self._http = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                headers={"User-Agent": "Veilleur/0.1 (supervision)"},
            )
        return self._http

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None


ProbeFunction = Callable[[Any, float, ProbeContext], Awaitable[ProbeOutcome]]


@dataclass(frozen=True)
class ProbeKind:
    """A registered kind: its parameter model and its coroutine.

    `probe(params, timeout, ctx)` must return within about `timeout` seconds; the engine
    also cancels it a little after that, as a safety net.
    `describe(params)` gives the short target text shown beside the check.
    """

    name: str
    params: type[ProbeParams]
    probe: ProbeFunction
    describe: Callable[[Any], str]
