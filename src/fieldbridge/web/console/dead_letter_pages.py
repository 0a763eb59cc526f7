"""Dead letters: events that kept failing, each with its cause and fix, replayed one at a time or all at
once (the admin API's replay: `jobs.intake.replay`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from fieldbridge.store import dead_letters, inbox
from fieldbridge.store.tables import Connector, DeadLetter, InboxEvent
from fieldbridge.web.console.activity import EventId, connector_names, named, replay_one
from fieldbridge.web.console.pages import redirect, render
from fieldbridge.web.console.security import CheckedForm, ConsoleAdmin
from fieldbridge.web.deps import BrokerDep

router = APIRouter(include_in_schema=False)


LETTERS_PAGE = 50


@router.get("/dead-letters")
def waiting(
    request: Request,
    admin: ConsoleAdmin,
    broker: BrokerDep,
    connector: str = "",
    replayed: Annotated[int, Query(ge=0)] = 0,
    before: Annotated[int | None, Query(ge=1)] = None,
    after: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    """`LETTERS_PAGE` letters, newest first, with links to the older and newer ones (`before` and `after` a
    letter id); replay all still means every letter waiting, not the page."""
    with broker.db.read() as session:
        chosen = named(session, connector) if connector else None
        connector_id = chosen.id if chosen else None
        letters = dead_letters.page(session, connector_id, before, after, LETTERS_PAGE)
        older = letters and dead_letters.any_open(session, connector_id, DeadLetter.id < letters[-1].id)
        newer = letters and dead_letters.any_open(session, connector_id, DeadLetter.id > letters[0].id)
        waiting_count = dead_letters.count_open(session, connector_id)
        ids = [letter.event_id for letter in letters]
        events = {e.id: e for e in session.scalars(select(InboxEvent).where(InboxEvent.id.in_(ids)))}
        names = {c.id: c.name for c in session.scalars(select(Connector))}
        all_names = connector_names(session)
    return render(
        request,
        "dead_letters.html",
        admin,
        letters=letters,
        waiting_count=waiting_count,
        older_than=letters[-1].id if older else None,
        newer_than=letters[0].id if newer else None,
        events=events,
        connector_names=names,
        names=all_names,
        connector=connector,
        replayed=replayed,
        describe=inbox.describe,
    )


@router.post("/dead-letters/{event_id}/replay")
def replay(event_id: EventId, form: CheckedForm, admin: ConsoleAdmin, broker: BrokerDep) -> Response:
    replay_one(broker, event_id, admin.username)
    return redirect(_back(str(form.get("connector", "")), 1))


@router.post("/dead-letters/replay-all")
def replay_all(form: CheckedForm, admin: ConsoleAdmin, broker: BrokerDep) -> Response:
    """Every dead letter waiting (of the connector chosen, if one is); each goes through again."""
    connector = str(form.get("connector", ""))
    with broker.db.read() as session:
        chosen = named(session, connector) if connector else None
        event_ids = dead_letters.open_event_ids(session, chosen.id if chosen else None)
    for event_id in event_ids:
        replay_one(broker, event_id, admin.username)
    return redirect(_back(connector, len(event_ids)))


def _back(connector: str, replayed: int) -> str:
    where = f"connector={connector}&" if connector else ""
    return f"/dead-letters?{where}replayed={replayed}"
