"""DNS: a name resolves to a record of the given type, optionally with expected values.

Without `server`, A and AAAA go through the system resolver (getaddrinfo, as every
program on the host would); other types read the system's resolv.conf. With `server`,
the query goes to that DNS server only. NXDOMAIN and empty answers are failures.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import dns.asyncresolver
import dns.exception
import dns.name
import dns.nameserver
import dns.resolver
from pydantic import Field, field_validator

from veilleur.probes.base import (
    ProbeContext,
    ProbeError,
    ProbeKind,
    ProbeOutcome,
    ProbeParams,
)
from veilleur.probes.errors import describe_error

RecordType = Literal["A", "AAAA", "CNAME", "MX", "TXT", "NS"]
SHOWN_VALUES = 5  # values quoted in a message, the rest is elided
SHOWN_LENGTH = 60  # characters of one value quoted in a message


class DnsParams(ProbeParams):
    name: str = Field(min_length=1)
    record: RecordType = "A"
    server: str | None = None  # "ip" or "ip:port" ("[ipv6]:port"); None = system
    expect: tuple[str, ...] | None = Field(default=None, min_length=1)

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        try:
            dns.name.from_text(value)
        except dns.exception.DNSException as exc:
            raise ValueError(f"invalid DNS name: {exc}") from exc
        return value

    @field_validator("record", mode="before")
    @classmethod
    def _upper_record(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("server")
    @classmethod
    def _check_server(cls, value: str | None) -> str | None:
        if value is not None:
            parse_server(value)
        return value


def parse_server(text: str) -> tuple[str, int]:
    """(address, port) from "ip", "ipv4:port" or "[ipv6]:port"; ValueError if bad."""
    try:
        return str(ipaddress.ip_address(text)), 53
    except ValueError:
        pass
    if text.startswith("["):
        address, separator, port = text[1:].partition("]:")
        version = 6
    else:
        address, separator, port = text.rpartition(":")
        version = 4
    if not separator or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(f"expected 'ip' or 'ip:port' for the DNS server, got {text!r}")
    parsed = ipaddress.ip_address(address)  # raises ValueError
    if parsed.version != version:
        raise ValueError(f"write an IPv6 server as '[address]:port', got {text!r}")
    return str(parsed), int(port)


async def probe(params: DnsParams, timeout: float, ctx: ProbeContext) -> ProbeOutcome:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            values = await _lookup(params, timeout)
    except socket.gaierror as exc:
        return ProbeOutcome(False, None, _describe_gai_error(exc, params))
    except (TimeoutError, OSError, UnicodeError, dns.exception.Timeout) as exc:
        return ProbeOutcome(False, None, _describe_failure(exc, timeout))
    except dns.exception.DNSException as exc:
        latency = (time.perf_counter() - started) * 1000
        return ProbeOutcome(False, latency, _describe_dns_error(exc, params, timeout))
    latency = (time.perf_counter() - started) * 1000
    return _judge(params, values, latency)


async def _lookup(params: DnsParams, timeout: float) -> list[str]:
    if params.server is None and params.record in ("A", "AAAA"):
        return await _system_lookup(params.name, params.record)
    return await _dns_lookup(params, timeout)


async def _system_lookup(name: str, record: str) -> list[str]:
    family = socket.AF_INET if record == "A" else socket.AF_INET6
    infos = await asyncio.get_running_loop().getaddrinfo(
        name, None, family=family, type=socket.SOCK_STREAM
    )
    return sorted({str(info[4][0]) for info in infos})


async def _dns_lookup(params: DnsParams, timeout: float) -> list[str]:
    resolver = _resolver(params.server)
    answer = await resolver.resolve(
        dns.name.from_text(params.name), params.record, lifetime=timeout, search=False
    )
    return sorted((_rdata_text(rdata) for rdata in answer), key=_order)


def _order(value: str) -> tuple[int, str]:
    """A stable order for messages; MX by preference ("5 b" before "10 a")."""
    head, _, rest = value.partition(" ")
    if head.isdigit() and rest:
        return int(head), rest
    return 0, value


def _resolver(server: str | None) -> dns.asyncresolver.Resolver:
    if server is None:
        try:
            return dns.asyncresolver.Resolver()
        except dns.resolver.NoResolverConfiguration as exc:
            raise ProbeError("configuration DNS du système illisible") from exc
    resolver = dns.asyncresolver.Resolver(configure=False)
    address, port = parse_server(server)
    resolver.nameservers = [dns.nameserver.Do53Nameserver(address, port)]
    return resolver


def _rdata_text(rdata: Any) -> str:
    """One answer as people write it: "10.0.0.1", "10 mail.example.org", "v=spf1"."""
    if hasattr(rdata, "address"):
        return str(rdata.address)
    if hasattr(rdata, "exchange"):
        return f"{rdata.preference} {rdata.exchange.to_text(omit_final_dot=True)}"
    if hasattr(rdata, "target"):
        return str(rdata.target.to_text(omit_final_dot=True))
    if hasattr(rdata, "strings"):
        return b"".join(rdata.strings).decode("utf-8", errors="replace")
    return str(rdata.to_text())


def _judge(params: DnsParams, values: Sequence[str], latency: float) -> ProbeOutcome:
    if not values:
        return ProbeOutcome(False, latency, _no_answer(params.record))
    missing = _missing(params.record, params.expect or (), values)
    received = _quote_values(values)
    if missing:
        quoted = ", ".join(f"« {value} »" for value in missing)
        label = "valeur attendue absente"
        if len(missing) > 1:
            label = "valeurs attendues absentes"
        return ProbeOutcome(False, latency, f"{label} : {quoted} (reçu : {received})")
    return ProbeOutcome(True, latency, f"{params.record} : {received}")


def _missing(record: str, expected: Iterable[str], values: Sequence[str]) -> list[str]:
    present: set[str] = set()
    for value in values:
        present.update(_forms(record, value))
    return [item for item in expected if _normalize(record, item) not in present]


def _forms(record: str, value: str) -> set[str]:
    """The spellings of an answer that an expected value may use."""
    forms = {_normalize(record, value)}
    if record == "MX":  # "10 mail.example.org" also matches "mail.example.org"
        forms.add(_normalize(record, value.split()[-1]))
    return forms


def _normalize(record: str, value: str) -> str:
    value = value.strip()
    if record in ("A", "AAAA"):
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            return value
    if record == "TXT":
        return value
    return " ".join(value.lower().rstrip(".").split())


def _quote_values(values: Sequence[str]) -> str:
    shown = [_shorten(value) for value in values[:SHOWN_VALUES]]
    more = len(values) - SHOWN_VALUES
    return ", ".join(shown) + (f" (+{more})" if more > 0 else "")


def _shorten(value: str) -> str:
    if len(value) <= SHOWN_LENGTH:
        return value
    return value[: SHOWN_LENGTH - 1] + "…"


def _no_answer(record: str) -> str:
    return f"aucun enregistrement {record} pour ce nom"


def _describe_failure(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, dns.exception.Timeout):
        return describe_error(TimeoutError(), timeout)
    return describe_error(exc, timeout)


def _describe_gai_error(exc: socket.gaierror, params: DnsParams) -> str:
    if exc.errno == socket.EAI_NONAME:
        return "nom inexistant"
    if exc.errno == getattr(socket, "EAI_NODATA", None):
        return _no_answer(params.record)
    if exc.errno == socket.EAI_AGAIN:
        return "résolution impossible pour l'instant (serveur DNS injoignable ?)"
    return f"échec de la résolution : {exc.strerror or exc}"


def _describe_dns_error(
    exc: dns.exception.DNSException, params: DnsParams, timeout: float
) -> str:
    if isinstance(exc, dns.resolver.NXDOMAIN):
        return "nom inexistant (NXDOMAIN)"
    if isinstance(exc, dns.resolver.NoAnswer):
        return _no_answer(params.record)
    if isinstance(exc, dns.resolver.NoNameservers):
        return f"serveur DNS en échec : {_last_server_error(exc, timeout)}"
    return f"réponse DNS en erreur : {exc}"


def _last_server_error(exc: dns.resolver.NoNameservers, timeout: float) -> str:
    """What the last server tried said: an rcode (SERVFAIL, REFUSED) or an error."""
    errors = exc.kwargs.get("errors") or []
    if not errors:
        return "aucune réponse exploitable"
    cause = errors[-1][3]
    if isinstance(cause, BaseException):
        return _describe_failure(cause, timeout)
    return str(cause)


def _describe(params: DnsParams) -> str:
    text = f"{params.name} {params.record}"
    return f"{text} @{params.server}" if params.server else text


KIND = ProbeKind(
    name="dns",
    params=DnsParams,
    probe=probe,
    describe=_describe,
)
