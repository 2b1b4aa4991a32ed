"""Real receivers for notification tests: an SMTP server (aiosmtpd) and an HTTP webhook
receiver (aiohttp), each in its own thread, stoppable and restartable on its port."""

from __future__ import annotations

import asyncio
import email
import threading
from email.header import decode_header, make_header

from aiohttp import web
from aiosmtpd.controller import Controller

from tests.e2e.conftest import free_port


class Mailbox:
    """An SMTP server on 127.0.0.1 that keeps (recipient, subject, body) triples."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[tuple[str, str, str]] = []
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        subject = str(make_header(decode_header(message["Subject"])))
        body = _text_of(message)
        for rcpt in envelope.rcpt_tos:
            self.received.append((rcpt, subject, body))
        return "250 OK"

    def url(self, to: str) -> str:
        return (
            f"mailto://127.0.0.1:{self.port}?smtp=127.0.0.1&mode=insecure"
            f"&from=veilleur@example.org&to={to}&user=&pass="
        )

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def _text_of(message: email.message.Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            return payload.decode(part.get_content_charset() or "utf-8")
    return ""


class Webhook:
    """An HTTP server on 127.0.0.1 that keeps the JSON bodies posted to it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[dict] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    async def _take(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append({"path": request.path, **body})
        return web.json_response({"ok": True})

    def start(self) -> None:
        ready = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            app = web.Application()
            app.router.add_post("/{tail:.*}", self._take)
            self._runner = web.AppRunner(
                app, access_log=None
            )  # only Veilleur logs here
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", self.port)
            self._loop.run_until_complete(site.start())
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._runner.cleanup())
            self._loop.close()

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        ready.wait(10)

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = None
