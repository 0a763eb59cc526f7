"""Inbound decisions, pure: is a record excluded, do the trigger conditions let a webhook event import it,
and which Field Nation writes turn the last synced work order document into the new one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fieldbridge.autotask import PicklistValue
from fieldbridge.autotask.records import TicketNote
from fieldbridge.mapping import Document
from fieldbridge.sync.fingerprint import changed_paths
from fieldbridge.sync.markers import marker
from fieldbridge.sync.options import NoteMessages, TriggerConditions

# Field Nation statuses a buyer can put a work order into through the API (REST v2: publish, unpublish,
# cancel); the others follow from what technicians do.
SETTABLE_STATUSES = {1: "Draft", 2: "Published", 7: "Cancelled"}
DRAFT, PUBLISHED = 1, 2
"""What the API makes every new work order, and the only status it can move a draft to."""


def complete_status(statuses: Iterable[PicklistValue]) -> int | None:
    """The instance's Complete status id, by its label (the guide: "resolved by your instance's Complete
    ID"); "Complete - Customer Notified" and the like are other statuses."""
    for value in statuses:
        if value.label.strip().lower() == "complete":
            return int(value.value)
    return None


def status_by_label(statuses: Iterable[PicklistValue], label: str) -> int | None:
    for value in statuses:
        if value.label.strip().lower() == label.lower() and value.is_active is not False:
            return int(value.value)
    return None


def field_value(record: Mapping[str, Any], name: str) -> Any:
    """A field of an Autotask record, case-insensitively (Autotask keys are)."""
    wanted = name.lower()
    return next((value for key, value in record.items() if key.lower() == wanted), None)


def trigger_refusal(
    conditions: TriggerConditions, webhook_fields: Mapping[str, Any] | None, record: Mapping[str, Any]
) -> str | None:
    """Why a webhook event must not import this record, or None when the conditions hold. Without any
    condition nothing is imported: every ticket of the tenant would otherwise become a work order."""
    if not (conditions.status_becomes or conditions.queues):
        return (
            "no trigger conditions are set yet, so webhooks import no ticket (set them with `fieldbridge "
            "sync-options set`; an import by ticket id works meanwhile)"
        )
    if conditions.status_becomes:
        became = None if webhook_fields is None else field_value(webhook_fields, "status")
        if became is None or int(became) not in conditions.status_becomes:
            wanted = ", ".join(map(str, conditions.status_becomes))
            return (
                f"the trigger conditions do not hold (the webhook did not report a status change to {wanted})"
            )
    if conditions.queues and field_value(record, "queueID") not in conditions.queues:
        wanted = ", ".join(map(str, conditions.queues))
        queue = field_value(record, "queueID")
        return f"the trigger conditions do not hold (it is in queue {queue}, not in {wanted})"
    return None


@dataclass(frozen=True)
class WorkOrderWrites:
    """What to send to Field Nation: work order fields (PUT), custom fields by name, a status to reach."""

    fields: Document = field(default_factory=dict)
    custom_fields: Document = field(default_factory=dict)
    status: int | None = None

    def __bool__(self) -> bool:
        return bool(self.fields or self.custom_fields or self.status is not None)


def workorder_writes(before: Document, after: Document) -> WorkOrderWrites:
    """The writes that bring a work order from the document last synced (`before`, {} for a new one) to
    `after`; a part that did not change is not sent."""
    changed = {path.split(".")[0] for path in changed_paths(before, after)}
    fields: Document = {}
    custom: Document = {}
    status = None
    for part in sorted(changed):
        value = after.get(part)
        if part == "status_id":
            status = None if value is None else int(value)
        elif part == "custom_fields":
            old, new = before.get(part) or {}, value or {}
            custom = {
                name: new.get(name) for name in new.keys() | old.keys() if new.get(name) != old.get(name)
            }
        elif part == "description":
            fields[part] = {"html": "" if value is None else str(value)}
        elif part == "time_window":
            fields["schedule"] = _schedule(value or {})
        elif part == "location":
            fields[part] = _location(value or {})
        elif value is not None:
            fields[part] = value
    return WorkOrderWrites(fields, custom, status)


def created_work_order(work_order_id: int, fields: Mapping[str, Any], status: int | None) -> Document:
    """A work order as the import makes it, in the shape a read gives: the fields its create sent, a draft
    (published when the import asks for that). It holds nothing Field Nation's people add (assignee,
    closing notes, time logs), so the outbound mappings read from it give the ticket fields in sync before
    anyone in Field Nation acts."""
    reached = PUBLISHED if status == PUBLISHED else DRAFT
    return {"id": work_order_id, **fields, "status": {"id": reached, "name": SETTABLE_STATUSES[reached]}}


def _schedule(window: Document) -> Document:
    """The guide maps DueDateTime to `time_window.end`; with no start the due time is the exact visit time."""
    start, end = window.get("start"), window.get("end")
    if start and end:
        return {"service_window": {"mode": "between", "start": _fn_date(start), "end": _fn_date(end)}}
    return {"service_window": {"mode": "exact", "start": _fn_date(start or end)}}


def _fn_date(value: Any) -> Document:
    # Field Nation takes utc or local; utc is unambiguous, so only it is sent.
    return {"utc": value["utc"]} if isinstance(value, dict) and "utc" in value else {"utc": str(value)}


def _location(location: Document) -> Document:
    """Field Nation's location has no name (the guide's `location.name` row): a custom location carries the
    name as its first address line unless an address line is mapped too."""
    sent = {key: value for key, value in location.items() if key != "name"}
    if location.get("name") and not sent.get("address1"):
        sent["address1"] = location["name"]
    sent.setdefault("mode", "custom")
    return sent


def note_goes(note: TicketNote, options: NoteMessages) -> bool:
    """Whether an Autotask ticket note becomes a message on the work order: its publish level and note type
    are among those the options send."""
    if note.publish is None or note.publish not in options.publish:
        return False
    return not options.note_types or note.note_type in options.note_types


def note_message(note: TicketNote) -> str:
    """The message a note becomes: its `(#<note id>)` marker (so it is found again after a lost answer),
    then its title and text."""
    title, text = note.title or "", note.description or ""
    return marker(note.id, f"{title}: {text}" if title and text else title or text)
