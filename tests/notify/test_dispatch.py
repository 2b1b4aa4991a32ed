"""The dispatcher against a real SMTP server and a real webhook receiver: order, retries
while a channel is down, and a restart that sends what was pending exactly once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import at
from tests.incidents.contract_fixture import PORTAL_ID, make_contract
from tests.notify.servers import Mailbox, Webhook
from veilleur.notify.dispatch import Dispatcher, SendError, backoff, resolve_secrets
from veilleur.states import State, StateChange
from veilleur.store.recorder import Recorder
from veilleur.store.tables import NotificationRow


@pytest.fixture
def mailbox():
    box = Mailbox()
    box.start()
    yield box
    box.stop()


@pytest.fixture
def webhook():
    hook = Webhook()
    hook.start()
    yield hook
    hook.stop()


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def outage(db, contract, opened="2026-12-04 17:00"):
    recorder = Recorder(db, contract)
    recorder.sync_checks(contract.inventory.checks, at("2026-12-01 00:00"))
    start = at(opened) - timedelta(minutes=2)
    recorder.record_change(
        PORTAL_ID, StateChange(State.UP, State.DOWN, start, at(opened), "refusée")
    )
    recorder.record_change(
        PORTAL_ID,
        StateChange(State.DOWN, State.UP, at(opened) + timedelta(minutes=10),
                    at(opened) + timedelta(minutes=11), "acceptée"),
    )  # fmt: skip


def statuses(db):
    with db.session() as s:
        return [
            (n.contact_id, n.status, n.attempts)
            for n in s.scalars(select(NotificationRow).order_by(NotificationRow.id))
        ]


def test_the_chain_reaches_email_and_webhook_in_order(db, mailbox, webhook):
    contract = make_contract(
        oncall=mailbox.url("astreinte@example.org"),
        ops=webhook.url("exploitation"),
        dsi=mailbox.url("dsi@example.org"),
    )
    outage(db, contract)
    clock = Clock(at("2026-12-04 17:12"))
    assert asyncio.run(Dispatcher(db, clock=clock).round()) == 6

    on_call = [
        subject for to, subject, _ in mailbox.received if to.startswith("astreinte")
    ]
    assert on_call == [
        "[Veilleur] Incident n° 1 ouvert — portal indisponible sur proxy (esidoc prod)",
        "[Veilleur] Incident n° 1 — service rétabli — portal indisponible sur proxy "
        "(esidoc prod)",
    ]
    [opened_mail] = [
        b for to, s, b in mailbox.received if to.startswith("dsi") and "ouvert" in s
    ]
    # Opened Friday 17:00 UTC = 18:00 Paris; GTI due 20:00 Paris.
    assert "À prendre en charge avant le 4 décembre 2026 à 20:00 (GTI)." in opened_mail
    assert [m["path"] for m in webhook.received] == ["/exploitation", "/exploitation"]
    assert "ouvert" in webhook.received[0]["title"]
    assert {status for _, status, _ in statuses(db)} == {"sent"}


def test_messages_wait_while_smtp_is_down_and_arrive_once_when_it_returns(db, mailbox):
    contract = make_contract(
        oncall=mailbox.url("astreinte@example.org"),
        ops=mailbox.url("exploitation@example.org"),
        dsi=mailbox.url("dsi@example.org"),
    )
    outage(db, contract)
    mailbox.stop()
    clock = Clock(at("2026-12-04 17:12"))
    dispatcher = Dispatcher(db, clock=clock)

    assert asyncio.run(dispatcher.round()) == 0
    # Each channel tried once; the later message on each channel waits behind it.
    assert sorted(statuses(db)) == sorted(
        [("astreinte", "pending", 1), ("exploitation", "pending", 1),
         ("dsi", "pending", 1), ("astreinte", "pending", 0),
         ("exploitation", "pending", 0), ("dsi", "pending", 0)]
    )  # fmt: skip
    clock.now += timedelta(seconds=5)  # before the first retry (10 s): nothing tried
    assert asyncio.run(dispatcher.round()) == 0
    assert sum(a for *_, a in statuses(db)) == 3

    mailbox.start()
    clock.now += timedelta(hours=1)
    # A new dispatcher, as after a restart of the service.
    assert asyncio.run(Dispatcher(db, clock=clock).round()) == 6
    assert asyncio.run(Dispatcher(db, clock=clock).round()) == 0
    assert len(mailbox.received) == 6
    subjects = [s for to, s, _ in mailbox.received if to.startswith("astreinte")]
    assert ["ouvert" in subjects[0], "rétabli" in subjects[1]] == [True, True]


def test_a_channel_apprise_cannot_read_is_given_up_at_once(db):
    contract = make_contract(oncall="nosuchscheme://somewhere")
    outage(db, contract)
    asyncio.run(Dispatcher(db, clock=Clock(at("2026-12-04 17:12"))).round())
    with db.session() as s:
        dead = s.scalars(
            select(NotificationRow).where(NotificationRow.contact_id == "astreinte")
        ).all()
    assert {n.status for n in dead} == {"dead"}
    assert dead[0].last_error == "URL de canal non reconnue par apprise"


def test_secrets_are_read_from_the_environment_only_to_send():
    url = "mailto://u:{env:SMTP_PASSWORD}@127.0.0.1"
    assert (
        resolve_secrets(url, {"SMTP_PASSWORD": "s3cr3t"})
        == "mailto://u:s3cr3t@127.0.0.1"
    )
    with pytest.raises(SendError, match="SMTP_PASSWORD absente"):
        resolve_secrets(url, {})


def test_retries_back_off_up_to_five_minutes():
    assert [backoff(n) for n in (1, 2, 3, 4, 5, 6, 10)] == [
        10,
        20,
        40,
        80,
        160,
        300,
        300,
    ]


def test_a_secret_in_a_channel_url_never_reaches_the_logs(
    db, caplog, monkeypatch, webhook
):
    monkeypatch.setenv("HOOK_TOKEN", "tr3s-secret-value")
    # At DEBUG, the HTTP library logs each request's path, token included.
    contract = make_contract(oncall=webhook.url("hook/{env:HOOK_TOKEN}"))
    outage(db, contract)
    with caplog.at_level("DEBUG"):
        asyncio.run(Dispatcher(db, clock=Clock(at("2026-12-04 17:12"))).round())
    assert webhook.received[0]["path"] == "/hook/tr3s-secret-value"
    assert "POST /hook/*** HTTP/1.1" in caplog.text
    assert "tr3s-secret-value" not in caplog.text
    with db.session() as s:
        stored = s.scalars(select(NotificationRow.channel)).all()
    assert all("tr3s-secret-value" not in c for c in stored)
