"""Outbound Create: an unlinked work order becomes a ticket with the six required fields.

The mapping set is validated first (a missing required mapping cannot be fixed by retrying); the status
defaults to the configured one when the instance has it, else to the instance's "New"; the create carries
the work order id in `externalID` (`FN-<id>`), the marker by which a create whose answer was lost is found
instead of repeated (`sync.creates`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fieldbridge.autotask import (
    AutotaskError,
    NetworkError,
    OutcomeUnknownError,
    Query,
    RateLimitError,
    ServerError,
    eq,
    where,
)
from fieldbridge.autotask.service_objects import status_field
from fieldbridge.jobs.handlers import JobFailed
from fieldbridge.mapping import Document, validate
from fieldbridge.sync import creates, inbound, pairs
from fieldbridge.sync.context import Context, utcnow
from fieldbridge.sync.inbound_rules import status_by_label
from fieldbridge.sync.pairs import WORK_ORDER, Pair

TRANSIENT = (NetworkError, RateLimitError, ServerError, OutcomeUnknownError)
"""Failures a later attempt can get past; an unknown outcome is settled by the lookup a retry starts with."""
FIX = (
    "Grant Tickets — Add, and map the six required fields "
    "(Title, Status, Priority, AccountID, QueueID, DueDateTime)."
)


def external_id(work_order_id: int) -> str:
    return f"FN-{work_order_id}"


def create_ticket(ctx: Context, document: Document) -> Pair:
    errors = [p for p in validate(ctx.mappings, outbound_create=True) if p.severity == "error"]
    if errors:
        raise JobFailed(
            "Outbound Create refused: " + "; ".join(f"{p.where}: {p.message}" for p in errors),
            FIX,
            retry=False,
            alert="outbound_create_failure",
        )
    job, autotask = ctx.job, ctx.clients.autotask
    fields = {**document.get("Ticket", {}), "externalID": external_id(job.record_id)}
    marker = where(eq("externalID", external_id(job.record_id)), include_fields=("id",))

    def send() -> int:
        # Under the name the mappings gave it ("Status"): Autotask's names are case-insensitive, and a second
        # spelling beside it would be a second value for the field.
        status = next((name for name in fields if name.lower() == "status"), "status")
        if fields.get(status) is None:
            fields[status] = _default_status(ctx)
        return autotask.create("Tickets", fields)

    create = creates.Create(
        key=f"Ticket<-{WORK_ORDER}:{job.record_id}",
        what=f"the ticket for work order {job.record_id}",
        find=lambda: _made_earlier(ctx, marker),
        send=send,
    )
    with _failure_recorded(ctx):
        made = creates.create_once(ctx, create)
    ticket_id = made.id
    # Under the ticket's lock, so no event of the new ticket acts on the pair before it is whole.
    job.lock("autotask", "Ticket", ticket_id)
    # The ticket as created is what Field Nation already shows: inbound compares later changes with it, so
    # importing it (a webhook, the reconciler) writes nothing back to the work order it came from. Read
    # before the pair is linked, so no pair is linked without it: a failed read leaves the create pending,
    # and the retry finds the ticket by its marker.
    record = inbound.current_record(ctx, "Tickets", ticket_id)
    # A ticket an earlier attempt made holds the work order as it was then: no outbound snapshot, so the
    # sync updates it from the work order as it is.
    synced = None if made.earlier else document.get("Ticket", {})
    pair = Pair("Ticket", ticket_id, job.record_id, 0, record, ctx.inbound.apply(record), synced)
    with job.db.transaction() as session:
        pairs.save(session, job.connector.id, pair, utcnow())
        creates.settled(session, job.connector.id, create.key)
    return pair


def _made_earlier(ctx: Context, marker: Query) -> int | None:
    found = next(iter(ctx.clients.autotask.query("Tickets", marker)), None)
    return None if found is None else int(found["id"])


@contextmanager
def _failure_recorded(ctx: Context) -> Iterator[None]:
    """A failed create: recorded with the cause and fix, notified, and retried only when transient."""
    try:
        yield
    except AutotaskError as error:
        raise JobFailed(
            f"Outbound Create of a ticket for work order {ctx.job.record_id} failed: {error.diagnosis}",
            error.fix or FIX,
            retry=isinstance(error, TRANSIENT),
            alert="outbound_create_failure",
        ) from error


def _default_status(ctx: Context) -> int:
    """The configured status when the instance has it; else the instance's "New" (ids differ per instance)."""
    status = status_field(ctx.clients.autotask.fields("Tickets"))
    values = status.picklist_values if status else ()
    configured = ctx.config.outbound_default_status
    if any(int(v.value) == configured for v in values):
        return configured
    return status_by_label(values, "New") or configured
