"""A connector's sync options: the setup guide's Workflow Setup settings that the broker's connector does
not hold (trigger conditions, time entry resource and role, where markers go, note and attachment settings).

Kept beside the connector in `sync_options`; a connector without a row gets the defaults.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from fieldbridge.store.tables import table_of
from fieldbridge.sync.tables import SyncOptionsRow


class TriggerConditions(BaseModel):
    """Field Nation's Workflow Setup conditions, applied to Autotask webhook events for unlinked tickets.

    Empty lists mean "any". A linked ticket's later changes always sync: the conditions decide what is
    imported, not what is kept up to date."""

    model_config = ConfigDict(extra="forbid")

    status_becomes: list[int] = Field(default_factory=list)
    """Import only when the webhook says the status changed to one of these ids."""
    queues: list[int] = Field(default_factory=list)
    """Import only tickets in one of these queues."""


class NoteMessages(BaseModel):
    """Which Autotask ticket notes become messages on the linked work order (notes sync both ways)."""

    model_config = ConfigDict(extra="forbid")

    publish: list[int] = Field(default_factory=lambda: [1])
    """Publish levels that go (1: All Autotask Users); empty: no note goes."""
    note_types: list[int] = Field(default_factory=list)
    """Note types that go; empty: every type."""


class SyncOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    triggers: TriggerConditions = Field(default_factory=TriggerConditions)
    resource_id: int | None = None
    """The Autotask resource time entries and expense reports are written as (the guide: from settings)."""
    role_id: int | None = None
    time_marker_field: Literal["summaryNotes", "internalNotes"] = "summaryNotes"
    """Where the `(#<time log id>)` marker goes, so a later edit finds the same TimeEntry."""
    charge_marker_field: Literal["notes", "description"] = "notes"
    """Where the `(#<expense id>)` marker of a TicketCharge goes."""
    note_type: int = 1
    note_publish: int = 2
    note_messages: NoteMessages = Field(default_factory=NoteMessages)
    attachment_publish: int = 2
    charge_type: int = 1
    expense_category: int = 5
    """The Autotask expense category for items whose Field Nation category has no mapping."""
    payment_type: int = 1
    reconcile_minutes: int = Field(15, ge=0)
    """How often the reconciler polls for changes webhooks missed; 0 turns it off for this connector."""


def load(session: Session, connector_id: int) -> SyncOptions:
    stored = session.scalar(_OPTIONS_OF, {"connector_id": connector_id})
    return SyncOptions() if stored is None else SyncOptions.model_validate(stored)


_OPTIONS = table_of(SyncOptionsRow)
_OPTIONS_OF = select(_OPTIONS.c.options).where(_OPTIONS.c.connector_id == bindparam("connector_id"))
"""Built once, and Core: every event reads its connector's options (no ORM object, none to load)."""


def save(session: Session, connector_id: int, options: SyncOptions) -> None:
    row = session.get(SyncOptionsRow, connector_id)
    if row is None:
        session.add(SyncOptionsRow(connector_id=connector_id, options=options.model_dump()))
    else:
        row.options = options.model_dump()
    session.flush()
