"""The reconciler: a poll that catches what webhooks missed (Autotask drops a payload after five failed
attempts; a Field Nation delivery can be lost). Each pass hands the normal flows hints, so the flows' own
comparison decides whether anything is written (events are hints, state is the truth):

- the connector's Autotask records changed since its checkpoint (one query per 500 changed records);
- the work orders whose Field Nation webhook delivery failed since the last pass (Field Nation's delivery
  logs, a page per 100 deliveries), linked ones, or any with Outbound Create on;
- in turn, a few open pairs (`SyncSettings.reconcile_checks_per_hour`), so a change no failed delivery shows
  is still found within a bounded time; closed pairs (the work order approved, paid or cancelled) are not.

So a pass over pairs where nothing changed costs the same few calls however many pairs there are.

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
from fieldbridge.fieldnation import FieldNationClient
from fieldbridge.jobs import intake
from fieldbridge.settings import SyncSettings
from fieldbridge.store import connectors
from fieldbridge.store.connectors import ConnectorConfig
from fieldbridge.store.inbox import Hint
from fieldbridge.sync import checkpoints, clients, options, pairs, reconcile_failures
from fieldbridge.sync.reconcile_rules import (
    checks_per_pass,
    dedup_key,
    delivery_failed,
    imports_unlinked,
    next_checkpoint,
    parse_time,
    rotation,
    window_start,
)

if TYPE_CHECKING:
    from fieldbridge.jobs.consumer import Parts
    from fieldbridge.store.database import Database

log = logging.getLogger(__name__)

CHECKPOINT = "reconcile"
Submit = Callable[[Hint], None]
DELIVERY_PAGE = 100
MANUAL_MINUTES = 15
"""A pass run by hand while the connector's reconciler is off reads the open pairs of a 15-minute interval."""


@dataclass(frozen=True)
class Pass:
    since: datetime
    changed: int
    """Autotask records read as changed in the window."""
    autotask_hints: int
    fieldnation_hints: int
    """Work orders whose delivery failed, and open pairs read in turn."""


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
        closed = pairs.closed(session, config.id)
    position = saved.position if saved else {}
    checkpoint = parse_time(position.get("activity"))
    since = window_start(checkpoint, now)
    query = where(
        gte(activity_field, since),
        include_fields=("id", activity_field, "status", "queueID"),
        max_records=500,
    )
    linked_ids = {autotask_id for linked_entity, autotask_id, _ in linked if linked_entity == entity}
    seen, autotask_hints = [], 0
    connector_clients = clients.for_connector(config, sync, db)
    for record in connector_clients.autotask.query(entity_path, query):
        record_id, activity = int(record["id"]), record.get(activity_field)
        if (moment := parse_time(activity)) is not None:
            seen.append(moment)
        if record_id in linked_ids or imports_unlinked(sync_options.triggers, record):
            submit(
                Hint("reconcile", "autotask", entity, record_id, None, dedup_key(entity, record_id, activity))
            )
            autotask_hints += 1
    work_orders = {work_order_id for _, _, work_order_id in linked}
    delivered = parse_time(position.get("deliveries"))
    delivered_since = window_start(delivered, now)
    failed, deliveries_seen = _failed_deliveries(connector_clients.fieldnation, delivered_since)
    if not config.outbound_create:
        failed &= work_orders  # an unlinked work order's event would change nothing
    turn = rotation(
        sorted(work_orders - closed),
        position.get("turn_after"),
        checks_per_pass(sync.reconcile_checks_per_hour, sync_options.reconcile_minutes or MANUAL_MINUTES),
    )
    for work_order_id in sorted(failed | set(turn)):
        # A hint still waiting from an earlier pass (or a webhook) absorbs this one.
        submit(Hint("reconcile", "fieldnation", pairs.WORK_ORDER, work_order_id, coalesce=True))
    reached = {
        "activity": next_checkpoint(checkpoint, seen, now).isoformat(),
        "deliveries": next_checkpoint(
            parse_time(position.get("deliveries")), deliveries_seen, now
        ).isoformat(),
        "turn_after": turn[-1] if turn else position.get("turn_after"),
    }
    with db.transaction() as session:
        checkpoints.save(session, config.id, CHECKPOINT, reached, now)
    return Pass(since, len(seen), autotask_hints, len(failed | set(turn)))


def _failed_deliveries(fieldnation: FieldNationClient, since: datetime) -> tuple[set[int], list[datetime]]:
    """The work orders of Field Nation's webhook deliveries since `since` whose last attempt failed, and when
    each delivery read was made (the logs come newest first, so reading stops at the first older one)."""
    failed: set[int] = set()
    seen: list[datetime] = []
    page = 1
    while True:
        logs = fieldnation.webhooks.delivery_logs(page=page, per_page=DELIVERY_PAGE)
        for log_entry in logs:
            created = parse_time(log_entry.created_at)
            if created is not None and created < since:
                return failed, seen
            if created is not None:
                seen.append(created)
            if delivery_failed(log_entry.delivery_status) and log_entry.work_order_id is not None:
                failed.add(log_entry.work_order_id)
        if len(logs) < DELIVERY_PAGE:
            return failed, seen
        page += 1


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
