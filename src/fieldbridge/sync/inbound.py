"""Inbound: an Autotask record (ticket, service call or project) becomes a Field Nation work order, or
updates the one it is linked to with only the fields whose mapped value changed."""

from __future__ import annotations

from sqlalchemy.orm import Session

from fieldbridge.autotask import AutotaskError, ChildCollection, Record
from fieldbridge.autotask.records import TicketNote
from fieldbridge.autotask.service_objects import RELATED, status_field
from fieldbridge.fieldnation import BadRequestError, FieldNationError
from fieldbridge.fieldnation.models import WorkOrder
from fieldbridge.jobs.handlers import JobFailed
from fieldbridge.jobs.outcome import Outcome, Write
from fieldbridge.mapping import Document
from fieldbridge.sync import children, creates, pairs
from fieldbridge.sync.children import ChildKind, Wanted, Writer
from fieldbridge.sync.clients import ConnectorClients
from fieldbridge.sync.context import Context, save_at_end, utcnow
from fieldbridge.sync.inbound_rules import (
    DRAFT,
    SETTABLE_STATUSES,
    WorkOrderWrites,
    complete_status,
    created_work_order,
    field_value,
    note_goes,
    note_message,
    trigger_refusal,
    workorder_writes,
)
from fieldbridge.sync.markers import marked_id
from fieldbridge.sync.outbound_rules import as_sent, every_message, outbound_after_write, outbound_source
from fieldbridge.sync.pairs import WORK_ORDER, Pair


def import_record(ctx: Context) -> Outcome:
    job, autotask = ctx.job, ctx.clients.autotask
    record = _fetch(ctx, ctx.entity_path, ctx.job.record_id)
    pair = ctx.pair
    what = f"{job.entity} {job.record_id}"
    if pair is None and job.source == "autotask-webhook":
        refusal = trigger_refusal(ctx.options.triggers, (job.payload or {}).get("Fields"), record)
        if refusal is not None:
            return Outcome.ignored(what, f"Not imported: {refusal}.")
    status = status_field(autotask.fields(ctx.entity_path))
    complete = complete_status(status.picklist_values) if status else None
    if complete is not None and field_value(record, "status") == complete:
        excluded = f"{what} is in the Complete status ({complete}); completed records are excluded"
        return Outcome.ignored(what, f"Not loaded: {excluded}.")
    enriched = with_related(ctx.clients, record)
    document = ctx.inbound.apply(enriched)
    writes = workorder_writes(pair.inbound if pair else {}, document)
    created = pair is None
    answered: Document | None = None
    if pair is None:
        pair, answered = _create_work_order(ctx, enriched, writes)
        done = [Write("created", "work order", pair.work_order_id)]
    elif writes:
        answered = _write(ctx, pair.work_order_id, writes)
        done = [Write("updated", "work order", pair.work_order_id, _describe(writes))]
    else:
        done = []
    done += _note_messages(ctx, pair, enriched, None if created else pair.record)
    if not created and not done and (pair.record, pair.inbound) == (enriched, document):
        return Outcome.of(what, done)  # the snapshot holds all this already: nothing to save
    pair.record, pair.inbound = enriched, document
    if writes:
        # Our own write is no change for outbound to send back; a Field Nation change not written to
        # Autotask yet still is one, on a new work order too (a buyer may assign it as soon as it exists).
        view = answered or _outbound_view(ctx, pair.work_order_id)
        now = ctx.outbound.apply(view).get("Ticket", {})
        pair.outbound = outbound_after_write(pair.outbound, now, enriched)
    save_at_end(job, pair)
    return Outcome.of(what, done)


def current_record(ctx: Context, entity_path: str, record_id: int) -> Document:
    """The record as Autotask holds it now, with the related records the inbound mappings read: what a
    pair's inbound snapshot is taken from."""
    return with_related(ctx.clients, _fetch(ctx, entity_path, record_id))


def _fetch(ctx: Context, entity_path: str, record_id: int) -> Record:
    try:
        record = ctx.clients.get(entity_path, record_id)
    except AutotaskError as error:
        raise JobFailed(error.diagnosis, error.fix) from error
    if record is None:
        raise JobFailed(
            f"Autotask has no {entity_path} record {record_id}, or the API user may not see it.",
            "Check the id, and that the API user's security level and Line of Business let it see it.",
            retry=False,
        )
    return record


def with_related(clients: ConnectorClients, record: Record) -> Document:
    """The record with the related records its inbound mappings may read, as the import gives it to them."""
    enriched = dict(record)
    # Each related record the guide's inbound paths read (`Account.AccountName`), under every name the
    # mapping engine accepts for it.
    for related in RELATED:
        related_id = field_value(record, related.id_field)
        found = clients.related(related.endpoint, int(related_id)) if related_id is not None else None
        for name in related.names:
            enriched[name] = found
    return enriched


def _create_work_order(
    ctx: Context, record: Document, writes: WorkOrderWrites
) -> tuple[Pair, Document | None]:
    """The pair, and the work order as our writes left it when they answered it (None: not known)."""
    job = ctx.job
    fields = {"correlation_id": str(job.record_id), **writes.fields}
    fields.setdefault("title", f"{job.entity} {job.record_id}")
    workorders = ctx.clients.fieldnation.workorders
    correlation_id = str(fields["correlation_id"])
    create = creates.Create(
        key=pending_work_order(job.entity, job.record_id),
        what=f"the work order for {job.entity} {job.record_id}",
        find=lambda: _id_of(workorders.find_by_correlation_id(correlation_id)),
        send=lambda: workorders.create(fields).id,  # type: ignore[arg-type]
    )
    try:
        made = creates.create_once(ctx, create)
    except FieldNationError as error:
        raise _refused("Field Nation refused the new work order", error) from error
    work_order_id = made.id
    # What the work order holds as we make it is in sync: the baseline against which a Field Nation change
    # made from its first moment on (before the import reads it back) is seen.
    made_as = outbound_source(created_work_order(work_order_id, fields, writes.status), [])
    synced = ctx.outbound.apply(made_as).get("Ticket", {})
    pair = Pair(job.entity, job.record_id, work_order_id, link_id=0, record=record, outbound=synced)

    def link(session: Session) -> None:
        pairs.save(session, job.connector.id, pair, utcnow())
        creates.settled(session, job.connector.id, create.key)

    # Linked at once, in the transaction that takes the work order's lock, so no event of the new work
    # order acts on the pair before it is whole, and a failure in the steps below is retried as an update.
    job.lock("fieldnation", WORK_ORDER, work_order_id, then=link)
    # The create sent the fields; a work order an earlier attempt made holds the record as it was then.
    if made.earlier:
        return pair, _write(ctx, work_order_id, writes)
    # A new work order is a draft (Field Nation's answer to the create says so): no read to learn it.
    answered = _write(ctx, work_order_id, WorkOrderWrites({}, writes.custom_fields, writes.status), DRAFT)
    return pair, answered or (None if writes.custom_fields else made_as)


NOTE_MESSAGES = ChildKind(
    "message", "TicketNote", "message", origin="autotask", follows_edits=False, on_delete="keep"
)
"""Autotask ticket notes published to all become messages on the work order; notes written from Field
Nation messages share these links, so they never come back as messages."""


def _note_messages(ctx: Context, pair: Pair, ticket: Document, before: Document | None) -> list[Write]:
    """Post the ticket's new notes that go (`note_messages` options) to the work order. Read only when the
    ticket saw activity since it was last imported, or since it was made when it is new (a new note moves
    its last activity date)."""
    options = ctx.options.note_messages
    if ctx.config.service_object != "ticket" or not options.publish:
        return []
    last = field_value(ticket, "lastActivityDate")
    since = field_value(ticket, "createDate") if before is None else field_value(before, "lastActivityDate")
    if last is not None and last == since:
        return []
    collection = ChildCollection("Tickets", pair.autotask_id, "Notes")
    with children.refused(f"The notes of ticket {pair.autotask_id} could not be read"):
        notes = [TicketNote.model_validate(note) for note in ctx.clients.children(collection)]
    wanted = [
        Wanted(note.id, {"message": note_message(note)}, note) for note in notes if note_goes(note, options)
    ]
    messages = ctx.clients.fieldnation.messages

    def find(child: Wanted[TicketNote]) -> int | None:
        posted = every_message(messages.list(pair.work_order_id))
        return min((m.id for m in posted if marked_id(m.message) == child.origin_id), default=None)

    writer = Writer[TicketNote](
        NOTE_MESSAGES,
        find=find,
        create=lambda child: (
            messages.post(pair.work_order_id, str(child.written["message"]), type="ASSIGNEDTECH").id
        ),
    )
    return children.write(ctx, pair, writer, wanted, {note.id for note in notes})


def pending_work_order(entity: str, record_id: int) -> str:
    """The pending-create key of the work order an Autotask record's import makes."""
    return f"workorder<-{entity}:{record_id}"


def _id_of(work_order: WorkOrder | None) -> int | None:
    return None if work_order is None else work_order.id


def _write(
    ctx: Context, work_order_id: int, writes: WorkOrderWrites, status: int | None = None
) -> Document | None:
    """Write to the work order (in `status` when known); what Field Nation answered the last write that
    returns the whole work order, as the outbound mappings read it, unless a later write changed it."""
    fieldnation = ctx.clients.fieldnation
    answer: WorkOrder | None = None
    try:
        if writes.fields:
            answer = fieldnation.workorders.update(work_order_id, writes.fields)  # type: ignore[arg-type]
        if writes.custom_fields:
            known = {
                field.name: field.id
                for category in fieldnation.custom_fields.of_work_order(work_order_id)
                for field in category.results
            }
            for name, value in writes.custom_fields.items():
                if name not in known:
                    ctx.job.skip(
                        f"Field Nation has no custom field named {name!r}.",
                        "Click Refresh Fields and correct the mapping's target.",
                    )
                    continue
                fieldnation.custom_fields.set(work_order_id, known[name], value)
                answer = None  # the work order changed after the answer
        if writes.status is not None:
            current = answer.status.id if answer is not None and answer.status else status
            answer = _reach_status(ctx, work_order_id, writes.status, current) or answer
    except FieldNationError as error:
        raise _refused(f"Field Nation refused an update of work order {work_order_id}", error) from error
    return None if answer is None else _source(answer)


def _refused(what: str, error: FieldNationError) -> JobFailed:
    """A value Field Nation will not take (400) is refused again on every retry: straight to dead letters."""
    if isinstance(error, BadRequestError):
        fix = "Correct the mapping that produces this value (preview it in the admin API), then replay."
        return JobFailed(f"{what}: {error}", fix, retry=False)
    return JobFailed(f"{what}: {error}")


def _reach_status(ctx: Context, work_order_id: int, target: int, current_id: int | None) -> WorkOrder | None:
    """Move the work order to `target` from `current_id` (read first when not known); the transition's
    answer, when there was one."""
    workorders = ctx.clients.fieldnation.workorders
    if current_id is None:
        current = workorders.get(work_order_id).status
        current_id = current.id if current else None
    if current_id == target:
        return None
    if target == 2 and current_id == 1:
        return workorders.publish(work_order_id)
    if target == 1 and current_id == 2:
        return workorders.unpublish(work_order_id)
    if target == 7 and current_id in (2, 3, 9):
        return workorders.cancel(work_order_id, "Cancelled in Autotask")
    settable = ", ".join(f"{k} {v}" for k, v in SETTABLE_STATUSES.items())
    ctx.job.skip(
        f"The status mapping asks for Field Nation status {target}, but work order {work_order_id} is in "
        f"status {current_id}; Field Nation's API cannot make that change, so the status was left.",
        f"Map Autotask statuses only to statuses a buyer can set ({settable}).",
    )
    return None


def _outbound_view(ctx: Context, work_order_id: int) -> Document:
    return _source(ctx.clients.fieldnation.workorders.get(work_order_id))


def _source(work_order: WorkOrder) -> Document:
    return outbound_source(as_sent(work_order), [])


def _describe(writes: WorkOrderWrites) -> str:
    parts = sorted(writes.fields) + [f"custom field {name}" for name in sorted(writes.custom_fields)]
    if writes.status is not None:
        parts.append(f"status {writes.status}")
    return ", ".join(parts)
