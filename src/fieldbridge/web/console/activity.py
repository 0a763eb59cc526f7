"""Activity: the pairs (searchable), a pair's history in plain language with a re-sync button, and the
events with filters (connector, state, time), each with its story and, once finished, a replay button."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from fieldbridge.jobs import hints, intake
from fieldbridge.store import connectors, history, inbox, links, processing
from fieldbridge.store.columns import Fits
from fieldbridge.store.inbox import EventStatus
from fieldbridge.store.tables import Connector, InboxEvent
from fieldbridge.web.console import pair_list
from fieldbridge.web.console.pages import PageError, redirect, render
from fieldbridge.web.console.security import CheckedForm, ConsoleAdmin
from fieldbridge.web.deps import Broker, BrokerDep, utcnow

router = APIRouter(include_in_schema=False)

RecordId = Annotated[int, Fits(InboxEvent.record_id, minimum=1)]
EventId = Annotated[int, Fits(InboxEvent.id, minimum=1)]
SINCE = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7)}
EVENTS_PAGE = 50


def connector_names(session: Session) -> list[str]:
    return [connector.name for connector in connectors.list_all(session)]


def named(session: Session, name: str) -> Connector:
    connector = connectors.get(session, name)
    if connector is None:
        raise PageError(404, f"There is no connector named {name!r}.")
    return connector


@router.get("/activity")
def pairs(
    request: Request,
    admin: ConsoleAdmin,
    broker: BrokerDep,
    connector: str = "",
    q: Annotated[str, Query(max_length=200)] = "",
    before: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    with broker.db.read() as session:
        rows = pair_list.search(session, connector or None, q, before)
        names = connector_names(session)
    more = len(rows) > pair_list.PAGE_SIZE
    return render(
        request,
        "pairs.html",
        admin,
        rows=rows[: pair_list.PAGE_SIZE],
        next_before=rows[pair_list.PAGE_SIZE - 1].link_id if more else None,
        names=names,
        connector=connector,
        q=q,
    )


@router.get("/activity/{name}/{entity}/{ticket_id}")
def pair(
    request: Request,
    admin: ConsoleAdmin,
    broker: BrokerDep,
    name: str,
    entity: Annotated[str, Path(max_length=32)],
    ticket_id: RecordId,
    resynced: Annotated[int, Query(ge=0, le=2)] = 0,
) -> HTMLResponse:
    """A pair's history, newest first: both sides' events once the records are linked."""
    with broker.db.read() as session:
        connector = named(session, name)
        records = links.pair_records(session, connector.id, "autotask", entity, ticket_id)
        keys = links.pair_keys(session, connector.id, "autotask", entity, ticket_id)
        lines = history.for_pair(session, connector.id, keys)
    return render(
        request,
        "pair.html",
        admin,
        name=name,
        entity=entity,
        ticket_id=ticket_id,
        work_order_id=records[1][2] if len(records) > 1 else None,
        lines=lines,
        resynced=resynced,
    )


@router.post("/activity/{name}/{entity}/{ticket_id}/resync")
def resync(
    form: CheckedForm,
    admin: ConsoleAdmin,
    broker: BrokerDep,
    name: str,
    entity: Annotated[str, Path(max_length=32)],
    ticket_id: RecordId,
) -> Response:
    """Sync the pair now, both ways, as `fieldbridge resync` does."""
    with broker.db.read() as session:
        connector = named(session, name)
        pair_records = links.pair_records(session, connector.id, "autotask", entity, ticket_id)
    notices = [hints.manual_import(ticket_id, entity), *hints.partner_imports(pair_records)]
    for notice in notices:
        intake.submit(broker.db, broker.queue, connector.id, notice, utcnow())
    return redirect(f"/activity/{name}/{entity}/{ticket_id}?resynced={len(notices)}")


@router.get("/activity/events")
def events(
    request: Request,
    admin: ConsoleAdmin,
    broker: BrokerDep,
    connector: str = "",
    state: EventStatus | None = None,
    since: Annotated[str, Query(pattern="^(|1h|24h|7d)$")] = "",
    before: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    with broker.db.read() as session:
        names = connector_names(session)
        chosen = named(session, connector) if connector else None
        found = inbox.page(
            session,
            connector_id=chosen.id if chosen else None,
            status=state,
            before_id=before,
            received_since=utcnow() - SINCE[since] if since else None,
            limit=EVENTS_PAGE + 1,
        )
        by_id = {c.id: c.name for c in connectors.list_all(session)}
    more = len(found) > EVENTS_PAGE
    return render(
        request,
        "events.html",
        admin,
        events=found[:EVENTS_PAGE],
        connector_names=by_id,
        next_before=found[EVENTS_PAGE - 1].id if more else None,
        names=names,
        connector=connector,
        state=state or "",
        states=[s.value for s in EventStatus],
        since=since,
        describe=inbox.describe,
    )


@router.get("/activity/events/{event_id}")
def event(
    request: Request,
    admin: ConsoleAdmin,
    broker: BrokerDep,
    event_id: EventId,
    replayed: Annotated[int, Query(ge=0, le=1)] = 0,
) -> HTMLResponse:
    """One event's story, oldest first, with a replay button once it is finished."""
    with broker.db.read() as session:
        found = inbox.get(session, event_id)
        if found is None:
            raise PageError(404, f"There is no event {event_id}.")
        lines = history.for_event(session, event_id)
        connector = session.get(Connector, found.connector_id)
        pair = links.pair_records(session, found.connector_id, found.system, found.entity, found.record_id)
    ticket = next(((entity, record_id) for system, entity, record_id in pair if system == "autotask"), None)
    return render(
        request,
        "event.html",
        admin,
        event=found,
        connector=connector.name if connector else "",
        lines=lines,
        finished=found.status in inbox.FINISHED,
        ticket=ticket,
        describe=inbox.describe,
        replayed=replayed,
    )


@router.post("/activity/events/{event_id}/replay")
def replay(event_id: EventId, form: CheckedForm, admin: ConsoleAdmin, broker: BrokerDep) -> Response:
    replay_one(broker, event_id, admin.username)
    return redirect(f"/activity/events/{event_id}?replayed=1")


def replay_one(broker: Broker, event_id: int, by: str) -> None:
    """As the admin API's replay: the event goes through again from scratch; its dead letter is handled."""
    try:
        intake.replay(broker.db, broker.queue, event_id, by, utcnow())
    except LookupError:
        raise PageError(404, f"There is no event {event_id}.") from None
    except processing.NotReplayable as refusal:
        raise PageError(409, str(refusal), "Wait until it is finished, then replay it.") from None
