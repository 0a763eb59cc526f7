"""How events, history lines and dead letters are shown: the admin API's answers, the commands' `--json`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    connector_id: int
    source: str
    system: str
    entity: str
    record_id: int
    status: str
    attempts: int
    received_at: datetime
    enqueued_at: datetime | None
    next_attempt_at: datetime | None
    finished_at: datetime | None
    last_error: str | None
    payload: dict[str, Any] | None


class HistoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: int | None
    pair_key: str
    at: datetime
    level: str
    action: str
    message: str
    fix: str | None
    outcome: dict[str, Any] | None = None
    """A processed event's outcome as data (`jobs.outcome.Outcome`): its kind, the writes made with their
    ids, what was left undone with the fix; `message` is its sentence."""


class EventDetail(EventOut):
    history: list[HistoryOut]


class DeadLetterOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: int
    connector_id: int
    created_at: datetime
    attempts: int
    cause: str
    fix: str | None
