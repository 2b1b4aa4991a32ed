"""HTTP(S): the URL answers with an expected status and, optionally, expected text.

The probe sees what a new visitor sees: a fresh connection (no keep-alive), redirects
followed unless told otherwise, the certificate verified unless told otherwise. Text
checks look at the first megabyte of the body only. The latency is the time until the
status line and headers of the final response arrived.
"""

from __future__ import annotations

import asyncio
import codecs
import time
from typing import Annotated, Literal, Self

import aiohttp
from pydantic import Field, field_validator, model_validator
from yarl import URL

from veilleur.probes.base import ProbeContext, ProbeKind, ProbeOutcome, ProbeParams
from veilleur.probes.errors import describe_error

MAX_BODY = 1024 * 1024  # bytes of body read for the text checks

StatusCode = Annotated[int, Field(ge=100, le=599)]


class HttpParams(ProbeParams):
    url: str
    # One status, several (a YAML list), or None for any 2xx.
    expect_status: (
        StatusCode | Annotated[tuple[StatusCode, ...], Field(min_length=1)] | None
    ) = None
    contains: str | None = Field(default=None, min_length=1)
    not_contains: str | None = Field(default=None, min_length=1)
    follow_redirects: bool = True
    verify_tls: bool = True
    method: Literal["GET", "HEAD"] = "GET"

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        if any(char.isspace() or not char.isprintable() for char in value):
            raise ValueError("the URL must not contain spaces or control characters")
        url = URL(value)  # raises ValueError on a bad port
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError("expected an http:// or https:// URL with a host name")
        return value

    @model_validator(mode="after")
    def _check_body_needed(self) -> Self:
        if self.method == "HEAD" and (self.contains or self.not_contains):
            raise ValueError("contains/not_contains need a body: use method GET")
        return self


async def probe(params: HttpParams, timeout: float, ctx: ProbeContext) -> ProbeOutcome:
    ssl_context = ctx.ssl_default if params.verify_tls else ctx.ssl_unverified
    started = time.perf_counter()
    try:
        async with (
            asyncio.timeout(timeout),
            ctx.http.request(
                params.method,
                params.url,
                allow_redirects=params.follow_redirects,
                ssl=ssl_context,
            ) as response,
        ):
            latency = (time.perf_counter() - started) * 1000
            status = response.status
            body = await _read_body(response) if _needs_body(params) else ""
    except (aiohttp.ClientError, OSError, TimeoutError, UnicodeError) as exc:
        return ProbeOutcome(False, None, describe_error(exc, timeout))
    return _judge(params, status, body, latency)


def _needs_body(params: HttpParams) -> bool:
    return params.contains is not None or params.not_contains is not None


async def _read_body(response: aiohttp.ClientResponse) -> str:
    """The first MAX_BODY bytes of the body, decoded leniently."""
    chunks: list[bytes] = []
    size = 0
    while size < MAX_BODY:
        chunk = await response.content.read(MAX_BODY - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks).decode(_charset(response), errors="replace")


def _charset(response: aiohttp.ClientResponse) -> str:
    declared = response.charset
    if declared:
        try:
            codecs.lookup(declared)
        except LookupError:
            return "utf-8"
        return declared
    return "utf-8"


def _judge(params: HttpParams, status: int, body: str, latency: float) -> ProbeOutcome:
    if not _status_expected(params.expect_status, status):
        expected = _expected_text(params.expect_status)
        return ProbeOutcome(False, latency, f"HTTP {status} (attendu : {expected})")
    if params.contains is not None and params.contains not in body:
        return ProbeOutcome(
            False, latency, f"texte attendu absent : « {params.contains} »"
        )
    if params.not_contains is not None and params.not_contains in body:
        return ProbeOutcome(
            False, latency, f"texte interdit présent : « {params.not_contains} »"
        )
    return ProbeOutcome(True, latency, f"HTTP {status}")


def _status_expected(expected: int | tuple[int, ...] | None, status: int) -> bool:
    if expected is None:
        return 200 <= status <= 299
    if isinstance(expected, int):
        return status == expected
    return status in expected


def _expected_text(expected: int | tuple[int, ...] | None) -> str:
    if expected is None:
        return "2xx"
    if isinstance(expected, int):
        return str(expected)
    return ", ".join(str(code) for code in expected)


KIND = ProbeKind(
    name="http",
    params=HttpParams,
    probe=probe,
    describe=lambda p: p.url,
)
