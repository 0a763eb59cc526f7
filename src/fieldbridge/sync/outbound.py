"""Outbound: a Field Nation work order event. Fetch the work order, compare it with what was last synced,
and write only the difference to Autotask: ticket fields, time entries, notes, expenses or charges, files.
An unlinked work order creates a ticket when Outbound Create is on (`outbound_create`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fieldbridge.autotask import (
    AutotaskClient,
    AutotaskError,
    ChildCollection,
    Condition,
    Entity,
    PermissionDeniedError,
    Record,
    begins_with,
    eq,
    where,
)
from fieldbridge.fieldnation import FieldNationClient, FieldNationError
from fieldbridge.fieldnation.models import Attachment, Expense, Message, TimeLog, WorkOrder
from fieldbridge.jobs.handlers import JobFailed
from fieldbridge.jobs.outcome import Outcome, Write
from fieldbridge.mapping import Document
from fieldbridge.sync import children, creates, outbound_create, pairs
from fieldbridge.sync.children import ChildKind, Linked, S, Wanted, Writer
from fieldbridge.sync.context import Context, save_at_end, utcnow
from fieldbridge.sync.inbound import pending_work_order
from fieldbridge.sync.markers import marked_id, marker
from fieldbridge.sync.outbound_rules import (
    ATTACHMENT_LIMIT_BYTES,
    as_sent,
    attachment_fields,
    charge_fields,
    expense_item_fields,
    fn_utc,
    messages,
    note_fields,
    outbound_source,
    ticket_changes,
    time_entry_fields,
    time_logs,
    week_ending,
)
from fieldbridge.sync.pairs import SKIPPED, Pair

T = TypeVar("T")
CREATED = "workorder.created"
NOT_TICKET_FIX = "Set the connector's Service Object Name to ticket if time entries and charges must sync."


def sync_work_order(ctx: Context) -> Outcome:
    job = ctx.job
    pair = ctx.pair
    if pair is None and not ctx.config.outbound_create:
        return Outcome.ignored(
            f"work order {job.record_id}",
            f"Work order {job.record_id} is not linked and Outbound Create is off: nothing to do.",
        )
    if pair is not None and _event_name(job.payload) == CREATED:
        # The pair knows its work order exists (our import made it, or Outbound Create made the ticket for
        # it); whatever changed since comes with an event of its own. Nothing is read.
        return Outcome.of(f"{pair.autotask_entity} {pair.autotask_id}", [])
    fieldnation = ctx.clients.fieldnation
    work_order = _read(job.record_id, lambda: fieldnation.workorders.get(job.record_id))
    if pair is None and _import_pending(ctx, work_order.correlation_id):
        # Made by an inbound import (it carries its ticket's id) that has not linked it yet: a ticket made
        # here would duplicate the one it came from.
        raise JobFailed(
            f"Work order {job.record_id} was made from Autotask record {work_order.correlation_id}, "
            "whose import has not finished; syncing it once they are linked.",
            "Nothing to do: the next attempt finds them linked.",
            retry_in=5.0,
        )
    read = WorkOrderRead(work_order, _read(job.record_id, lambda: fieldnation.expenses.of(work_order)))
    document = ctx.outbound.apply(read.source)
    if pair is None:
        pair = outbound_create.create_ticket(ctx, document)
        done = [Write("created", pair.autotask_entity, pair.autotask_id, "Outbound Create")]
    else:
        done = []
    pair.work_order_status = work_order.status.id if work_order.status else None
    # A ticket made now is what the work order holds (nothing to update); one an earlier attempt made is
    # brought up to date.
    done += _update_record(ctx, pair, document.get("Ticket", {}))
    done += _sync_children(ctx, pair, read, document)
    save_at_end(job, pair)
    return Outcome.of(f"{pair.autotask_entity} {pair.autotask_id}", done)


def _event_name(payload: dict[str, Any] | None) -> str | None:
    event = (payload or {}).get("event")
    return event.get("name") if isinstance(event, dict) else None


def _read(work_order_id: int, read: Callable[[], T]) -> T:
    try:
        return read()
    except FieldNationError as error:
        raise JobFailed(f"Field Nation work order {work_order_id} could not be read: {error}") from error


@dataclass(frozen=True)
class WorkOrderRead:
    """A work order with its expenses (in its pay, or listed apart when it does not carry them all)."""

    work_order: WorkOrder
    expenses: list[Expense]

    @property
    def source(self) -> Document:
        """The record the outbound mappings read."""
        return outbound_source(as_sent(self.work_order), [as_sent(e) for e in self.expenses])


def read_work_order(fieldnation: FieldNationClient, work_order_id: int) -> WorkOrderRead:
    work_order = fieldnation.workorders.get(work_order_id)
    return WorkOrderRead(work_order, fieldnation.expenses.of(work_order))


def _update_record(ctx: Context, pair: Pair, ticket: Document) -> list[Write]:
    changes = ticket_changes(pair.outbound, ticket, pair.record, ctx.outbound_statics)
    pair.outbound = ticket
    if changes and ctx.config.service_object != "ticket":
        changes = _fields_of_entity(ctx, changes)
    if None in changes.values():
        changes = _required_kept(ctx, pair, changes)
    if not changes:
        return []
    with children.refused(f"The update of {ctx.entity_path} {pair.autotask_id} was refused"):
        ctx.clients.autotask.update(ctx.entity_path, pair.autotask_id, changes)
    # The record as it is now, so the webhook Autotask sends about our own write changes nothing inbound.
    lowered = {name.lower(): name for name in pair.record}
    for name, value in changes.items():
        pair.record[lowered.get(name.lower(), name)] = value
    pair.inbound = ctx.inbound.apply(pair.record)
    return [Write("updated", pair.autotask_entity, pair.autotask_id, ", ".join(sorted(changes)))]


def _required_kept(ctx: Context, pair: Pair, changes: Record) -> Record:
    """A field Autotask requires is never cleared: when the mappings give it no value for this work order
    (a status mapping without the work order's status, say approved), it keeps its value, and the history
    says which mapping to complete. Without this the update is refused and every later event of the pair
    with it."""
    required = {f.name.lower() for f in ctx.clients.autotask.fields(ctx.entity_path) if f.is_required}
    left = sorted(name for name, value in changes.items() if value is None and name.lower() in required)
    if left:
        ctx.job.skip(
            f"The outbound mappings give no value for {', '.join(left)} for work order "
            f"{pair.work_order_id} as it is now, and Autotask requires one, so "
            f"{pair.autotask_entity} {pair.autotask_id} kept its value.",
            "Map every state the work order can reach (for the status: approved and paid too) in the "
            "outbound mappings.",
        )
    return {name: value for name, value in changes.items() if name not in left}


def _fields_of_entity(ctx: Context, changes: Record) -> Record:
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
        ctx.job.skip(
            f"{ctx.entity_path} has no field or value for {', '.join(dropped)}; those mapped values were "
            "not written.",
            "Remove those outbound mappings, or set the service object to ticket.",
        )
    return kept


# What each Field Nation record under a work order becomes under its ticket.
TIME_ENTRIES = ChildKind(
    "time entry", "TimeEntry", "time_log", origin="fieldnation", follows_edits=True, on_delete="delete"
)
CHARGES = ChildKind(
    "charge", "TicketCharge", "expense", origin="fieldnation", follows_edits=True, on_delete="delete"
)
EXPENSE_ITEMS = ChildKind(
    "expense item", "ExpenseItem", "expense", origin="fieldnation", follows_edits=True, on_delete="void"
)
NOTES = ChildKind(
    "note", "TicketNote", "message", origin="fieldnation", follows_edits=False, on_delete="keep"
)
ATTACHMENTS = ChildKind(
    "attachment",
    "TicketAttachment",
    "attachment",
    origin="fieldnation",
    follows_edits=False,
    on_delete="delete",
)


def _sync_children(ctx: Context, pair: Pair, read: WorkOrderRead, document: Document) -> list[Write]:
    work_order = read.work_order
    if ctx.config.service_object != "ticket":
        # Time entries, charges, notes and attachments hang off tickets only.
        if time_logs(work_order) or read.expenses or messages(work_order):
            _warn_not_ticket(ctx, pair)
        return []
    done = children.write(ctx, pair, *_time_entries(ctx, pair, work_order, document))
    if ctx.config.expense_target == "charge":
        done += children.write(ctx, pair, *_charges(ctx, pair, read.expenses))
    else:
        done += children.write(ctx, pair, *_expense_items(ctx, pair, read.expenses, document))
    done += children.write(ctx, pair, *_notes(ctx, pair, work_order))
    if ctx.config.attachment_sync:
        done += children.write(ctx, pair, *_attachments(ctx, pair, work_order))
    return done


def _warn_not_ticket(ctx: Context, pair: Pair) -> None:
    message = (
        f"Time logs, expenses and messages of work order {pair.work_order_id} were not written: the service "
        f"object is {ctx.config.service_object}, and Autotask takes time entries, charges and notes only on "
        "tickets."
    )
    ctx.job.skip(message, NOT_TICKET_FIX)
    if "not_ticket" not in pair.warned:
        pair.warned.append("not_ticket")
        ctx.notify(message, NOT_TICKET_FIX)


Children = tuple[Writer[S], list[Wanted[S]], set[int]]
"""What `children.write` takes for one kind: its writer, the children wanted now, the ids still present."""


def _time_entries(ctx: Context, pair: Pair, work_order: WorkOrder, document: Document) -> Children[TimeLog]:
    autotask, options, logs = ctx.clients.autotask, ctx.options, time_logs(work_order)
    mapped = document.get("TimeEntry") or []
    wanted = []
    for index, log in enumerate(logs):
        extra = mapped[index] if index < len(mapped) else {}
        fields = time_entry_fields(log, extra, pair.autotask_id, options)
        if fields is not None:  # open or empty: present, not written yet
            wanted.append(Wanted(log.id, fields, log))
    writer = Writer[TimeLog](
        TIME_ENTRIES,
        find=_marked(ctx, "TimeEntries", eq("ticketID", pair.autotask_id), options.time_marker_field),
        create=lambda child: autotask.create("TimeEntries", child.written),
        update=lambda entry_id, child: autotask.update("TimeEntries", entry_id, child.written),
        delete=lambda link: _deleted(autotask, "TimeEntries", link),
    )
    return writer, wanted, {log.id for log in logs}


def _charges(ctx: Context, pair: Pair, expenses: list[Expense]) -> Children[Expense]:
    autotask, options = ctx.clients.autotask, ctx.options
    collection = ChildCollection("Tickets", pair.autotask_id, "Charges")
    wanted = [Wanted(e.id, charge_fields(e, pair.autotask_id, options), e) for e in expenses]
    writer = Writer[Expense](
        CHARGES,
        find=_marked(ctx, "TicketCharges", eq("ticketID", pair.autotask_id), options.charge_marker_field),
        create=lambda child: autotask.create(collection, child.written),
        update=lambda charge_id, child: autotask.update(collection, charge_id, child.written),
        delete=lambda link: _charge_deleted(ctx, pair, collection, link),
    )
    return writer, wanted, {e.id for e in expenses}


def _charge_deleted(ctx: Context, pair: Pair, charges: ChildCollection, link: Linked) -> bool:
    """The setup guide's security level may add and edit ticket charges, not delete them: without that
    grant the charge stays, and the history says how to remove it."""
    try:
        ctx.clients.autotask.delete(charges, link.copy_id)
    except PermissionDeniedError:
        ctx.job.skip(
            f"Expense {link.origin_id} was deleted in Field Nation, but charge {link.copy_id} "
            f"stays on {pair.autotask_entity} {pair.autotask_id}: the API user may not delete ticket "
            "charges.",
            "Delete the charge in Autotask by hand, or grant Ticket Costs (Charges) — Delete in the API "
            "user's security level so deleted expenses take their charges with them.",
        )
        return False
    return True


def _expense_items(
    ctx: Context, pair: Pair, expenses: list[Expense], document: Document
) -> Children[Expense]:
    autotask = ctx.clients.autotask
    mapped = (document.get("expense") or {}).get("items") or []
    ticket = pair.record or {"id": pair.autotask_id}
    wanted = []
    for index, expense in enumerate(expenses):
        extra = mapped[index] if index < len(mapped) else {}
        fields = expense_item_fields(expense, extra, 0, ticket, ctx.options)
        fields.pop("expenseReportID")  # the report is chosen when the item is made, and never changes
        wanted.append(Wanted(expense.id, fields, expense))

    def create(child: Wanted[Expense]) -> int:
        report_id = _open_report(ctx, pair, child.source)
        items = ChildCollection("Expenses", report_id, "Items")
        try:
            return autotask.create(items, {**child.written, "expenseReportID": report_id})
        except AutotaskError:
            # The report may have been submitted in Autotask since: the retry looks for an open one.
            _forget_report(ctx, pair, report_id)
            raise

    writer = Writer[Expense](
        EXPENSE_ITEMS,
        find=_marked(ctx, "ExpenseItems", eq("ticketID", pair.autotask_id), "description"),
        create=create,
        update=lambda item_id, child: autotask.update(_items_of(ctx, item_id), item_id, child.written),
        delete=lambda link: _expense_item_voided(ctx, link),
    )
    return writer, wanted, {e.id for e in expenses}


def _expense_item_voided(ctx: Context, link: Linked) -> bool:
    """Autotask's API cannot delete an expense item: it is voided instead, so it no longer counts, unless
    its report was submitted (then Autotask refuses any change, and the history says what to do)."""
    voided: Record = {
        "expenseCurrencyExpenseAmount": 0,
        "isBillableToCompany": False,
        "description": marker(link.origin_id, "deleted in Field Nation"),
    }
    try:
        ctx.clients.autotask.update(_items_of(ctx, link.copy_id), link.copy_id, voided)
    except AutotaskError as error:
        ctx.job.skip(
            f"Expense {link.origin_id} was deleted in Field Nation, but expense item {link.copy_id} could "
            f"not be voided: {error}",
            f"Remove expense item {link.copy_id} from its expense report in Autotask by hand (a submitted "
            "report must be rejected first).",
        )
        return False
    return True


def _items_of(ctx: Context, item_id: int) -> ChildCollection:
    """The expense report collection an item is written through (Autotask changes items only there)."""
    item = ctx.clients.autotask.get("ExpenseItems", item_id)
    if item is None:
        raise JobFailed(
            f"Expense item {item_id} is not in Autotask any more, or the API user may not see it.",
            "If it was deleted in Autotask on purpose, nothing is to be done; else check the API user's "
            "access to expense reports.",
            retry=False,
        )
    return ChildCollection("Expenses", int(item["expenseReportID"]), "Items")


def _notes(ctx: Context, pair: Pair, work_order: WorkOrder) -> Children[Message]:
    autotask, posted = ctx.clients.autotask, messages(work_order)
    notes = ChildCollection("Tickets", pair.autotask_id, "Notes")
    wanted = [Wanted(m.id, note_fields(m, pair.autotask_id, ctx.options), m) for m in posted]
    writer = Writer[Message](
        NOTES,
        find=_marked(ctx, "TicketNotes", eq("ticketID", pair.autotask_id), "description"),
        create=lambda child: autotask.create(notes, child.written),
    )
    return writer, wanted, {w.origin_id for w in wanted}


def _attachments(ctx: Context, pair: Pair, work_order: WorkOrder) -> Children[Attachment]:
    autotask, fieldnation, options = ctx.clients.autotask, ctx.clients.fieldnation, ctx.options
    collection = ChildCollection("Tickets", pair.autotask_id, "Attachments")
    with ctx.job.db.transaction() as session:
        linked = pairs.children(session, pair, ATTACHMENTS.fieldnation_entity)
    wanted, present = [], set()
    for folder in work_order.attachments.results if work_order.attachments else []:
        for attachment in folder.results:
            present.add(attachment.id)
            file = attachment.file
            name = (file.name if file else "") or f"attachment-{attachment.id}"
            size = (file.size if file else None) or 0
            if size <= ATTACHMENT_LIMIT_BYTES:
                filed = attachment.model_copy(update={"folder_id": folder.id})
                wanted.append(Wanted(attachment.id, {"name": name, "size": size}, filed))
            elif attachment.id not in linked:
                _skip_large_file(ctx, pair, attachment.id, name, size)

    def create(child: Wanted[Attachment]) -> int:
        folder_id = child.source.folder_id
        assert folder_id is not None  # set above
        try:
            content = fieldnation.attachments.download(pair.work_order_id, folder_id, child.origin_id)
        except FieldNationError as error:
            raise JobFailed(
                f"Field Nation file {child.origin_id} could not be downloaded: {error}"
            ) from error
        name = str(child.written["name"])
        return autotask.create(
            collection, attachment_fields(child.origin_id, name, content, pair.autotask_id, options)
        )

    writer = Writer[Attachment](
        ATTACHMENTS,
        find=_marked(ctx, "TicketAttachments", eq("parentID", pair.autotask_id), "title"),
        create=create,
        delete=lambda link: _deleted(autotask, collection, link),
    )
    return writer, wanted, present


def _skip_large_file(ctx: Context, pair: Pair, attachment_id: int, name: str, size: int) -> None:
    """Reported once: the skip is remembered as a link to nothing."""
    ctx.job.skip(
        f"File {name!r} ({size} bytes) of work order {pair.work_order_id} was not attached to "
        f"{pair.autotask_entity} {pair.autotask_id}: Autotask takes files up to "
        f"{ATTACHMENT_LIMIT_BYTES} bytes.",
        "Attach a smaller copy in Autotask by hand, or link to the file instead.",
    )
    with ctx.job.db.transaction() as session:
        pairs.save_child(
            session,
            ctx.job.connector.id,
            pair,
            (SKIPPED, -attachment_id),
            (ATTACHMENTS.fieldnation_entity, attachment_id),
            {},
            utcnow(),
        )


def _marked(ctx: Context, entity: str, parent: Condition, field: str) -> Callable[[Wanted[Any]], int | None]:
    """Finds the record made for a child by the `(#<id>)` marker that starts `field`."""

    def find(child: Wanted[Any]) -> int | None:
        query = where(parent, begins_with(field, f"(#{child.origin_id})"), include_fields=("id", field))
        found = [
            int(record["id"])
            for record in ctx.clients.autotask.query(entity, query)
            if marked_id(record.get(field)) == child.origin_id  # not (#12) for (#123)
        ]
        return min(found, default=None)

    return find


def _deleted(autotask: AutotaskClient, entity: Entity, link: Linked) -> bool:
    autotask.delete(entity, link.copy_id)
    return True


def _open_report(ctx: Context, pair: Pair, expense: Expense) -> int:
    """The submitter's open expense report for the expense's week: the one this pair used last for that
    week, else one found in Autotask, else a new one."""
    submitter = ctx.options.resource_id
    if submitter is None:
        raise JobFailed(
            "Expenses cannot be written: no Autotask resource is set to submit expense reports as.",
            "Set the sync options resource_id and role_id to the resource Field Nation work is booked to.",
            retry=False,
        )
    added = fn_utc(expense.added) or utcnow()
    week = week_ending(added.date()).isoformat()
    key = f"{submitter}:{week}"
    if key in pair.reports:
        return pair.reports[key]
    # Every pair shares the submitter's report of a week, and pair locks keep only each pair's own events
    # apart: the submitter's lock makes one flow at a time look for the report and make it.
    ctx.job.lock("autotask", "Resource", submitter)
    autotask = ctx.clients.autotask
    # Open: in progress and not submitted (the flag is what refuses new items; the status follows it).
    query = where(
        eq("submitterID", submitter),
        eq("weekEnding", f"{week}T00:00:00.000"),
        eq("status", 1),
        eq("submit", False),
        include_fields=("id",),
    )

    def find() -> int | None:
        found = next(iter(autotask.query("ExpenseReports", query)), None)
        return None if found is None else int(found["id"])

    report = {
        "name": f"Field Nation expenses, week ending {week}",
        "submitterID": submitter,
        "weekEnding": f"{week}T00:00:00.000",
    }
    create = creates.Create(
        key=f"ExpenseReport<-{key}",
        what=f"the expense report for the week ending {week}",
        find=find,
        send=lambda: autotask.create("ExpenseReports", report),
    )
    report_id = find() or creates.create_once(ctx, create).id
    with ctx.job.db.transaction() as session:
        creates.settled(session, ctx.job.connector.id, create.key)
    pair.reports[key] = report_id
    return report_id


def _forget_report(ctx: Context, pair: Pair, report_id: int) -> None:
    pair.reports = {key: known for key, known in pair.reports.items() if known != report_id}
    with ctx.job.db.transaction() as session:
        pairs.save(session, ctx.job.connector.id, pair, utcnow())


def _import_pending(ctx: Context, correlation_id: str | None) -> bool:
    """Whether this work order may be the one an unfinished import is making: its correlation id names an
    Autotask record whose work order create is pending (sent, not linked yet)."""
    if not correlation_id or not correlation_id.isdigit():
        return False
    entity = ctx.service_object.entity
    with ctx.job.db.transaction() as session:
        key = pending_work_order(entity, int(correlation_id))
        return creates.is_pending(session, ctx.job.connector.id, key)
