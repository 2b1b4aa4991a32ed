"""TLS certificate: how many days the server's certificate has left before it expires.

The probe completes a TLS handshake (sending `server_name` as SNI) and reads the
certificate's notAfter date. Below `warn_days` the outcome is a warning, below
`critical_days` (or once expired) a failure. With `verify` (the default) an untrusted
or mismatched certificate is a failure too, with the reason. The latency is the time of
the connection and handshake.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from datetime import UTC, datetime
from typing import Self

from pydantic import Field, model_validator

from veilleur.probes.base import ProbeContext, ProbeKind, ProbeOutcome, ProbeParams
from veilleur.probes.errors import describe_error

SECONDS_PER_DAY = 86400


class TlsParams(ProbeParams):
    host: str = Field(min_length=1)
    port: int = Field(default=443, ge=1, le=65535)
    server_name: str | None = Field(default=None, min_length=1)  # default: host
    warn_days: int = Field(default=21, ge=1)
    critical_days: int = Field(default=7, ge=0)
    verify: bool = True

    @model_validator(mode="after")
    def _check_thresholds(self) -> Self:
        if self.critical_days >= self.warn_days:
            raise ValueError("critical_days must be lower than warn_days")
        return self


async def probe(params: TlsParams, timeout: float, ctx: ProbeContext) -> ProbeOutcome:
    ssl_context = ctx.ssl_default if params.verify else ctx.ssl_unverified
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            der = await _fetch_certificate(params, ssl_context)
    except (OSError, TimeoutError, UnicodeError) as exc:
        return ProbeOutcome(False, None, describe_error(exc, timeout))
    latency = (time.perf_counter() - started) * 1000
    if der is None:
        return ProbeOutcome(False, latency, "aucun certificat présenté")
    try:
        not_after = certificate_not_after(der)
    except ValueError:
        return ProbeOutcome(False, latency, "certificat illisible")
    return _judge(params, not_after, datetime.now(UTC), latency)


async def _fetch_certificate(
    params: TlsParams, ssl_context: ssl.SSLContext
) -> bytes | None:
    """The DER certificate the server presents, after a complete handshake."""
    _, writer = await asyncio.open_connection(
        params.host,
        params.port,
        ssl=ssl_context,
        server_hostname=params.server_name or params.host,
    )
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        der: bytes | None = ssl_object.getpeercert(binary_form=True)
    finally:
        writer.transport.abort()  # no close_notify exchange to wait for
    return der


def _judge(
    params: TlsParams, not_after: datetime, now: datetime, latency: float
) -> ProbeOutcome:
    seconds = (not_after - now).total_seconds()
    date = not_after.strftime("%Y-%m-%d")
    if seconds <= 0:
        days_ago = int(-seconds // SECONDS_PER_DAY)
        return ProbeOutcome(
            False, latency, f"le certificat a expiré le {date} ({_ago(days_ago)})"
        )
    days = int(seconds // SECONDS_PER_DAY)
    message = f"le certificat expire {_in_days(days)} ({date})"
    if days < params.critical_days:
        return ProbeOutcome(False, latency, message)
    return ProbeOutcome(True, latency, message, warning=days < params.warn_days)


def _in_days(days: int) -> str:
    if days == 0:
        return "dans moins d'un jour"
    return f"dans {days} jour{'s' if days > 1 else ''}"


def _ago(days: int) -> str:
    if days == 0:
        return "il y a moins d'un jour"
    return f"il y a {days} jour{'s' if days > 1 else ''}"


def certificate_not_after(der: bytes) -> datetime:
    """The notAfter date of a DER X.509 certificate (RFC 5280), in UTC.

    Read directly from the DER bytes because `getpeercert()` returns nothing useful
    when the certificate was not verified. Raises ValueError on malformed input.
    """
    try:
        _, certificate, _ = _element(der, 0)
        _, position, _ = _element(der, certificate)  # tbsCertificate
        tag, _, end = _element(der, position)
        if tag == 0xA0:  # optional explicit [0] version
            position = end
        for _ in range(3):  # serialNumber, signature, issuer
            _, _, position = _element(der, position)
        _, validity, _ = _element(der, position)
        _, _, position = _element(der, validity)  # notBefore
        tag, start, end = _element(der, position)
        return _parse_time(tag, der[start:end].decode("ascii"))
    except (IndexError, UnicodeDecodeError) as exc:
        raise ValueError("malformed certificate") from exc


def _element(data: bytes, position: int) -> tuple[int, int, int]:
    """(tag, start of the value, end of the value) of the DER element at position."""
    tag = data[position]
    length = data[position + 1]
    start = position + 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or start + count > len(data):
            raise ValueError("malformed DER length")
        length = int.from_bytes(data[start : start + count], "big")
        start += count
    if start + length > len(data):
        raise ValueError("DER element overruns its container")
    return tag, start, start + length


def _parse_time(tag: int, text: str) -> datetime:
    if tag == 0x17:  # UTCTime, YYMMDDHHMMSSZ; years 50-99 are 19xx (RFC 5280)
        year = int(text[:2])
        text = f"{1900 + year if year >= 50 else 2000 + year}{text[2:]}"
    elif tag != 0x18:  # GeneralizedTime, YYYYMMDDHHMMSSZ
        raise ValueError(f"unexpected time tag {tag:#x}")
    return datetime.strptime(text, "%Y%m%d%H%M%SZ").replace(tzinfo=UTC)


def _describe(params: TlsParams) -> str:
    target = f"{params.host}:{params.port}"
    if params.server_name and params.server_name != params.host:
        return f"{params.server_name} ({target})"
    return target


KIND = ProbeKind(
    name="tls",
    params=TlsParams,
    probe=probe,
    describe=lambda p: _describe(p),
)
