"""FTP: the server greets a new connection with a 220 reply, then is told QUIT.

No login is attempted. The message quotes the banner (its last line when the greeting
spans several lines). The latency is the time until the whole greeting arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time

from pydantic import Field

from veilleur.probes.base import ProbeContext, ProbeKind, ProbeOutcome, ProbeParams
from veilleur.probes.errors import describe_error

MAX_GREETING_LINES = 50
BANNER_LENGTH = 120  # characters of the banner quoted in a message
REPLY_LINE = re.compile(r"^(\d{3})(?:([ -])(.*))?$")  # code, "-" if more follows


class FtpParams(ProbeParams):
    host: str = Field(min_length=1)
    port: int = Field(default=21, ge=1, le=65535)


class _NotFtp(Exception):
    """The greeting is not an FTP reply; carries what was received."""


async def probe(params: FtpParams, timeout: float, ctx: ProbeContext) -> ProbeOutcome:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            code, banner = await _greeting(params)
    except _NotFtp as exc:
        return ProbeOutcome(False, None, str(exc))
    except (OSError, TimeoutError, UnicodeError) as exc:
        return ProbeOutcome(False, None, describe_error(exc, timeout))
    latency = (time.perf_counter() - started) * 1000
    reply = _shorten(f"{code} {banner}")
    if code != "220":
        return ProbeOutcome(
            False, latency, f"réponse inattendue (attendu : 220) : {reply}"
        )
    return ProbeOutcome(True, latency, f"bannière : {reply}")


async def _greeting(params: FtpParams) -> tuple[str, str]:
    """(reply code, banner text) of the server's greeting."""
    reader, writer = await asyncio.open_connection(params.host, params.port)
    try:
        code, banner = await _read_reply(reader)
        if code == "220":
            writer.write(b"QUIT\r\n")
            await writer.drain()
        return code, banner
    finally:
        writer.close()  # the 221 goodbye is not worth waiting for
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def _read_reply(reader: asyncio.StreamReader) -> tuple[str, str]:
    """Read one reply, possibly multi-line ("220-…" lines, then "220 …").

    Returns its code and the text of its lines joined with " / ".
    """
    code: str | None = None
    texts: list[str] = []
    for _ in range(MAX_GREETING_LINES):
        line = await _read_line(reader, code)
        match = REPLY_LINE.match(line)
        if code is None:
            if match is None:
                raise _NotFtp(f"réponse non FTP : « {_shorten(line)} »")
            code = match.group(1)
        if match is None or match.group(1) != code:
            texts.append(line.strip())  # inside a multi-line reply
            continue
        texts.append((match.group(3) or "").strip())
        if match.group(2) != "-":
            return code, " / ".join(text for text in texts if text)
    raise _NotFtp("bannière FTP interminable")


async def _read_line(reader: asyncio.StreamReader, code: str | None) -> str:
    try:
        raw = await reader.readline()
    except ValueError as exc:  # a line longer than the stream's limit
        raise _NotFtp("réponse non FTP : ligne démesurée") from exc
    if not raw:
        raise _NotFtp(_closed_message(code))
    return _decode(raw)


def _closed_message(code: str | None) -> str:
    if code is None:
        return "connexion fermée sans bannière"
    return f"connexion fermée au milieu de la réponse {code}"


def _decode(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
    return "".join(char if char.isprintable() else " " for char in text)


def _shorten(text: str) -> str:
    text = text.strip()
    if len(text) <= BANNER_LENGTH:
        return text
    return text[: BANNER_LENGTH - 1] + "…"


KIND = ProbeKind(
    name="ftp",
    params=FtpParams,
    probe=probe,
    describe=lambda p: f"{p.host}:{p.port}",
)
