"""Events, their stories, dead letters, and replay."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query

from fieldbridge.jobs import intake
from fieldbridge.store import connectors, dead_letters, history, inbox, processing
from fieldbridge.store.columns import Fits
from fieldbridge.store.inbox import EventStatus
from fieldbridge.store.tables import DeadLetter, InboxEvent
from fieldbridge.store.views import DeadLetterOut, EventDetail, EventOut, HistoryOut
from fieldbridge.web.deps import AdminDep, Broker, BrokerDep, current_admin, utcnow

router = APIRouter(prefix="/v1/admin", tags=["events"], dependencies=[Depends(current_admin)])

EventId = Annotated[int, Fits(InboxEvent.id, minimum=1)]
LetterId = Annotated[int, Fits(DeadLetter.id, minimum=1)]


def _connector_id(broker: Broker, name: str | None) -> int | None:
    if name is None:
        return None
    with broker.db.read() as session:
        connector = connectors.get(session, name)
    if connector is None:
        raise HTTPException(404, f"There is no connector named {name!r}.")
    return connector.id


@router.get("/events")
def list_events(
    broker: BrokerDep,
    connector: str | None = None,
    status: EventStatus | None = None,
    before_id: EventId | None = None,
    limit: int = Query(50, ge=1, le=500),
) -> list[EventOut]:
    """Newest first; for the next page pass the last id you got as `before_id`."""
    connector_id = _connector_id(broker, connector)
    with broker.db.read() as session:
        events = inbox.page(
            session, connector_id=connector_id, status=status, before_id=before_id, limit=limit
        )
        return [EventOut.model_validate(event) for event in events]


@router.get("/events/{event_id}", responses={404: {}})
def show_event(event_id: EventId, broker: BrokerDep) -> EventDetail:
    with broker.db.read() as session:
        event = inbox.get(session, event_id)
        if event is None:
            raise HTTPException(404, f"There is no event {event_id}.")
        lines = [HistoryOut.model_validate(line) for line in history.for_event(session, event_id)]
        return EventDetail(**EventOut.model_validate(event).model_dump(), history=lines)


@router.post("/events/{event_id}/replay", responses={404: {}, 409: {}})
def replay_event(event_id: EventId, user: AdminDep, broker: BrokerDep) -> EventOut:
    try:
        event = intake.replay(broker.db, broker.queue, event_id, user.username, utcnow())
    except LookupError:
        raise HTTPException(404, f"There is no event {event_id}.") from None
    except processing.NotReplayable as refusal:
        raise HTTPException(409, str(refusal)) from None
    return EventOut.model_validate(event)


@router.get("/dead-letters")
def list_dead_letters(
    broker: BrokerDep,
    connector: str | None = None,
    before_id: LetterId | None = None,
    limit: int = Query(50, ge=1, le=500),
) -> list[DeadLetterOut]:
    """Dead letters not yet replayed, newest first; for the next page pass the last id you got as
    `before_id`."""
    connector_id = _connector_id(broker, connector)
    with broker.db.read() as session:
        letters = dead_letters.page(session, connector_id, before_id, size=limit)
        return [DeadLetterOut.model_validate(letter) for letter in letters]
