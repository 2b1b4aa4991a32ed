"""Shapes of the API's answers and bodies; they make the OpenAPI document."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from veilleur.store.tables import (
    CheckRow,
    IncidentEventRow,
    IncidentRow,
    LatencyBucketRow,
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


class IncidentOut(BaseModel):
    id: int
    check_id: str
    status: str = Field(description="open or resolved")
    title: str
    started_at: datetime = Field(description="First failed probe")
    opened_at: datetime = Field(description="When the failure was confirmed")
    resolved_at: datetime | None
    timeline: list[EventOut] | None = None

    @classmethod
    def of(
        cls, row: IncidentRow, events: list[IncidentEventRow] | None = None
    ) -> IncidentOut:
        return cls(
            id=row.id,
            check_id=row.check_id,
            status=row.status,
            title=row.title,
            started_at=row.started_at,
            opened_at=row.opened_at,
            resolved_at=row.resolved_at,
            timeline=None if events is None else [EventOut.of(e) for e in events],
        )


class IncidentPage(Page):
    items: list[IncidentOut]


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=10000)
    author: str = Field(min_length=1, max_length=200)


class Tile(BaseModel):
    platform: str
    environment: str
    counts: dict[str, int]
    total: int


class HealthOut(BaseModel):
    status: str
    database: str
    checks: int
