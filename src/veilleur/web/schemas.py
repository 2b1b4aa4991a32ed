"""Shapes of the API's answers and bodies; they make the OpenAPI document."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from veilleur.store.tables import (
    CheckRow,
    IncidentEventRow,
    IncidentRow,
    LatencyBucketRow,
    NotificationRow,
    StateChangeRow,
)


class ErrorOut(BaseModel):
    error: str = Field(description="Why the request failed, in French")


class LastProbe(BaseModel):
    at: datetime
    ok: bool | None
    latency_ms: float | None
    message: str | None
    warning: bool


class CheckOut(BaseModel):
    id: str
    platform: str
    environment: str
    host: str
    name: str
    kind: str
    target: str
    interval_s: float
    state: str = Field(description="up, down or unknown")
    state_since: datetime
    last_probe: LastProbe | None

    @classmethod
    def of(cls, row: CheckRow) -> CheckOut:
        last = None
        if row.last_probe_at is not None:
            last = LastProbe(
                at=row.last_probe_at,
                ok=row.last_ok,
                latency_ms=row.last_latency_ms,
                message=row.last_message,
                warning=row.last_warning,
            )
        return cls(
            id=row.id,
            platform=row.platform,
            environment=row.environment,
            host=row.host,
            name=row.name,
            kind=row.kind,
            target=row.target,
            interval_s=row.interval_s,
            state=row.state,
            state_since=row.state_since,
            last_probe=last,
        )


class Page(BaseModel):
    total: int
    limit: int
    offset: int


class CheckPage(Page):
    items: list[CheckOut]


class StateChangeOut(BaseModel):
    at: datetime = Field(description="When the new state began (first probe of it)")
    detected_at: datetime = Field(description="When the change was confirmed")
    from_state: str
    to_state: str
    reason: str
    location: str

    @classmethod
    def of(cls, row: StateChangeRow) -> StateChangeOut:
        return cls(
            at=row.at,
            detected_at=row.detected_at,
            from_state=row.from_state,
            to_state=row.to_state,
            reason=row.reason,
            location=row.location,
        )


class BucketOut(BaseModel):
    start: datetime
    span_s: int
    probes: int
    failures: int
    latency_avg_ms: float | None
    latency_min_ms: float | None
    latency_max_ms: float | None

    @classmethod
    def of(cls, row: LatencyBucketRow) -> BucketOut:
        average = row.latency_sum_ms / row.answered if row.answered else None
        return cls(
            start=row.start,
            span_s=row.span_s,
            probes=row.probes,
            failures=row.failures,
            latency_avg_ms=average,
            latency_min_ms=row.latency_min_ms,
            latency_max_ms=row.latency_max_ms,
        )


class StateTimesOut(BaseModel):
    up_s: float
    down_s: float
    unknown_s: float
    availability: float | None = Field(
        description="up / (up + down) over the period; null with no observed time"
    )


class HistoryOut(BaseModel):
    check_id: str
    since: datetime
    until: datetime
    changes: list[StateChangeOut]
    buckets: list[BucketOut]
    time_in_states: StateTimesOut


class EventOut(BaseModel):
    at: datetime
    kind: str
    message: str
    actor: str

    @classmethod
    def of(cls, row: IncidentEventRow) -> EventOut:
        return cls(at=row.at, kind=row.kind, message=row.message, actor=row.actor)


class ClockOut(BaseModel):
    due_at: datetime | None
    status: str = Field(
        description="running, met, breached, handed_over, or none (no scope)"
    )


class NotificationOut(BaseModel):
    contact_id: str
    subject: str
    status: str = Field(description="pending, sent or dead")
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None

    @classmethod
    def of(cls, row: NotificationRow) -> NotificationOut:
        return cls(
            contact_id=row.contact_id,
            subject=row.subject,
            status=row.status,
            attempts=row.attempts,
            created_at=row.created_at,
            sent_at=row.sent_at,
            last_error=row.last_error,
        )


class IncidentOut(BaseModel):
    id: int
    check_id: str
    status: str = Field(description="open, resolved (service restored) or closed")
    title: str
    scope_id: str | None
    out_of_hours: bool = Field(description="Raised while the provider was on duty")
    started_at: datetime = Field(description="First failed probe")
    opened_at: datetime = Field(description="When the failure was confirmed")
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None = Field(description="Service restored")
    restored_by: str | None
    handed_over_at: datetime | None
    closed_at: datetime | None
    closed_by: str | None
    cause: str | None
    resolution: str | None
    procedure: str | None
    gti: ClockOut
    gtr: ClockOut
    timeline: list[EventOut] | None = None
    notifications: list[NotificationOut] | None = None

    @classmethod
    def of(
        cls,
        row: IncidentRow,
        events: list[IncidentEventRow] | None = None,
        notifications: list[NotificationRow] | None = None,
    ) -> IncidentOut:
        return cls(
            id=row.id,
            check_id=row.check_id,
            status=row.status,
            title=row.title,
            scope_id=row.scope_id,
            out_of_hours=row.out_of_hours,
            started_at=row.started_at,
            opened_at=row.opened_at,
            acknowledged_at=row.acknowledged_at,
            acknowledged_by=row.acknowledged_by,
            resolved_at=row.resolved_at,
            restored_by=row.restored_by,
            handed_over_at=row.handed_over_at,
            closed_at=row.closed_at,
            closed_by=row.closed_by,
            cause=row.cause,
            resolution=row.resolution,
            procedure=row.procedure,
            gti=ClockOut(due_at=row.gti_due_at, status=row.gti_status),
            gtr=ClockOut(due_at=row.gtr_due_at, status=row.gtr_status),
            timeline=None if events is None else [EventOut.of(e) for e in events],
            notifications=None
            if notifications is None
            else [NotificationOut.of(n) for n in notifications],
        )


class IncidentPage(Page):
    items: list[IncidentOut]


def _readable(value: str) -> str:
    """No NUL (PostgreSQL cannot store it) and at least one visible character."""
    if "\x00" in value:
        raise ValueError("caractère nul interdit")
    if not any(c.isprintable() and unicodedata.category(c)[0] in "LNPS" for c in value):
        raise ValueError("texte vide")
    return value


def _plausible_day(value: date) -> date:
    if not 2000 <= value.year <= 2100:
        raise ValueError("jour entre 2000 et 2100 attendu")
    return value


Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=10000),
    AfterValidator(_readable),
]
Author = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_readable),
]
OptionalText = Annotated[
    str, StringConstraints(max_length=1000), AfterValidator(_readable)
]


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Text
    author: Author


class ActorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    author: Author


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    author: Author
    cause: Text = Field(description="Cause of the incident (mandatory)")
    resolution: Text = Field(description="What restored the service (mandatory)")
    procedure: OptionalText | None = Field(
        default=None, description="Intervention procedure followed"
    )


class AdhocDayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: Annotated[date, AfterValidator(_plausible_day)] = Field(
        description="Local day of the scope's zone, e.g. 2026-12-09"
    )
    author: Author
    override: bool = Field(
        default=False, description="Accept although asked less than 72 h ahead"
    )
    reason: OptionalText | None = Field(
        default=None, description="Why, mandatory with override"
    )


class AdhocDayOut(BaseModel):
    day: date
    requested_at: datetime
    requested_by: str
    override: bool
    reason: str | None


class DutyOut(BaseModel):
    scope_id: str
    at: datetime
    on_duty: str = Field(description="provider or client")
    reason: str = Field(
        description="business_hours, night, weekend, holiday, closure or adhoc"
    )
    label: str = Field(description="In French, e.g. « jour férié : Noël »")
    since: datetime
    until: datetime
    next_change: datetime | None = Field(
        description="Next change of who is on duty; null when it never changes"
    )


class DueOut(BaseModel):
    scope_id: str
    start: datetime
    hours: float
    counting: str
    due_at: datetime


class ScopeOut(BaseModel):
    id: str
    name: str
    members: list[str]
    zone: str
    gti_hours: float
    gtr_hours: float
    counting: str
    now: DutyOut


class Tile(BaseModel):
    platform: str
    environment: str
    counts: dict[str, int]
    total: int


class HealthOut(BaseModel):
    status: str
    database: str
    checks: int
