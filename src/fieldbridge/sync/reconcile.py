"""The reconciler: a poll that catches what webhooks missed (Autotask drops a payload after five failed
attempts; a Field Nation delivery can be lost). Each pass reads the connector's Autotask records changed
since its checkpoint and hands them, with every linked work order, to the normal flows as hints, so the
flows' own comparison decides whether anything is written (events are hints, state is the truth).

It runs every `reconcile_minutes` (a sync option) in each consuming process (`serve`, `worker`), and on
demand with `fieldbridge reconcile`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from fieldbridge.autotask import gte, where
from fieldbridge.autotask.service_objects import SERVICE_OBJECTS
from fieldbridge.jobs import intake
from fieldbridge.settings import SyncSettings
from fieldbridge.store import connectors
from fieldbridge.store.connectors import ConnectorConfig
from fieldbridge.store.inbox import Hint
from fieldbridge.sync import checkpoints, clients, options, pairs, reconcile_failures
from fieldbridge.sync.reconcile_rules import (
    dedup_key,
    imports_unlinked,
    next_checkpoint,
    parse_time,
    window_start,
)

if TYPE_CHECKING:
    from fieldbridge.jobs.consumer import Parts
    from fieldbridge.store.database import Database

log = logging.getLogger(__name__)

CHECKPOINT = "reconcile"
Submit = Callable[[Hint], None]


@dataclass(frozen=True)
class Pass:
    since: datetime
    changed: int
    """Autotask records read as changed in the window."""
    autotask_hints: int
    fieldnation_hints: int


def reconcile(
    db: Database, config: ConnectorConfig, sync: SyncSettings, submit: Submit, now: datetime
) -> Pass:
    """One pass for one connector; the checkpoint moves only once every hint is stored."""
    service_object = SERVICE_OBJECTS[config.service_object]
    entity_path, entity = service_object.endpoint, service_object.entity
    activity_field = service_object.activity_field
    with db.transaction() as session:
        saved = checkpoints.load(session, config.id, CHECKPOINT)
        sync_options = options.load(session, config.id)
        linked = pairs.linked(session, config.id)
    checkpoint = parse_time(saved.position.get("activity")) if saved else None
    since = window_start(checkpoint, now)
    query = where(
        gte(activity_field, since),
        include_fields=("id", activity_field, "status", "queueID"),
        max_records=500,
    )
    linked_ids = {autotask_id for linked_entity, autotask_id, _ in linked if linked_entity == entity}
    seen, autotask_hints = [], 0
    autotask = clients.for_connector(config, sync, db).autotask
    for record in autotask.query(entity_path, query):
        record_id, activity = int(record["id"]), record.get(activity_field)
        if (moment := parse_time(activity)) is not None:
            seen.append(moment)
        if record_id in linked_ids or imports_unlinked(sync_options.triggers, record):
            submit(
                Hint("reconcile", "autotask", entity, record_id, None, dedup_key(entity, record_id, activity))
            )
            autotask_hints += 1
    for _, _, work_order_id in linked:
        # Field Nation has no "changed since" filter: every linked work order is looked at; a hint still
        # waiting from the last pass absorbs this one.
        submit(Hint("reconcile", "fieldnation", pairs.WORK_ORDER, work_order_id, coalesce=True))
    reached = next_checkpoint(checkpoint, seen, now)
    with db.transaction() as session:
        checkpoints.save(session, config.id, CHECKPOINT, {"activity": reached.isoformat()}, now)
    return Pass(since, len(seen), autotask_hints, len(linked))


def reconcile_due(parts: Parts) -> None:
    """The periodic task: a pass for each enabled connector whose interval has passed since its last pass, a
    failed one included (`reconcile_failures` writes it to history and alerts)."""
    now = datetime.now(UTC)
    with parts.db.transaction() as session:
        due = []
        for row in connectors.list_all(session):
            if not row.enabled:
                continue
            minutes = options.load(session, row.id).reconcile_minutes
            passes = [
                checkpoints.load(session, row.id, name) for name in (CHECKPOINT, reconcile_failures.FAILED)
            ]
            last = max((saved.updated_at.replace(tzinfo=UTC) for saved in passes if saved), default=None)
            if minutes > 0 and (last is None or now - last >= timedelta(minutes=minutes)):
                due.append((row, minutes))
    for row, minutes in due:

        def submit(hint: Hint, connector_id: int = row.id) -> None:
            intake.submit(parts.db, parts.queue, connector_id, hint, datetime.now(UTC))

        secrets: list[str] = []
        try:
            # Inside the try: a secret that does not decrypt fails this connector's pass, not every one's.
            config = connectors.config(row, parts.box, parts.settings.default_integration_code)
            secrets = config.secret_values()
            done = reconcile(parts.db, config, parts.settings.sync, submit, now)
        except Exception as error:
            # The checkpoint did not move: the next pass reads the same window again.
            subject = f"Autotask {SERVICE_OBJECTS[row.service_object].endpoint}"
            reconcile_failures.record(parts, row.id, row.name, subject, error, secrets, now, minutes)
            continue
        reconcile_failures.record_recovery(parts.db, row.id, now)
        log.info("reconciled connector %s: %s", row.name, done)
