"""Outbound decisions, pure: the record the outbound mappings read, and the Autotask fields each Field
Nation child (time log, message, expense, file) becomes.

Every child carries its original's id as a marker (`markers`), so it can be found again after a lost answer
or a lost link.
"""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fieldbridge.sync.markers import marker
from fieldbridge.sync.options import SyncOptions

ATTACHMENT_LIMIT_BYTES = 6 * 1024 * 1024
"""Autotask's FILE_ATTACHMENT limit (Autotask: about 6-7 MB per file; the lower bound is the safe one)."""


def outbound_source(work_order: dict[str, Any], expenses: list[dict[str, Any]]) -> dict[str, Any]:
    """The work order as the guide's outbound table names it: `notes` (closing notes), `time_window`,
    `time_logs[i].StartDateTime`/`EndDateTime`, `expenses[i]`; the rest as Field Nation sends it."""
    window = (work_order.get("schedule") or {}).get("service_window") or {}
    logs = [
        {**log, "StartDateTime": _created(log.get("in")), "EndDateTime": _created(log.get("out"))}
        for log in _results(work_order.get("time_logs"))
    ]
    return {
        **work_order,
        "notes": work_order.get("closing_notes"),
        "time_window": {"start": window.get("start"), "end": window.get("end") or window.get("start")},
        "time_logs": logs,
        "expenses": expenses,
    }


def _results(envelope: Any) -> list[dict[str, Any]]:
    if isinstance(envelope, dict):
        return list(envelope.get("results") or [])
    return list(envelope or [])


def _created(side: Any) -> Any:
    return side.get("created") if isinstance(side, dict) else None


def ticket_changes(
    before: dict[str, Any] | None, after: dict[str, Any], ticket: dict[str, Any], statics: dict[str, Any]
) -> dict[str, Any]:
    """Ticket fields to write: those whose mapped value differs from what was last synced (a cleared one is
    sent as null; an empty text is no change from no value).

    A field never synced on this pair (`before` is None: the pair was linked but its first sync did not
    finish) is written only when the work order has a value for it that differs from the ticket's
    (`ticket`, as last read), and never when the value is what the mappings give whatever the work order
    holds (`statics`: the fixed values Outbound Create fills a new ticket with, which are not this
    ticket's)."""
    if before is not None:
        return {
            name: after.get(name)
            for name in before.keys() | after.keys()
            if not _same(before.get(name), after.get(name))
        }
    current = {name.lower(): value for name, value in ticket.items()}
    return {
        name: value
        for name, value in after.items()
        if value not in (None, "")
        and current.get(name.lower()) != value
        and not (name in statics and statics[name] == value)
    }


def outbound_after_write(
    before: dict[str, Any] | None, now: dict[str, Any], ticket: dict[str, Any]
) -> dict[str, Any]:
    """The outbound snapshot after an inbound write to the work order (`now`: the work order's mapped
    values after the write). A field whose value now equals the ticket's is in sync: our own write, not a
    change to send back. Any other keeps its last synced value, so a Field Nation change that has not
    reached Autotask yet (closing notes, a status) is still seen as a change and written."""
    current = {name.lower(): value for name, value in ticket.items()}
    kept = dict(before or {})
    kept.update({name: value for name, value in now.items() if current.get(name.lower()) == value})
    return kept


def _same(one: Any, other: Any) -> bool:
    """Equal, or both empty: Field Nation reads closing notes never written as "", a new work order's
    baseline has none."""
    return one == other or (one in (None, "") and other in (None, ""))


def fn_utc(value: Any) -> datetime | None:
    """A Field Nation date (`{"utc": "YYYY-MM-DD HH:MM:SS"}` or the bare string) as an aware datetime."""
    text = value.get("utc") if isinstance(value, dict) else value
    if not text:
        return None
    return datetime.strptime(str(text)[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def time_entry_fields(
    log: dict[str, Any], mapped: dict[str, Any], ticket_id: int, options: SyncOptions
) -> dict[str, Any] | None:
    """A TimeEntry for a time log, or None while the log is open or empty (Autotask refuses a time entry
    that does not end after it starts)."""
    start, end = fn_utc(_created(log.get("in"))), fn_utc(_created(log.get("out")))
    if start is None or end is None or end <= start:
        return None
    notes = log.get("notes") or "Field Nation time log"
    fields: dict[str, Any] = {
        "ticketID": ticket_id,
        "resourceID": options.resource_id,
        "roleID": options.role_id,
        "dateWorked": start.replace(hour=0, minute=0, second=0),
        "startDateTime": start,
        "endDateTime": end,
        "summaryNotes": notes,
    }
    fields.update(mapped)
    fields[options.time_marker_field] = marker(int(log["id"]), fields.get(options.time_marker_field) or notes)
    return _wire_dates(fields)


def note_fields(message: dict[str, Any], ticket_id: int, options: SyncOptions) -> dict[str, Any]:
    sender = (message.get("from") or {}).get("name") or "Field Nation"
    return {
        "ticketID": ticket_id,
        "title": f"Field Nation message from {sender}"[:250],
        "description": marker(int(message["id"]), message.get("message")),
        "noteType": options.note_type,
        "publish": options.note_publish,
    }


def charge_fields(expense: dict[str, Any], ticket_id: int, options: SyncOptions) -> dict[str, Any]:
    category = (expense.get("category") or {}).get("name") or "Expense"
    quantity = float(expense.get("quantity") or 1)
    text = marker(int(expense["id"]), expense.get("description") or category)
    return {
        "ticketID": ticket_id,
        "name": f"Field Nation: {category}"[:100],
        "chargeType": options.charge_type,
        "unitQuantity": quantity,
        "unitCost": round(float(expense.get("amount") or 0) / quantity, 2),
        "datePurchased": _expense_date(expense),
        options.charge_marker_field: text,
    }


def expense_item_fields(
    expense: dict[str, Any],
    mapped: dict[str, Any],
    report_id: int,
    ticket: dict[str, Any],
    options: SyncOptions,
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "expenseReportID": report_id,
        "description": marker(int(expense["id"]), expense.get("description"))[:128],
        "expenseDate": _expense_date(expense),
        "expenseCategory": options.expense_category,
        "paymentType": options.payment_type,
        "haveReceipt": False,
        "isBillableToCompany": True,
        "expenseCurrencyExpenseAmount": float(expense.get("amount") or 0),
        "ticketID": ticket["id"],
        "companyID": ticket.get("companyID"),
    }
    fields.update(mapped)  # the guide's ExpenseAmount arrives under its REST name (mapping.paths)
    return fields


def _expense_date(expense: dict[str, Any]) -> str:
    return _wire(fn_utc(expense.get("added")) or datetime.now(UTC))


def week_ending(day: date) -> date:
    """The Saturday ending `day`'s week: one expense report per submitter and week."""
    return day + timedelta(days=(5 - day.weekday()) % 7)


def attachment_fields(
    attachment_id: int, name: str, content: bytes, ticket_id: int, options: SyncOptions
) -> dict[str, Any]:
    return {
        "parentID": ticket_id,
        "attachmentType": "FILE_ATTACHMENT",
        "fullPath": name,
        "title": marker(attachment_id, name)[:255],
        "publish": options.attachment_publish,
        "data": base64.b64encode(content).decode("ascii"),
    }


def _wire_dates(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: _wire(v) if isinstance(v, datetime) else v for k, v in fields.items()}


def _wire(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
