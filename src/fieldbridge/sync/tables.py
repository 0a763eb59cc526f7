"""What the sync flows keep beyond the broker's links: per-pair snapshots, per-connector options, checkpoints.

A link's `fingerprint` says whether anything changed; the snapshot says *what*: the ticket as last seen and
both mapped documents as last written, so a flow writes only the fields that differ and never echoes its own
writes back (events are hints, state is the truth: docs/architecture.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from fieldbridge.store.tables import Base

TICKET_NUMBER_LENGTH = 50
TITLE_LENGTH = 255
"""Autotask's limit on a ticket's title."""


class PairSnapshot(Base):
    __tablename__ = "sync_pair_snapshots"

    link_id: Mapped[int] = mapped_column(ForeignKey("links.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[dict[str, Any]]
    """{"record": the Autotask record with its related records, "inbound": doc, "outbound": doc,
    "warned": [kinds of warning already notified for this pair]}."""


class PairLabel(Base):
    """What a pair is shown and searched by in the console: its ticket's number and title as last read,
    written with the snapshot (`sync.pairs.save`). A table of its own, since a snapshot is a few KB of JSON
    a pair and a search reads every pair: 10,000 of these fit in a few hundred pages."""

    __tablename__ = "sync_pair_labels"

    link_id: Mapped[int] = mapped_column(ForeignKey("links.id", ondelete="CASCADE"), primary_key=True)
    ticket_number: Mapped[str | None] = mapped_column(String(TICKET_NUMBER_LENGTH))
    title: Mapped[str | None] = mapped_column(String(TITLE_LENGTH))


class SyncOptionsRow(Base):
    __tablename__ = "sync_options"

    connector_id: Mapped[int] = mapped_column(
        ForeignKey("connectors.id", ondelete="CASCADE"), primary_key=True
    )
    options: Mapped[dict[str, Any]]


class Checkpoint(Base):
    """How far a poller (reconciler, backfill) got, so it resumes there."""

    __tablename__ = "sync_checkpoints"

    connector_id: Mapped[int] = mapped_column(
        ForeignKey("connectors.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class PendingCreate(Base):
    """A create sent to Autotask or Field Nation whose outcome is not known yet.

    Stored before the create is sent, and removed in the transaction that links the record it made (or when
    the service refused it). While a row exists, no attempt creates the record again before it has looked
    it up by its marker, and none at all before `sent_at` is a settling window old (`sync.creates`).
    """

    __tablename__ = "sync_pending_creates"

    connector_id: Mapped[int] = mapped_column(
        ForeignKey("connectors.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    """What is made for what, e.g. `TicketNote<-message:123` or `workorder<-Ticket:42`."""
    sent_at: Mapped[datetime]
