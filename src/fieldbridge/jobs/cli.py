"""`fieldbridge worker`, `fieldbridge events list|show|replay|dead-letters`, `fieldbridge import ID`."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.markup import escape
from rich.table import Table

from fieldbridge.settings import Settings
from fieldbridge.terminal import CliError, console, json_text

if TYPE_CHECKING:
    from fieldbridge.store.database import Database

events_app = typer.Typer(no_args_is_help=True, help="Look at inbox events and replay them.")


def worker(
    threads: int = typer.Option(0, help="Worker threads (0: the worker_threads setting)."),
) -> None:
    """Process queued events until SIGTERM (graceful) or SIGINT; with a shared queue, run any number."""
    from fieldbridge.jobs.consumer import open_parts, run_in_foreground
    from fieldbridge.jobs.redaction import configure_logging

    settings = Settings()
    if threads:
        settings.worker_threads = threads
    parts = open_parts(settings, create=False)  # a store that is missing or does not answer stops it here
    configure_logging(settings.log_level)
    run_in_foreground(parts)


def import_ticket(
    ticket_id: int = typer.Argument(..., help="The Autotask ticket (or service call, or project) id."),
    connector: str = typer.Option("", help="Connector name; may be left out when there is only one."),
) -> None:
    """Store an inbound event for one ticket, as if Autotask had posted it to the trigger URL."""
    _store_checks(ticket_id, connector, with_work_order=False)


def resync(
    ticket_id: int = typer.Argument(..., help="The Autotask ticket (or service call, or project) id."),
    connector: str = typer.Option("", help="Connector name; may be left out when there is only one."),
) -> None:
    """Sync a pair now, both ways: an event for the ticket and, once it is linked, one for its work order."""
    _store_checks(ticket_id, connector, with_work_order=True)


def _store_checks(ticket_id: int, connector: str, *, with_work_order: bool) -> None:
    from fieldbridge.autotask.service_objects import SERVICE_OBJECTS
    from fieldbridge.jobs import hints as change_notices
    from fieldbridge.jobs import intake
    from fieldbridge.jobs.queue import EventQueue
    from fieldbridge.store import connectors, inbox, links
    from fieldbridge.store.database import open_database

    settings = Settings()
    db = open_database(settings, create=False)
    with db.transaction() as session:
        candidates = [connectors.get(session, connector)] if connector else connectors.list_all(session)
    found = [candidate for candidate in candidates if candidate is not None]
    if len(found) != 1:
        why = f"no connector named {connector!r}" if connector else f"{len(found)} connectors exist: name one"
        _fail(f"Cannot import: {why} (--connector NAME).")
    chosen, entity = found[0], SERVICE_OBJECTS[found[0].service_object].entity
    try:
        hints = [change_notices.manual_import(ticket_id, entity)]
    except change_notices.BadHint as bad:
        _fail(str(bad))
    if with_work_order:
        with db.transaction() as session:
            pair = links.pair_records(session, chosen.id, "autotask", entity, ticket_id)
        hints += change_notices.partner_imports(pair)
    queue = EventQueue(settings)
    for hint in hints:
        accepted = intake.submit(db, queue, chosen.id, hint, datetime.now(UTC))
        state = "already waiting as" if accepted.duplicate else "stored as"
        what = inbox.describe(hint.system, hint.entity, hint.record_id)
        typer.echo(f"{what} for connector {chosen.name}: {state} event {accepted.event_id}.")
    if with_work_order and len(hints) == 1:
        typer.echo(f"{entity} {ticket_id} is not linked to a work order yet: its import links it.")


@events_app.command("list")
def list_events(
    connector: str = typer.Option("", help="Only this connector's events."),
    status: str = typer.Option("", help="Only events in this status (received, queued, dead, ...)."),
    before_id: int = typer.Option(0, min=0, help="Only events older than this id (the next page)."),
    limit: int = typer.Option(50, min=1, max=500, help="How many, newest first."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Recent events, newest first."""
    from fieldbridge.store import inbox
    from fieldbridge.store.inbox import EventStatus
    from fieldbridge.store.views import EventOut

    if status and status not in set(EventStatus):
        raise CliError(
            f"--status {status!r} is not an event status.", f"give one of: {', '.join(EventStatus)}."
        )
    db, connector_id = _open(connector)
    with db.transaction() as session:
        events = inbox.page(
            session,
            connector_id=connector_id,
            status=status or None,
            before_id=before_id or None,
            limit=limit,
        )
    if as_json:
        typer.echo(json_text([EventOut.model_validate(e).model_dump(mode="json") for e in events]))
        return
    table = Table("id", "source", "record", "status", "attempts", "received", "last error")
    for event in events:
        record = inbox.describe(event.system, event.entity, event.record_id)
        received = f"{event.received_at:%Y-%m-%d %H:%M:%S}"
        table.add_row(
            str(event.id),
            event.source,
            record,
            event.status,
            str(event.attempts),
            received,
            escape(event.last_error or ""),
        )
    console().print(table)


@events_app.command("show")
def show_event(event_id: int, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """One event and its history."""
    from fieldbridge.store import history, inbox
    from fieldbridge.store.views import EventDetail, EventOut, HistoryOut

    db, _ = _open("")
    with db.transaction() as session:
        event = inbox.get(session, event_id)
        if event is None:
            raise CliError(f"There is no event {event_id}.", "see `fieldbridge events list` for the ids.")
        lines = history.for_event(session, event_id)
    if as_json:
        story = [HistoryOut.model_validate(line) for line in lines]
        detail = EventDetail(**EventOut.model_validate(event).model_dump(), history=story)
        typer.echo(json_text(detail.model_dump(mode="json")))
        return
    console().print(f"Event {event.id}: {inbox.describe(event.system, event.entity, event.record_id)}")
    console().print(
        f"  from {inbox.SOURCES.get(event.source, event.source)}, {event.status}, {event.attempts} attempt(s)"
    )
    for line in lines:
        console().print(f"  {line.at:%Y-%m-%d %H:%M:%S} {line.level:<7} {escape(line.message)}")
        if line.fix:
            console().print(f"  {'':<27} Fix: {escape(line.fix)}")


@events_app.command("dead-letters")
def dead_letters(
    connector: str = typer.Option("", help="Only this connector's."),
    before_id: int = typer.Option(0, min=0, help="Only letters older than this letter id (the next page)."),
    limit: int = typer.Option(50, min=1, max=500, help="How many, newest first."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Dead letters not yet replayed, newest first: the cause and the fix; `events replay ID` retries one."""
    from fieldbridge.store import dead_letters as letters
    from fieldbridge.store.tables import DeadLetter
    from fieldbridge.store.views import DeadLetterOut

    db, connector_id = _open(connector)
    with db.read() as session:
        rows = letters.page(session, connector_id, before_id or None, size=limit)
        found = [DeadLetterOut.model_validate(row) for row in rows]
        older = bool(found) and letters.any_open(session, connector_id, DeadLetter.id < found[-1].id)
        waiting = letters.count_open(session, connector_id)
    if as_json:
        typer.echo(json_text([letter.model_dump(mode="json") for letter in found]))
        return
    if not found:
        typer.echo("No dead letters." if not waiting else f"No dead letters older than letter {before_id}.")
        return
    typer.echo(f"{waiting} dead letter(s) wait; newest first:")
    for letter in found:
        console().print(
            f"event {letter.event_id}  {letter.created_at:%Y-%m-%d %H:%M:%S}  {letter.attempts} attempt(s): "
            f"{escape(letter.cause)}"
        )
        if letter.fix:
            console().print(f"  Fix: {escape(letter.fix)}")
    if older:
        more = f"--before-id {found[-1].id}" + (f" --connector {connector}" if connector else "")
        typer.echo(f"Older letters wait: fieldbridge events dead-letters {more}")


@events_app.command("replay")
def replay_event(event_id: int) -> None:
    """Send a finished event (dead, done or skipped) through again."""
    from fieldbridge.jobs import intake
    from fieldbridge.jobs.queue import EventQueue
    from fieldbridge.store.processing import NotReplayable

    settings = Settings()
    db, _ = _open("", settings)
    try:
        intake.replay(db, EventQueue(settings), event_id, f"cli:{getpass.getuser()}", datetime.now(UTC))
    except (LookupError, NotReplayable) as refusal:
        _fail(str(refusal).strip("'\""))
    typer.echo(f"Event {event_id} queued again.")


def _open(connector: str, settings: Settings | None = None) -> tuple[Database, int | None]:
    from fieldbridge.store import connectors
    from fieldbridge.store.database import open_database

    db = open_database(settings or Settings(), create=False)
    if not connector:
        return db, None
    with db.transaction() as session:
        row = connectors.get(session, connector)
    if row is None:
        raise CliError(
            f"There is no connector named {connector!r}.", "see `fieldbridge connectors list` for the names."
        )
    return db, row.id


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)
