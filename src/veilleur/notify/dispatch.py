"""The dispatcher: sends what waits in the outbox, in order, retrying with backoff.

Each round reads the pending rows in the order they were written. Messages to one
channel leave in that order: while an earlier message to a channel waits for a retry,
later ones to the same channel wait too, so an on-call phone never reads "restored"
before "opened". A failed send is retried after 10 s, then twice as long each time, up
to 5 minutes between tries, for 24 hours; after that the row is marked dead and an
ERROR is logged.

Exactly once. A row is marked sent in its own transaction right after the channel
accepted it. A crash between the two (a few milliseconds) would send that one message
again after the restart: at least once, never lost, duplicates limited to that window.
A restart otherwise resumes with the rows still pending, none sent twice.

Secrets. A channel URL keeps ``{env:NAME}`` in the database; the value is read from the
environment only to send, and never appears in logs or in `last_error`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from prometheus_client import Counter
from sqlalchemy import select

from veilleur.inventory.scopes import ENV_PATTERN
from veilleur.store import Database
from veilleur.store.tables import NotificationRow

log = logging.getLogger(__name__)

SENT = Counter("veilleur_notifications", "Notifications sent or failed", ["result"])
FIRST_RETRY_S, MAX_RETRY_S = 10.0, 300.0
GIVE_UP_AFTER = timedelta(hours=24)
BATCH = 200


class SendError(Exception):
    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


Sender = Callable[[str, str, str], Awaitable[None]]


class _Redact(logging.Filter):
    """Masks the secrets put into channel URLs in what apprise logs.

    Important: apprise and urllib3 log URLs at DEBUG, and a URL may hold a resolved
    secret (a token in a webhook's path); this filter sits on the loggers that see
    them and replaces every secret value read so far with "***" before the record is
    written anywhere.
    """

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            text = record.getMessage()
            for secret in self.secrets:
                text = text.replace(secret, "***")
            record.msg, record.args = text, ()
        return True


REDACT = _Redact()
for _name in ("apprise", "urllib3.connectionpool"):
    logging.getLogger(_name).addFilter(REDACT)


def resolve_secrets(url: str, environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in env:
            raise SendError(f"variable d'environnement {name} absente")
        if env[name]:
            REDACT.secrets.add(env[name])
        return env[name]

    return ENV_PATTERN.sub(value, url)


async def apprise_send(url: str, subject: str, body: str) -> None:
    """Send through apprise; its errors become `SendError`."""
    import apprise

    sender = apprise.Apprise()
    if not sender.add(url):
        raise SendError("URL de canal non reconnue par apprise", permanent=True)
    if not await sender.async_notify(body=body, title=subject):
        raise SendError("le canal a refusé le message ou n'a pas répondu")


def backoff(attempts: int) -> float:
    """Seconds before try number `attempts + 1`."""
    return float(min(MAX_RETRY_S, FIRST_RETRY_S * 2 ** max(0, attempts - 1)))


class Dispatcher:
    def __init__(
        self,
        db: Database,
        send: Sender = apprise_send,
        clock: Callable[[], datetime] | None = None,
        every: float = 1.0,
    ) -> None:
        from veilleur.probes.engine import utcnow

        self.db = db
        self.send = send
        self.clock = clock or utcnow
        self.every = every

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.round()
            except Exception:
                log.exception("notification round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.every)

    async def round(self) -> int:
        """Send what is due now; return how many were sent."""
        rows = await asyncio.to_thread(self._pending)
        now = self.clock()
        waiting: set[str] = set()
        sent = 0
        for row in rows:
            if row.channel in waiting:
                continue
            if row.next_attempt_at > now:
                waiting.add(row.channel)
                continue
            try:
                await self.send(resolve_secrets(row.channel), row.subject, row.body)
            except SendError as exc:
                if not exc.permanent:
                    waiting.add(row.channel)  # what follows waits for this one
                await asyncio.to_thread(self._failed, row.id, str(exc), exc.permanent)
                continue
            except Exception:
                log.exception("sending notification %d crashed", row.id)
                waiting.add(row.channel)
                await asyncio.to_thread(self._failed, row.id, "erreur interne", False)
                continue
            await asyncio.to_thread(self._sent, row.id)
            sent += 1
        return sent

    def _pending(self) -> list[NotificationRow]:
        with self.db.session() as session:
            query = (
                select(NotificationRow)
                .where(NotificationRow.status == "pending")
                .order_by(NotificationRow.id)
                .limit(BATCH)
            )
            return list(session.scalars(query))

    def _sent(self, row_id: int) -> None:
        with self.db.session() as session:
            row = session.get(NotificationRow, row_id)
            if row is not None:
                row.status = "sent"
                row.sent_at = self.clock()
                row.attempts += 1
        SENT.labels("sent").inc()

    def _failed(self, row_id: int, error: str, permanent: bool) -> None:
        now = self.clock()
        with self.db.session() as session:
            row = session.get(NotificationRow, row_id)
            if row is None:
                return
            row.attempts += 1
            row.last_error = error
            if permanent or now - row.created_at >= GIVE_UP_AFTER:
                row.status = "dead"
                log.error(
                    "notification %d to contact %s abandoned after %d tries: %s",
                    row.id, row.contact_id, row.attempts, error,
                )  # fmt: skip
            else:
                row.next_attempt_at = now + timedelta(seconds=backoff(row.attempts))
                log.warning(
                    "notification %d to contact %s failed (try %d): %s",
                    row.id, row.contact_id, row.attempts, error,
                )  # fmt: skip
        SENT.labels("failed").inc()
