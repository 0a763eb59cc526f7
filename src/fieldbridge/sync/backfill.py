"""Backfill: load every open record matching some conditions through the normal inbound path (inbox, pair
lock, import, history), page by page, a few records at a time, resumable.

Pages of 500 are read in id order (`id > cursor`, the paging Autotask clients use), in full, and the
companies, locations and contacts a page refers to are fetched in one `in` query each and put in the
related-record cache. The page's records are handed over to their imports (`ConnectorClients.handing_over`),
so an import reads no ticket (nor, when notes go to Field Nation, its notes: one `TicketNotes` query a page):
a change made after the page was read comes as its own event, as any change does. The records of a page are
loaded by a bounded pool of threads (`concurrency`), whose Autotask calls wait their turn within the
deployment's shared limits like any other (`autotask.limits`). The cursor (the last id of an unbroken run of
records done, and the conditions it belongs to) is stored every second and when the run stops: an
interrupted backfill run again with the same conditions resumes after it, and a record that finished past
the cursor is a duplicate the second time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice

from fieldbridge.autotask import AutotaskClient, ChildCollection, Condition, Record, gt, in_, noteq, where
from fieldbridge.autotask.service_objects import SERVICE_OBJECTS, status_field
from fieldbridge.settings import SyncSettings
from fieldbridge.store.connectors import ConnectorConfig
from fieldbridge.store.database import Database
from fieldbridge.store.inbox import Hint
from fieldbridge.sync import checkpoints, clients, options
from fieldbridge.sync.backfill_rules import PAGE_SIZE, batches, check_fields, condition, related_ids
from fieldbridge.sync.clients import ConnectorClients
from fieldbridge.sync.context import utcnow
from fieldbridge.sync.inbound_rules import complete_status

CHECKPOINT = "backfill"
CONCURRENCY = 6
"""Records loaded at once: enough to keep Autotask's 3 requests per endpoint busy while the others wait on
Field Nation and the database."""
Process = Callable[[Hint], object]
"""Loads one record; called from several threads at once."""
Progress = Callable[[int, int], None]
"""Called after each record, in id order and from one thread, with (records done, records this run will
do)."""


@dataclass(frozen=True)
class Result:
    done: int
    total: int
    resumed_after: int | None
    """The id this run resumed after, when an earlier run was interrupted."""


def backfill(
    db: Database,
    config: ConnectorConfig,
    sync: SyncSettings,
    process: Process,
    where_text: list[str],
    *,
    restart: bool = False,
    dry_run: bool = False,
    page_size: int = PAGE_SIZE,
    concurrency: int = CONCURRENCY,
    progress: Progress = lambda done, total: None,
) -> Result:
    """Raises `backfill_rules.WhereError` for a condition it cannot read, or that names no field of the
    entity, before anything is loaded. `dry_run`: `process` sees every record that would be loaded, and
    nothing is stored (no cursor) or cached."""
    conditions = [condition(text) for text in where_text]
    connector_clients = clients.for_connector(config, sync, db)
    autotask = connector_clients.autotask
    service_object = SERVICE_OBJECTS[config.service_object]
    entity_path, entity = service_object.endpoint, service_object.entity
    fields = autotask.fields(entity_path)
    check_fields(where_text, entity, (field.name for field in fields))
    status = status_field(fields)
    complete = complete_status(status.picklist_values) if status else None
    if complete is not None:
        conditions.append(noteq("status", complete))  # open: not in the instance's Complete status
    scope = sorted(where_text)
    with db.transaction() as session:
        saved = checkpoints.load(session, config.id, CHECKPOINT)
        # Their imports read tickets' notes when notes go to Field Nation: read a page's in one query.
        notes_go = config.service_object == "ticket" and bool(
            options.load(session, config.id).note_messages.publish
        )
    resumed = None
    if saved is not None and not restart and saved.position.get("where") == scope:
        resumed = int(saved.position["after_id"])
    cursor = resumed or 0
    total = autotask.count(entity_path, where(*conditions, gt("id", cursor)))
    done = 0
    progress(done, total)
    cursor_saver = _CursorSaver(db, config.id, scope, saved_up_to=cursor)
    with ThreadPoolExecutor(concurrency, thread_name_prefix="backfill") as pool:
        try:
            for page in _pages(autotask, entity_path, conditions, page_size, cursor):
                if not dry_run:
                    _cache_related(connector_clients, page)
                notes = _notes_of(autotask, page) if notes_go and not dry_run else {}
                hints = [_hint(entity, record, service_object.activity_field) for record in page]
                with connector_clients.handing_over(entity_path, [] if dry_run else page, notes):
                    for record_id in _loaded(pool, process, hints):
                        if not dry_run:
                            cursor_saver.done(record_id)
                        done += 1
                        progress(done, total)
        finally:
            # Interrupted: what has not started is not started; what is under way finishes.
            pool.shutdown(cancel_futures=True)
            if not dry_run:
                cursor_saver.save()
    if not dry_run:
        with db.transaction() as session:
            checkpoints.clear(session, config.id, CHECKPOINT)
    return Result(done, total, resumed)


class _CursorSaver:
    """The cursor, saved at most every `SAVE_SECONDS` and when the run stops: a write transaction per record
    was an eighth of a record's. A run stopped without that last save (a crash) loads again the records of
    its last second, which the inbox takes as duplicates."""

    SAVE_SECONDS = 1.0

    def __init__(self, db: Database, connector_id: int, scope: list[str], saved_up_to: int) -> None:
        self._db, self._connector_id, self._scope = db, connector_id, scope
        self._saved = self._last = saved_up_to
        self._due = time.monotonic() + self.SAVE_SECONDS

    def done(self, record_id: int) -> None:
        self._last = record_id
        if time.monotonic() >= self._due:
            self.save()

    def save(self) -> None:
        if self._last != self._saved:
            with self._db.transaction() as session:
                position = {"where": self._scope, "after_id": self._last}
                checkpoints.save(session, self._connector_id, CHECKPOINT, position, utcnow())
            self._saved = self._last
        self._due = time.monotonic() + self.SAVE_SECONDS


def _pages(
    autotask: AutotaskClient, entity_path: str, conditions: list[Condition], page_size: int, after: int
) -> Iterator[list[Record]]:
    """The matching records after id `after`, in full, a page at a time in id order."""
    while True:
        query = where(*conditions, gt("id", after), max_records=page_size)
        page = sorted(islice(autotask.query(entity_path, query), page_size), key=lambda r: int(r["id"]))
        if not page:
            return
        yield page
        after = int(page[-1]["id"])


def _loaded(pool: ThreadPoolExecutor, process: Process, hints: list[Hint]) -> Iterator[int]:
    """Load the records in the pool; their ids in order, each once it and every one before it is done."""
    loads = [(hint.record_id, pool.submit(process, hint)) for hint in hints]
    for record_id, load in loads:
        load.result()
        yield record_id


def _hint(entity: str, record: Record, activity_field: str) -> Hint:
    record_id = int(record["id"])
    return Hint(
        "backfill", "autotask", entity, record_id, None, f"backfill:{record_id}:{record.get(activity_field)}"
    )


def _notes_of(autotask: AutotaskClient, tickets: list[Record]) -> dict[ChildCollection, list[Record]]:
    """The notes of each ticket, read a batch of tickets at a time (one query, where each import would
    read its ticket's)."""
    notes: dict[int, list[Record]] = {int(ticket["id"]): [] for ticket in tickets}
    for batch in batches(sorted(notes)):
        for note in autotask.query("TicketNotes", where(in_("ticketID", batch))):
            notes[int(note["ticketID"])].append(note)
    return {ChildCollection("Tickets", ticket_id, "Notes"): found for ticket_id, found in notes.items()}


def _cache_related(connector_clients: ConnectorClients, page: list[dict[str, object]]) -> None:
    for entity, ids in related_ids(page).items():
        for batch in batches(sorted(ids)):
            found = {
                int(r["id"]): r for r in connector_clients.autotask.query(entity, where(in_("id", batch)))
            }
            for record_id in batch:
                # A record the API user may not see is remembered as missing, as a single GET would answer.
                connector_clients.remember(entity, record_id, found.get(record_id))
