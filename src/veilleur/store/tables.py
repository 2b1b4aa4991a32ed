"""The tables. Instants are stored as UTC; see `UTCDateTime`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, whatever the engine keeps.

    SQLite has no time zone type: it gets naive UTC. A naive value handed in is a
    programming error, refused here rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class CheckRow(Base):
    """A check as last configured, with its current state and last probe."""

    __tablename__ = "checks"

    id: Mapped[str] = mapped_column(String(400), primary_key=True)
    platform: Mapped[str] = mapped_column(String(100), index=True)
    environment: Mapped[str] = mapped_column(String(100))
    host: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(500))
    interval_s: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when the check left the inventory; its history is kept.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    state: Mapped[str] = mapped_column(String(10), default="unknown")
    state_since: Mapped[datetime] = mapped_column(UTCDateTime)
    last_probe_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_ok: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    last_latency_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_warning: Mapped[bool] = mapped_column(Boolean, default=False)


class StateChangeRow(Base):
    __tablename__ = "state_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    check_id: Mapped[str] = mapped_column(ForeignKey("checks.id", ondelete="CASCADE"))
    # Where the probe ran from; one location ("local") today, several later.
    location: Mapped[str] = mapped_column(String(50), default="local")
    at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the new state began
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    from_state: Mapped[str] = mapped_column(String(10))
    to_state: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_state_changes_check_at", "check_id", "at"),)


class LatencyBucketRow(Base):
    """Probe counts and latency of one check over one span (an hour), not per probe."""

    __tablename__ = "latency_buckets"

    check_id: Mapped[str] = mapped_column(
        ForeignKey("checks.id", ondelete="CASCADE"), primary_key=True
    )
    location: Mapped[str] = mapped_column(String(50), primary_key=True)
    start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    span_s: Mapped[int] = mapped_column(Integer)
    probes: Mapped[int] = mapped_column(Integer)
    failures: Mapped[int] = mapped_column(Integer)
    # Sum, min and max over the probes that got an answer (milliseconds).
    answered: Mapped[int] = mapped_column(Integer)
    latency_sum_ms: Mapped[float] = mapped_column(Float)
    latency_min_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    latency_max_ms: Mapped[float | None] = mapped_column(Float, nullable=True)


class IncidentRow(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    check_id: Mapped[str] = mapped_column(ForeignKey("checks.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))  # open, resolved, closed
    title: Mapped[str] = mapped_column(Text)
    check: Mapped[CheckRow | None] = relationship(viewonly=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)  # first failed probe
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)  # confirmed: clocks start
    # Service back: the check came UP, or a person marked it restored (GTR stops).
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    scope_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # Whether the provider was on duty when the incident opened (the alert chain then
    # informs the client's team and IT department, at opening and at closing).
    out_of_hours: Mapped[bool] = mapped_column(Boolean, default=False)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    restored_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    gti_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    gtr_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # running, met, breached, handed_over (to the client's team: no longer the
    # provider's clock) or none (the incident is in no scope)
    gti_status: Mapped[str] = mapped_column(String(20), default="running")
    gtr_status: Mapped[str] = mapped_column(String(20), default="running")
    gti_warned: Mapped[bool] = mapped_column(Boolean, default=False)
    gtr_warned: Mapped[bool] = mapped_column(Boolean, default=False)
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    cause: Mapped[str | None] = mapped_column(Text, nullable=True)
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
    procedure: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (
        # Never two open incidents for one check, whatever the code path.
        Index(
            "ux_incidents_one_open_per_check",
            "check_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_incidents_status_opened", "status", "opened_at"),
    )


class IncidentEventRow(Base):
    """One line of an incident's timeline."""

    __tablename__ = "incident_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(30))  # opened, state, note, resolved
    message: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200), default="veilleur")


class NotificationRow(Base):
    """One message to send: the outbox, written in the transaction that causes it.

    `key` makes enqueuing idempotent: a clock tick that runs twice, or after a restart,
    finds the message already there and adds nothing.
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), nullable=True, index=True
    )
    contact_id: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(Text)  # apprise URL with {env:NAME} unresolved
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # sent, dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ix_notifications_due", "status", "next_attempt_at"),)


class AdhocDayRow(Base):
    """An ad-hoc coverage day asked for at run time (journée ponctuelle)."""

    __tablename__ = "adhoc_days"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope_id: Mapped[str] = mapped_column(String(100))
    day: Mapped[date] = mapped_column(Date)  # local day of the scope's zone
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requested_by: Mapped[str] = mapped_column(String(200))
    # Accepted although asked less than 72 h ahead; `reason` says why it was allowed.
    override: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ux_adhoc_days_scope_day", "scope_id", "day", unique=True),)
