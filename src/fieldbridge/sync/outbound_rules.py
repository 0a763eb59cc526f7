"""Outbound decisions, pure: the record the outbound mappings read, and the Autotask fields each Field
Nation child (time log, message, expense, file) becomes.

Every child carries its original's id as a marker (`markers`), so it can be found again after a lost answer
or a lost link.
"""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fieldbridge.autotask import Record
from fieldbridge.fieldnation.models import Expense, FieldNationModel, FnDate, Message, TimeLog, WorkOrder
from fieldbridge.mapping import Document
from fieldbridge.sync.markers import marker
from fieldbridge.sync.options import SyncOptions

ATTACHMENT_LIMIT_BYTES = 6 * 1024 * 1024
"""Autotask's FILE_ATTACHMENT limit (Autotask: about 6-7 MB per file; the lower bound is the safe one)."""


def outbound_source(work_order: Document, expenses: list[Document]) -> Document:
    """The work order (as Field Nation sends it) as the guide's outbound table names it: `notes` (closing
    notes), `time_window`, `time_logs[i].StartDateTime`/`EndDateTime`, `expenses[i]`; the rest as is."""
    window = (work_order.get("schedule") or {}).get("service_window") or {}
    logs = [
        {**log, "StartDateTime": _created(log.get("in")), "EndDateTime": _created(log.get("out"))}
        for log in (work_order.get("time_logs") or {}).get("results") or []
    ]
    return {
        **work_order,
        "notes": work_order.get("closing_notes"),
        "time_window": {"start": window.get("start"), "end": window.get("end") or window.get("start")},
        "time_logs": logs,
        "expenses": expenses,
    }


def _created(side: Document | None) -> Any:
    return (side or {}).get("created")


def time_logs(work_order: WorkOrder) -> list[TimeLog]:
    return work_order.time_logs.results if work_order.time_logs else []


def messages(work_order: WorkOrder) -> list[Message]:
    """Every message of the work order: each thread and its replies."""
    return every_message(work_order.messages.results if work_order.messages else [])


def every_message(threads: list[Message]) -> list[Message]:
    """Each thread and its replies."""
    return [m for thread in threads for m in [thread, *(thread.replies.results if thread.replies else [])]]


def as_sent(model: FieldNationModel) -> Document:
    """A record as Field Nation sends it: what the mappings read, under Field Nation's own names."""
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def ticket_changes(before: Document | None, after: Document, ticket: Record, statics: Document) -> Record:
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


def outbound_after_write(before: Document | None, now: Document, ticket: Record) -> Document:
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


def fn_utc(value: FnDate | str | None) -> datetime | None:
    """A Field Nation date (its `utc`, "YYYY-MM-DD HH:MM:SS", or that bare string) as an aware datetime."""
    text = value.utc if isinstance(value, FnDate) else value
    if not text:
        return None
    return datetime.strptime(str(text)[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def closed_span(log: TimeLog) -> tuple[datetime, datetime] | None:
    """When a time log started and ended; None while it is open or empty (Autotask refuses a time entry
    that does not end after it starts)."""
    start = fn_utc(log.check_in.created if log.check_in else None)
    end = fn_utc(log.check_out.created if log.check_out else None)
    return (start, end) if start is not None and end is not None and end > start else None


def time_entry_fields(log: TimeLog, mapped: Document, ticket_id: int, options: SyncOptions) -> Record | None:
    """A TimeEntry for a closed time log (`closed_span`), else None."""
    span = closed_span(log)
    if span is None:
        return None
    start, end = span
    notes = "Field Nation time log"
    fields: Record = {
        "ticketID": ticket_id,
        "resourceID": options.resource_id,
        "roleID": options.role_id,
        "dateWorked": start.replace(hour=0, minute=0, second=0),
        "startDateTime": start,
        "endDateTime": end,
        "summaryNotes": notes,
    }
    fields.update(mapped)
    fields[options.time_marker_field] = marker(log.id, fields.get(options.time_marker_field) or notes)
    return _wire_dates(fields)


def note_fields(message: Message, ticket_id: int, options: SyncOptions) -> Record:
    sender = (message.sender.name if message.sender else None) or "Field Nation"
    return {
        "ticketID": ticket_id,
        "title": f"Field Nation message from {sender}"[:250],
        "description": marker(message.id, message.message),
        "noteType": options.note_type,
        "publish": options.note_publish,
    }


def charge_fields(expense: Expense, ticket_id: int, options: SyncOptions) -> Record:
    category = (expense.category.name if expense.category else None) or "Expense"
    quantity = expense.quantity or 1.0
    text = marker(expense.id, expense.description or category)
    return {
        "ticketID": ticket_id,
        "name": f"Field Nation: {category}"[:100],
        "chargeType": options.charge_type,
        "unitQuantity": quantity,
        "unitCost": round(expense.amount / quantity, 2),
        "datePurchased": _expense_date(expense),
        options.charge_marker_field: text,
    }


def expense_item_fields(
    expense: Expense, mapped: Document, report_id: int, ticket: Record, options: SyncOptions
) -> Record:
    fields: Record = {
        "expenseReportID": report_id,
        "description": marker(expense.id, expense.description)[:128],
        "expenseDate": _expense_date(expense),
        "expenseCategory": options.expense_category,
        "paymentType": options.payment_type,
        "haveReceipt": False,
        "isBillableToCompany": True,
        "expenseCurrencyExpenseAmount": expense.amount,
        "ticketID": ticket["id"],
        "companyID": ticket.get("companyID"),
    }
    fields.update(mapped)  # the guide's ExpenseAmount arrives under its REST name (mapping.paths)
    return fields


def _expense_date(expense: Expense) -> str:
    return _wire(fn_utc(expense.added) or datetime.now(UTC))


def week_ending(day: date) -> date:
    """The Saturday ending `day`'s week: one expense report per submitter and week."""
    return day + timedelta(days=(5 - day.weekday()) % 7)


def attachment_fields(
    attachment_id: int, name: str, content: bytes, ticket_id: int, options: SyncOptions
) -> Record:
    return {
        "parentID": ticket_id,
        "attachmentType": "FILE_ATTACHMENT",
        "fullPath": name,
        "title": marker(attachment_id, name)[:255],
        "publish": options.attachment_publish,
        "data": base64.b64encode(content).decode("ascii"),
    }


def _wire_dates(fields: Record) -> Record:
    return {k: _wire(v) if isinstance(v, datetime) else v for k, v in fields.items()}


def _wire(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
