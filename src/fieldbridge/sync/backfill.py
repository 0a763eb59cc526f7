"""Backfill: load every open record matching some conditions through the normal inbound path (inbox, pair
lock, import, history), page by page, resumable.

Pages of 500 are read in id order (`id > cursor`, the paging Autotask clients use), and the companies,
locations and contacts a page refers to are fetched in one `in` query each and put in the related-record
cache, so each import reads only its ticket. The cursor (last id done, and the conditions it belongs to) is
stored after every record: an interrupted backfill run again with the same conditions resumes after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice

from fieldbridge.autotask import gt, in_, noteq, where
from fieldbridge.autotask.service_objects import RELATED, SERVICE_OBJECTS, status_field
from fieldbridge.settings import SyncSettings
from fieldbridge.store.connectors import ConnectorConfig
from fieldbridge.store.database import Database
from fieldbridge.store.inbox import Hint
from fieldbridge.sync import checkpoints, clients
from fieldbridge.sync.backfill_rules import PAGE_SIZE, batches, check_fields, condition, related_ids
from fieldbridge.sync.clients import ConnectorClients
from fieldbridge.sync.context import utcnow
from fieldbridge.sync.inbound_rules import complete_status

CHECKPOINT = "backfill"
Process = Callable[[Hint], object]
Progress = Callable[[int, int], None]
"""Called after each record with (records done, records this run will do)."""


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
    resumed = None
    if saved is not None and not restart and saved.position.get("where") == scope:
        resumed = int(saved.position["after_id"])
    cursor = resumed or 0
    total = autotask.count(entity_path, where(*conditions, gt("id", cursor)))
    wanted = ("id", service_object.activity_field, *(related.id_field for related in RELATED))
    done = 0
    progress(done, total)
    while True:
        query = where(*conditions, gt("id", cursor), include_fields=wanted, max_records=page_size)
        page = sorted(islice(autotask.query(entity_path, query), page_size), key=lambda r: int(r["id"]))
        if not page:
            break
        if not dry_run:
            _cache_related(connector_clients, page)
        for record in page:
            record_id = int(record["id"])
            version = record.get(service_object.activity_field)
            process(Hint("backfill", "autotask", entity, record_id, None, f"backfill:{record_id}:{version}"))
            cursor = record_id
            if not dry_run:
                with db.transaction() as session:
                    checkpoints.save(
                        session, config.id, CHECKPOINT, {"where": scope, "after_id": cursor}, utcnow()
                    )
            done += 1
            progress(done, total)
    if not dry_run:
        with db.transaction() as session:
            checkpoints.clear(session, config.id, CHECKPOINT)
    return Result(done, total, resumed)


def _cache_related(connector_clients: ConnectorClients, page: list[dict[str, object]]) -> None:
    for entity, ids in related_ids(page).items():
        for batch in batches(sorted(ids)):
            found = {
                int(r["id"]): r for r in connector_clients.autotask.query(entity, where(in_("id", batch)))
            }
            for record_id in batch:
                # A record the API user may not see is remembered as missing, as a single GET would answer.
                connector_clients.remember(entity, record_id, found.get(record_id))
