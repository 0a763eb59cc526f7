"""Outbound: a Field Nation work order event. Fetch the work order, compare it with what was last synced,
and write only the difference to Autotask: ticket fields, time entries, notes, expenses or charges, files.
An unlinked work order creates a ticket when Outbound Create is on (`outbound_create`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fieldbridge.autotask import AutotaskError, ChildCollection, begins_with, eq, where
from fieldbridge.fieldnation import FieldNationError
from fieldbridge.jobs.handlers import JobFailed
from fieldbridge.store import inbox
from fieldbridge.sync import outbound_create, pairs
from fieldbridge.sync.context import Context, utcnow
from fieldbridge.sync.fingerprint import fingerprint
from fieldbridge.sync.outbound_rules import (
    ATTACHMENT_LIMIT_BYTES,
    attachment_fields,
    charge_fields,
    expense_item_fields,
    fn_utc,
    note_fields,
    outbound_source,
    ticket_changes,
    time_entry_fields,
    week_ending,
)
from fieldbridge.sync.pairs import SKIPPED, WORK_ORDER, Pair

NOT_TICKET_FIX = "Set the connector's Service Object Name to ticket if time entries and charges must sync."


def sync_work_order(ctx: Context) -> str:
    job = ctx.job
    try:
        work_order = ctx.clients.fieldnation.workorders.get(job.record_id)
        expenses = [
            e.model_dump(mode="json", by_alias=True)
            for e in ctx.clients.fieldnation.expenses.list(job.record_id)
        ]
    except FieldNationError as error:
        raise JobFailed(f"Field Nation work order {job.record_id} could not be read: {error}") from error
    source = outbound_source(work_order.model_dump(mode="json", by_alias=True, exclude_none=True), expenses)
    document = ctx.outbound.apply(source)
    with job.db.transaction() as session:
        pair = pairs.find(session, job.connector.id, "fieldnation", WORK_ORDER, job.record_id)
    if pair is None:
        if not ctx.config.outbound_create:
            return f"Work order {job.record_id} is not linked and Outbound Create is off: nothing to do."
        if _being_imported(ctx, work_order.correlation_id):
            # Made by an inbound import (it carries its ticket's id) whose link is not saved yet: the two
            # records lock apart until linked, so creating a ticket here would duplicate the one it came from.
            raise JobFailed(
                f"Work order {job.record_id} was made from Autotask record {work_order.correlation_id}, "
                "whose import has not finished; syncing it once they are linked.",
                "Nothing to do: the next attempt finds them linked.",
            )
        pair = outbound_create.create_ticket(ctx, document)
        done = [f"ticket {pair.autotask_id} created (Outbound Create)"]
    else:
        done = _update_record(ctx, pair, document.get("Ticket", {}))
    done += _sync_children(ctx, pair, source, document)
    with job.db.transaction() as session:
        pairs.save(session, job.connector.id, pair, utcnow())
    if not done:
        return f"Nothing changed for {pair.autotask_entity} {pair.autotask_id}."
    return f"{pair.autotask_entity} {pair.autotask_id}: " + "; ".join(done) + "."


@contextmanager
def _refused(what: str) -> Iterator[None]:
    """An Autotask failure becomes a JobFailed with the client's cause and fix (the worker retries it)."""
    try:
        yield
    except AutotaskError as error:
        raise JobFailed(f"{what}: {error}", error.cause.fix if error.cause else None) from error


def _update_record(ctx: Context, pair: Pair, ticket: dict[str, Any]) -> list[str]:
    changes = ticket_changes(pair.outbound, ticket)
    pair.outbound = ticket
    if changes and ctx.config.service_object != "ticket":
        changes = _fields_of_entity(ctx, changes)
    if not changes:
        return []
    with _refused("Autotask refused the update"):
        ctx.clients.autotask.update(ctx.entity_path, pair.autotask_id, changes)
    # The record as it is now, so the webhook Autotask sends about our own write changes nothing inbound.
    lowered = {name.lower(): name for name in pair.record}
    for name, value in changes.items():
        pair.record[lowered.get(name.lower(), name)] = value
    pair.inbound = ctx.inbound.apply(pair.record)
    return ["updated " + ", ".join(sorted(changes))]


def _fields_of_entity(ctx: Context, changes: dict[str, Any]) -> dict[str, Any]:
    """Ticket mappings written to a service call or project: fields the entity lacks, and picklist values
    it does not have (ticket statuses are not service call statuses), are left out; the history says which."""
    known = {field.name.lower(): field for field in ctx.clients.autotask.fields(ctx.entity_path)}

    def fits(name: str, value: Any) -> bool:
        field = known.get(name.lower())
        if field is None or not field.is_pick_list or value is None:
            return field is not None
        return str(value) in {v.value for v in field.picklist_values}

    kept = {name: value for name, value in changes.items() if fits(name, value)}
    if dropped := sorted(changes.keys() - kept.keys()):
        ctx.note(
            "warning",
            "skipped",
            f"{ctx.entity_path} has no field or value for {', '.join(dropped)}; those mapped values were "
            "not written.",
            "Remove those outbound mappings, or set the service object to ticket.",
        )
    return kept


def _sync_children(ctx: Context, pair: Pair, source: dict[str, Any], document: dict[str, Any]) -> list[str]:
    if ctx.config.service_object != "ticket":
        # Time entries, charges, notes and attachments hang off tickets only.
        if source["time_logs"] or source["expenses"] or (source.get("messages") or {}).get("results"):
            _warn_not_ticket(ctx, pair)
        return []
    done = _time_entries(ctx, pair, source["time_logs"], document.get("TimeEntry") or [])
    if ctx.config.expense_target == "charge":
        done += _charges(ctx, pair, source["expenses"])
    else:
        items = (document.get("expense") or {}).get("items") or []
        done += _expense_items(ctx, pair, source["expenses"], items)
    done += _notes(ctx, pair, source)
    if ctx.config.attachment_sync:
        done += _attachments(ctx, pair, source)
    return done


def _warn_not_ticket(ctx: Context, pair: Pair) -> None:
    message = (
        f"Time logs, expenses and messages of work order {pair.work_order_id} were not written: the service "
        f"object is {ctx.config.service_object}, and Autotask takes time entries, charges and notes only on "
        "tickets."
    )
    ctx.note("warning", "skipped", message, NOT_TICKET_FIX)
    if "not_ticket" not in pair.warned:
        pair.warned.append("not_ticket")
        ctx.notify(message, NOT_TICKET_FIX)


def _time_entries(
    ctx: Context, pair: Pair, logs: list[dict[str, Any]], mapped: list[dict[str, Any]]
) -> list[str]:
    autotask, done = ctx.clients.autotask, []
    with ctx.job.db.transaction() as session:
        linked = pairs.children(session, pair, "time_log")
    for index, log in enumerate(logs):
        fields = time_entry_fields(
            log, mapped[index] if index < len(mapped) else {}, pair.autotask_id, ctx.options
        )
        if fields is None:
            continue
        link = linked.pop(int(log["id"]), None)
        if link is not None and link.fingerprint == fingerprint(fields):
            continue
        if link is not None:
            with _refused("Autotask refused the time entry update"):
                autotask.update("TimeEntries", link.autotask_id, fields)
            entry_id, verb = link.autotask_id, "updated"
        else:
            marker_field = ctx.options.time_marker_field
            existing = where(eq("ticketID", pair.autotask_id), begins_with(marker_field, f"(#{log['id']})"))
            with _refused("Autotask refused the time entry"):
                entry_id = autotask.create("TimeEntries", fields, find_existing=existing)
            verb = "created"
        _save_child(ctx, pair, ("TimeEntry", entry_id), ("time_log", int(log["id"])), fields)
        done.append(f"time entry {entry_id} {verb}")
    for log_id, link in linked.items():
        with _refused("Autotask refused to delete the time entry"):
            autotask.delete("TimeEntries", link.autotask_id)
        with ctx.job.db.transaction() as session:
            session.delete(session.merge(link))
        done.append(f"time entry {link.autotask_id} deleted (time log {log_id} is gone)")
    return done


def _notes(ctx: Context, pair: Pair, source: dict[str, Any]) -> list[str]:
    threads = (source.get("messages") or {}).get("results") or []
    messages = [
        m for thread in threads for m in [thread, *((thread.get("replies") or {}).get("results") or [])]
    ]
    with ctx.job.db.transaction() as session:
        linked = pairs.children(session, pair, "message")
    notes = ChildCollection("Tickets", pair.autotask_id, "Notes")
    done = []
    for message in messages:
        if int(message["id"]) in linked:
            continue  # Field Nation messages cannot be edited: a linked one is done
        fields = note_fields(message, pair.autotask_id, ctx.options)
        with _refused("Autotask refused the note"):
            note_id = ctx.clients.autotask.create(notes, fields)
        _save_child(ctx, pair, ("TicketNote", note_id), ("message", int(message["id"])), fields)
        done.append(f"note {note_id} added")
    return done


def _charges(ctx: Context, pair: Pair, expenses: list[dict[str, Any]]) -> list[str]:
    charges = ChildCollection("Tickets", pair.autotask_id, "Charges")
    with ctx.job.db.transaction() as session:
        linked = pairs.children(session, pair, "expense")
    done = []
    for expense in expenses:
        fields = charge_fields(expense, pair.autotask_id, ctx.options)
        link = linked.get(int(expense["id"]))
        if link is not None and link.fingerprint == fingerprint(fields):
            continue
        if link is not None:
            with _refused("Autotask refused the charge update"):
                ctx.clients.autotask.update(charges, link.autotask_id, fields)
            charge_id = link.autotask_id
        else:
            with _refused("Autotask refused the charge"):
                charge_id = ctx.clients.autotask.create(charges, fields)
        _save_child(ctx, pair, ("TicketCharge", charge_id), ("expense", int(expense["id"])), fields)
        done.append(f"charge {charge_id} written")
    return done


def _expense_items(
    ctx: Context, pair: Pair, expenses: list[dict[str, Any]], mapped: list[dict[str, Any]]
) -> list[str]:
    autotask = ctx.clients.autotask
    with ctx.job.db.transaction() as session:
        linked = pairs.children(session, pair, "expense")
    done = []
    for index, expense in enumerate(expenses):
        link = linked.get(int(expense["id"]))
        report_id = _open_report(ctx, pair, expense) if link is None else None
        fields = expense_item_fields(
            expense,
            mapped[index] if index < len(mapped) else {},
            report_id or 0,
            pair.record or {"id": pair.autotask_id},
            ctx.options,
        )
        if link is not None:
            fields.pop("expenseReportID")
            if link.fingerprint == fingerprint(fields):
                continue
            with _refused("Autotask refused the expense item update"):
                autotask.update("ExpenseItems", link.autotask_id, fields)
            item_id = link.autotask_id
        else:
            items = ChildCollection("Expenses", int(report_id or 0), "Items")
            try:
                item_id = autotask.create(items, fields)
            except AutotaskError as error:
                # The report may have been submitted in Autotask since: the retry looks for an open one.
                _forget_report(ctx, pair, int(report_id or 0))
                raise JobFailed(
                    f"Autotask refused the expense item: {error}", error.cause.fix if error.cause else None
                ) from error
            fields.pop("expenseReportID")
        _save_child(ctx, pair, ("ExpenseItem", item_id), ("expense", int(expense["id"])), fields)
        done.append(f"expense item {item_id} written")
    return done


def _open_report(ctx: Context, pair: Pair, expense: dict[str, Any]) -> int:
    """The submitter's open expense report for the expense's week: the one this pair used last for that
    week, else one found in Autotask, else a new one."""
    submitter = ctx.options.resource_id
    if submitter is None:
        raise JobFailed(
            "Expenses cannot be written: no Autotask resource is set to submit expense reports as.",
            "Set the sync options resource_id and role_id to the resource Field Nation work is booked to.",
            retry=False,
        )
    added = fn_utc(expense.get("added")) or utcnow()
    week = week_ending(added.date()).isoformat()
    key = f"{submitter}:{week}"
    if key in pair.reports:
        return pair.reports[key]
    autotask = ctx.clients.autotask
    # Open: in progress and not submitted (the flag is what refuses new items; the status follows it).
    query = where(
        eq("submitterID", submitter),
        eq("weekEnding", f"{week}T00:00:00.000"),
        eq("status", 1),
        eq("submit", False),
    )
    with _refused("Autotask refused the expense report lookup"):
        found = next(iter(autotask.query("ExpenseReports", query)), None)
    if found is not None:
        pair.reports[key] = int(found["id"])
        return pair.reports[key]
    report = {
        "name": f"Field Nation expenses, week ending {week}",
        "submitterID": submitter,
        "weekEnding": f"{week}T00:00:00.000",
    }
    with _refused("Autotask refused the expense report"):
        pair.reports[key] = autotask.create("ExpenseReports", report, find_existing=query)
    return pair.reports[key]


def _forget_report(ctx: Context, pair: Pair, report_id: int) -> None:
    pair.reports = {key: known for key, known in pair.reports.items() if known != report_id}
    with ctx.job.db.transaction() as session:
        pairs.save(session, ctx.job.connector.id, pair, utcnow())


def _attachments(ctx: Context, pair: Pair, source: dict[str, Any]) -> list[str]:
    folders = (source.get("attachments") or {}).get("results") or []
    with ctx.job.db.transaction() as session:
        linked = pairs.children(session, pair, "attachment")
    collection = ChildCollection("Tickets", pair.autotask_id, "Attachments")
    done = []
    for folder in folders:
        for attachment in folder.get("results") or []:
            attachment_id = int(attachment["id"])
            if attachment_id in linked:
                continue
            file = attachment.get("file") or {}
            name, size = str(file.get("name") or f"attachment-{attachment_id}"), int(file.get("size") or 0)
            if size > ATTACHMENT_LIMIT_BYTES:
                ctx.note(
                    "warning",
                    "skipped",
                    f"File {name!r} ({size} bytes) of work order {pair.work_order_id} was not attached to "
                    f"{pair.autotask_entity} {pair.autotask_id}: Autotask takes files up to "
                    f"{ATTACHMENT_LIMIT_BYTES} bytes.",
                    "Attach a smaller copy in Autotask by hand, or link to the file instead.",
                )
                _save_child(ctx, pair, (SKIPPED, -attachment_id), ("attachment", attachment_id), {})
                continue
            try:
                content = ctx.clients.fieldnation.attachments.download(
                    pair.work_order_id, int(folder["id"]), attachment_id
                )
            except FieldNationError as error:
                raise JobFailed(
                    f"Field Nation file {attachment_id} could not be downloaded: {error}"
                ) from error
            fields = attachment_fields(name, content, pair.autotask_id, ctx.options)
            with _refused("Autotask refused the attachment"):
                new_id = ctx.clients.autotask.create(collection, fields)
            _save_child(
                ctx,
                pair,
                ("TicketAttachment", new_id),
                ("attachment", attachment_id),
                {"name": name, "size": size},
            )
            done.append(f"attachment {new_id} added")
    return done


def _save_child(
    ctx: Context, pair: Pair, autotask: tuple[str, int], fieldnation: tuple[str, int], written: Any
) -> None:
    with ctx.job.db.transaction() as session:
        pairs.save_child(session, ctx.job.connector.id, pair, autotask, fieldnation, written, utcnow())


def _being_imported(ctx: Context, correlation_id: str | None) -> bool:
    """A correlation id that names an Autotask record with an unfinished inbound event: our own work order.
    Another system's correlation id (not a record we are importing) does not hold Outbound Create back."""
    if not correlation_id or not correlation_id.isdigit():
        return False
    with ctx.job.db.transaction() as session:
        return inbox.unfinished(session, ctx.job.connector.id, "autotask", int(correlation_id))
