"""TCP connect: the port accepts a connection within the timeout."""

from __future__ import annotations

import asyncio
import contextlib
import time

from pydantic import Field

from veilleur.probes.base import ProbeContext, ProbeKind, ProbeOutcome, ProbeParams
from veilleur.probes.errors import describe_error


class TcpParams(ProbeParams):
    host: str = Field(min_length=1)
    port: int = Field(ge=1, le=65535)


async def probe(params: TcpParams, timeout: float, ctx: ProbeContext) -> ProbeOutcome:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            _, writer = await asyncio.open_connection(params.host, params.port)
    except (OSError, TimeoutError, UnicodeError) as exc:  # UnicodeError: bad name
        return ProbeOutcome(False, None, describe_error(exc, timeout))
    latency = (time.perf_counter() - started) * 1000
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return ProbeOutcome(True, latency, "connexion acceptée")


KIND = ProbeKind(
    name="tcp",
    params=TcpParams,
    probe=probe,
    describe=lambda p: f"{p.host}:{p.port}",
)
