"""Servers the probe tests start themselves, on free ports of 127.0.0.1.

The servers live in an event loop of their own, in a thread, so that each test can
run its probe with a plain `asyncio.run` while the servers keep running.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import socket
import ssl
import threading
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import aiohttp.web
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest
import trustme
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer

from veilleur.probes.base import ProbeContext, ProbeOutcome
from veilleur.probes.kinds import KINDS

T = TypeVar("T")
HOST = "127.0.0.1"
WELCOME = "Bienvenue sur le site de test"
FTP_BANNER = "Veilleur test FTP"
BIG_BODY_MARKER = "MARQUEUR-FINAL"


# --- running probes -------------------------------------------------------------------


RunProbe = Callable[..., ProbeOutcome]


@pytest.fixture
def run_probe() -> RunProbe:
    """Validate params, run one probe in a fresh loop and context, return its outcome.

    `trust` is a trustme CA loaded into the context's default TLS trust store.
    """

    def run(
        kind: str,
        *,
        timeout: float = 3.0,
        trust: trustme.CA | None = None,
        **params: Any,
    ) -> ProbeOutcome:
        probe_kind = KINDS[kind]
        parsed = probe_kind.params(**params)

        async def go() -> ProbeOutcome:
            ctx = ProbeContext()
            if trust is not None:
                trust.configure_trust(ctx.ssl_default)
            try:
                return await probe_kind.probe(parsed, timeout, ctx)
            finally:
                await ctx.close()
                if kind == "http":
                    # Let aiohttp's TLS transports finish closing before asyncio.run
                    # ends the loop (the engine's loop lives on: only tests need it).
                    await asyncio.sleep(0.05)

        return asyncio.run(go())

    return run


# --- the servers' event loop ------------------------------------------------------------


class ServerLoop:
    """An event loop running in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()


@pytest.fixture(scope="session")
def server_loop() -> Iterator[ServerLoop]:
    servers = ServerLoop()
    yield servers
    servers.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    return free_port()


@pytest.fixture
def saturated_port() -> Iterator[int]:
    """A listener whose accept queue is full: new connections hang (Linux)."""
    listener = socket.socket()
    listener.bind((HOST, 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    clients: list[socket.socket] = []
    saturated = False
    for _ in range(16):
        client = socket.socket()
        client.settimeout(0.3)
        clients.append(client)
        try:
            client.connect((HOST, port))
        except TimeoutError:
            saturated = True
            break
    try:
        if not saturated:
            pytest.fail(
                "this system does not leave connections to a full queue hanging: "
                "the timeout tests need a listener that never answers"
            )
        yield port
    finally:
        for client in clients:
            client.close()
        listener.close()


# --- TLS material --------------------------------------------------------------------


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _server_context(
    ca: trustme.CA, *identities: str, not_after: dt.datetime, days_valid: int = 365
) -> ssl.SSLContext:
    certificate = ca.issue_cert(
        *identities,
        not_before=not_after - dt.timedelta(days=days_valid),
        not_after=not_after,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    return context


# --- HTTP and HTTPS ------------------------------------------------------------------


@dataclass
class WebServer:
    http_port: int
    tls_ports: dict[str, int] = field(default_factory=dict)

    def url(self, path: str = "/") -> str:
        return f"http://{HOST}:{self.http_port}{path}"

    def tls_url(self, name: str, path: str = "/", host: str = HOST) -> str:
        return f"https://{host}:{self.tls_ports[name]}{path}"


async def _ok(request: aiohttp.web.Request) -> aiohttp.web.Response:
    return aiohttp.web.Response(text=f"<h1>{WELCOME}</h1>", content_type="text/html")


async def _status(request: aiohttp.web.Request) -> aiohttp.web.Response:
    return aiohttp.web.Response(status=int(request.match_info["code"]), text="statut")


async def _redirect(request: aiohttp.web.Request) -> aiohttp.web.Response:
    raise aiohttp.web.HTTPFound("/ok")


async def _redirect_loop(request: aiohttp.web.Request) -> aiohttp.web.Response:
    raise aiohttp.web.HTTPFound("/loop")


async def _slow(request: aiohttp.web.Request) -> aiohttp.web.Response:
    await asyncio.sleep(10)  # cancelled when the client goes away
    return aiohttp.web.Response(text="trop tard")


async def _big(request: aiohttp.web.Request) -> aiohttp.web.Response:
    # The marker sits beyond the first megabyte, which the probe does not read.
    filler = "x" * (1024 * 1024 + 10)
    return aiohttp.web.Response(text=f"{WELCOME}{filler}{BIG_BODY_MARKER}")


async def _latin1(request: aiohttp.web.Request) -> aiohttp.web.Response:
    return aiohttp.web.Response(
        body="Café crème".encode("latin-1"),
        content_type="text/plain",
        charset="iso-8859-1",
    )


def _web_app() -> aiohttp.web.Application:
    app = aiohttp.web.Application()
    app.router.add_get("/ok", _ok)
    app.router.add_get("/status/{code}", _status)
    app.router.add_get("/redirect", _redirect)
    app.router.add_get("/loop", _redirect_loop)
    app.router.add_get("/slow", _slow)
    app.router.add_get("/big", _big)
    app.router.add_get("/latin1", _latin1)
    return app


def _tls_contexts(ca: trustme.CA) -> dict[str, ssl.SSLContext]:
    now = _now()
    local = ("localhost", HOST)
    return {
        "valid": _server_context(ca, *local, not_after=now + dt.timedelta(days=90)),
        "soon": _server_context(ca, *local, not_after=now + dt.timedelta(days=14)),
        "critical": _server_context(ca, *local, not_after=now + dt.timedelta(days=3)),
        "expired": _server_context(ca, *local, not_after=now - dt.timedelta(days=5)),
        "wrong_host": _server_context(
            ca, "autre.example", not_after=now + dt.timedelta(days=90)
        ),
    }


def _bound_socket() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    return sock


@pytest.fixture(scope="session")
def web(server_loop: ServerLoop, ca: trustme.CA) -> Iterator[WebServer]:
    contexts = _tls_contexts(ca)

    async def start() -> tuple[aiohttp.web.AppRunner, WebServer]:
        runner = aiohttp.web.AppRunner(
            _web_app(), handler_cancellation=True, shutdown_timeout=1
        )
        await runner.setup()
        sock = _bound_socket()
        server = WebServer(http_port=sock.getsockname()[1])
        await aiohttp.web.SockSite(runner, sock).start()
        for name, context in contexts.items():
            sock = _bound_socket()
            server.tls_ports[name] = sock.getsockname()[1]
            await aiohttp.web.SockSite(runner, sock, ssl_context=context).start()
        return runner, server

    runner, server = server_loop.run(start())
    yield server
    server_loop.run(runner.cleanup())


# --- raw TCP servers -----------------------------------------------------------------


BannerServer = Callable[..., int]


@pytest.fixture(scope="session")
def banner_server(server_loop: ServerLoop) -> Iterator[BannerServer]:
    """Start a TCP server that sends `banner` on connection; returns its port.

    With `hang_up`, the server closes right after the banner; otherwise it waits
    for the client to leave. An empty banner makes a silent server.
    """
    servers: list[asyncio.Server] = []

    def start(banner: bytes, *, hang_up: bool = False) -> int:
        async def handle(
            reader: asyncio.StreamReader, writer: asyncio.StreamWriter
        ) -> None:
            try:
                writer.write(banner)
                await writer.drain()
                if not hang_up:
                    while await reader.read(4096):
                        pass
            except OSError:
                pass
            finally:
                writer.close()

        async def listen() -> int:
            server = await asyncio.start_server(handle, HOST, 0)
            servers.append(server)
            port: int = server.sockets[0].getsockname()[1]
            return port

        return server_loop.run(listen())

    yield start

    async def stop_all() -> None:
        for server in servers:
            server.close()

    server_loop.run(stop_all())


# --- DNS -----------------------------------------------------------------------------


DNS_RECORDS: dict[str, dict[str, list[str]]] = {
    "app.test.": {
        "A": ["10.1.2.3", "10.1.2.4"],
        "TXT": ['"v=spf1 -all"'],
        "MX": ["10 mail.app.test."],
        "NS": ["ns1.app.test."],
    },
    "alias.test.": {"CNAME": ["app.test."]},
}


class _DnsProtocol(asyncio.DatagramProtocol):
    """Answers from DNS_RECORDS; NXDOMAIN for unknown names.

    "servfail.test." gets SERVFAIL and "silent.test." no reply at all.
    """

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        request = dns.message.from_wire(data)
        question = request.question[0]
        name = question.name.to_text().lower()
        if name == "silent.test.":
            return
        response = dns.message.make_response(request)
        response.flags |= dns.flags.AA
        if name == "servfail.test.":
            response.set_rcode(dns.rcode.SERVFAIL)
        elif name not in DNS_RECORDS:
            response.set_rcode(dns.rcode.NXDOMAIN)
        else:
            rdtype = dns.rdatatype.to_text(question.rdtype)
            values = DNS_RECORDS[name].get(rdtype)
            if values:
                response.answer.append(
                    dns.rrset.from_text_list(question.name, 300, "IN", rdtype, values)
                )
        self.transport.sendto(response.to_wire(), addr)


@pytest.fixture(scope="session")
def dns_server(server_loop: ServerLoop) -> Iterator[str]:
    """The "ip:port" of the test DNS server."""

    async def start() -> tuple[asyncio.DatagramTransport, int]:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            _DnsProtocol, local_addr=(HOST, 0)
        )
        port: int = transport.get_extra_info("sockname")[1]
        return transport, port

    transport, port = server_loop.run(start())
    yield f"{HOST}:{port}"
    server_loop.loop.call_soon_threadsafe(transport.close)


# --- FTP -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def ftp_server() -> Iterator[int]:
    """pyftpdlib on a free port, in a thread; returns the port."""
    logging.getLogger("pyftpdlib").setLevel(logging.WARNING)

    class Handler(FTPHandler):
        banner = FTP_BANNER
        authorizer = DummyAuthorizer()

    server = FTPServer((HOST, 0), Handler)
    port: int = server.address[1]
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            server.serve_forever(timeout=0.05, blocking=False)
        server.close_all()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield port
    stop.set()
    thread.join(timeout=5)
