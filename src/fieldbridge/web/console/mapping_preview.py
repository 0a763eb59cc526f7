"""A preview of mappings on a real record fetched now (`setup.live_records`, as `fieldbridge mappings
preview-live` fetches it): the document the mappings make, where each value came from, and the writes a
sync would make from it, decided by the sync's own rules (`sync.inbound_rules.workorder_writes`,
`sync.outbound_rules.ticket_changes`) against the pair's last synced state. Nothing is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fieldbridge.autotask import Limits
from fieldbridge.autotask.service_objects import SERVICE_OBJECTS
from fieldbridge.mapping import MappingError, MappingSet, Preview, compile_mappings
from fieldbridge.mapping.model import Direction
from fieldbridge.setup import live_records
from fieldbridge.store.connectors import ConnectorConfig
from fieldbridge.store.database import Database
from fieldbridge.sync import pairs
from fieldbridge.sync.inbound_rules import workorder_writes
from fieldbridge.sync.outbound_rules import ticket_changes
from fieldbridge.sync.pairs import WORK_ORDER


@dataclass(frozen=True)
class Write:
    what: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Previewed:
    direction: Direction
    record: str
    """Which record, as a person names it."""
    result: Preview | None = None
    writes: list[Write] = field(default_factory=list)
    problem: str | None = None
    fix: str | None = None


def preview(
    db: Database,
    config: ConnectorConfig,
    limits: Limits,
    mapping_set: MappingSet,
    direction: Direction,
    record_key: str,
) -> Previewed:
    """`record_key`: a ticket's id or number (inbound) or a work order's id (outbound)."""
    key = record_key.strip()
    if direction == "outbound" and not key.isdigit():
        return Previewed(
            direction, key, problem="A work order id is a number.", fix="Type the work order's id."
        )
    if not key:
        return Previewed(
            direction, key, problem="Say which record to preview.", fix="Type a ticket id or number."
        )
    named = f"ticket {key}" if direction == "inbound" else f"work order {key}"
    try:
        record = (
            live_records.ticket(config, limits, key)
            if direction == "inbound"
            else live_records.work_order(config, int(key))
        )
    except live_records.RecordUnavailable as unavailable:
        return Previewed(direction, named, problem=unavailable.problem, fix=unavailable.fix)
    try:
        result = compile_mappings(mapping_set, direction).preview(record)
    except MappingError as error:
        problem = error.problem
        return Previewed(direction, named, problem=f"{problem.where}: {problem.message}", fix=problem.fix)
    with db.read() as session:
        if direction == "inbound":
            entity = SERVICE_OBJECTS[config.service_object].entity
            pair = pairs.find(session, config.id, "autotask", entity, int(record["id"]))
        else:
            pair = pairs.find(session, config.id, "fieldnation", WORK_ORDER, int(key))
    writes = (
        _inbound(pair, result.document)
        if direction == "inbound"
        else _outbound(pair, result.document, config)
    )
    return Previewed(direction, named, result, writes)


def _inbound(pair: pairs.Pair | None, document: dict[str, Any]) -> list[Write]:
    writes = workorder_writes(pair.inbound if pair else {}, document)
    if pair is None:
        what = "Create a work order (this ticket is not linked yet)"
    elif not writes:
        return [Write(f"Nothing to write: work order {pair.work_order_id} already has these values.")]
    else:
        what = f"Update work order {pair.work_order_id}"
    done = [Write(what, writes.fields)] if writes.fields or pair is None else []
    if writes.custom_fields:
        done.append(Write("Set custom fields", writes.custom_fields))
    if writes.status is not None:
        done.append(Write("Move the work order to status", {"status_id": writes.status}))
    return done


def _outbound(pair: pairs.Pair | None, document: dict[str, Any], config: ConnectorConfig) -> list[Write]:
    ticket = document.get("Ticket", {})
    children = [
        Write(f"Sync {name}: {len(value)} record(s)")
        for name, value in document.items()
        if isinstance(value, list)
    ]
    if pair is None:
        if config.outbound_create:
            return [
                Write("Create a ticket (Outbound Create is on; this work order is not linked)", ticket),
                *children,
            ]
        return [
            Write("Nothing to write: this work order is not linked to a ticket, and Outbound Create is off.")
        ]
    if pair.outbound is None:
        entity = f"{pair.autotask_entity} {pair.autotask_id}"
        return [
            Write(f"First outbound sync of {entity}: the fields whose value differs are written", ticket),
            *children,
        ]
    changes = ticket_changes(pair.outbound, ticket, pair.record, {})
    if not changes:
        return [Write(f"No ticket field changes for {pair.autotask_entity} {pair.autotask_id}."), *children]
    return [Write(f"Update {pair.autotask_entity} {pair.autotask_id}", changes), *children]
