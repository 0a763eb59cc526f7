"""Outbound Create: an unlinked work order becomes a ticket with the six required fields.

The mapping set is validated first (a missing required mapping cannot be fixed by retrying); the status
defaults to the configured one when the instance has it, else to the instance's "New"; the create carries
the work order id in `externalID`, so a create whose answer was lost is found instead of repeated.
"""

from __future__ import annotations

from typing import Any

from fieldbridge.autotask import AutotaskError, NetworkError, RateLimitError, ServerError, eq, where
from fieldbridge.jobs.handlers import JobFailed
from fieldbridge.mapping import validate
from fieldbridge.sync import pairs
from fieldbridge.sync.context import Context, utcnow
from fieldbridge.sync.inbound_rules import status_by_label
from fieldbridge.sync.pairs import Pair

TRANSIENT = (NetworkError, RateLimitError, ServerError)
FIX = (
    "Grant Tickets — Add, and map the six required fields "
    "(Title, Status, Priority, AccountID, QueueID, DueDateTime)."
)


def external_id(work_order_id: int) -> str:
    return f"FN-{work_order_id}"


def create_ticket(ctx: Context, document: dict[str, Any]) -> Pair:
    errors = [p for p in validate(ctx.mappings, outbound_create=True) if p.severity == "error"]
    if errors:
        raise JobFailed(
            "Outbound Create refused: " + "; ".join(f"{p.where}: {p.message}" for p in errors),
            FIX,
            retry=False,
            alert="outbound_create_failure",
        )
    fields = {**document.get("Ticket", {}), "externalID": external_id(ctx.job.record_id)}
    fields.setdefault("status", _default_status(ctx))
    autotask = ctx.clients.autotask
    try:
        ticket_id = autotask.create(
            "Tickets", fields, find_existing=where(eq("externalID", external_id(ctx.job.record_id)))
        )
    except AutotaskError as error:
        raise JobFailed(
            f"Outbound Create of a ticket for work order {ctx.job.record_id} failed: {error}",
            error.cause.fix if error.cause else FIX,
            retry=isinstance(error, TRANSIENT),
            alert="outbound_create_failure",
        ) from error
    pair = Pair("Ticket", ticket_id, ctx.job.record_id, link_id=0, outbound=document.get("Ticket", {}))
    with ctx.job.db.transaction() as session:
        pairs.save(session, ctx.job.connector.id, pair, utcnow())
    return pair


def _default_status(ctx: Context) -> int:
    """The configured status when the instance has it; else the instance's "New" (ids differ per instance)."""
    status = next(f for f in ctx.clients.autotask.fields("Tickets") if f.name.lower() == "status")
    configured = ctx.config.outbound_default_status
    if any(int(v.value) == configured for v in status.picklist_values):
        return configured
    return status_by_label(status.picklist_values, "New") or configured
