"""Every table the broker keeps, as SQLAlchemy 2 declarative classes (SQLite and PostgreSQL alike).

Columns named `*_encrypted` hold Fernet tokens made with the master key (`store.secrets`); they never leave
the store in clear except to the code that calls Autotask or Field Nation. Token columns hold a public
`selector` and the SHA-256 of the secret part, never the token itself (`store.tokens`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC on both databases, handed back timezone-aware, so comparisons never mix the two."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}


def table_of(mapped: type[Base]) -> Table:
    """A mapped class's table, for a batch insert that skips the ORM's per-row work (twice the CPU)."""
    table = mapped.__table__
    assert isinstance(table, Table)
    return table


def _connector_fk() -> Any:
    return mapped_column(ForeignKey("connectors.id", ondelete="CASCADE"), index=True)


class Connector(Base):
    """One Autotask tenant paired with one Field Nation company, with the setup guide's settings."""

    __tablename__ = "connectors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    autotask_api_url: Mapped[str] = mapped_column(String(300))
    autotask_username: Mapped[str] = mapped_column(String(255))
    autotask_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    autotask_integration_code_encrypted: Mapped[str | None] = mapped_column(Text)
    autotask_webhook_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    service_object: Mapped[str] = mapped_column(String(16))
    outbound_create: Mapped[bool] = mapped_column(Boolean)
    outbound_default_status: Mapped[int] = mapped_column(Integer)
    expense_target: Mapped[str] = mapped_column(String(16))
    attachment_sync: Mapped[bool] = mapped_column(Boolean)
    notification_emails: Mapped[list[str]]
    fieldnation_api_url: Mapped[str] = mapped_column(String(300))
    fieldnation_company_id: Mapped[int | None] = mapped_column(BigInteger)
    fieldnation_client_id: Mapped[str] = mapped_column(String(255))
    fieldnation_client_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    fieldnation_username: Mapped[str] = mapped_column(String(255))
    fieldnation_password_encrypted: Mapped[str | None] = mapped_column(Text)
    fieldnation_webhook_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=true())
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ClientToken(Base):
    """The token in a connector's trigger URL; rotating it revokes the previous one."""

    __tablename__ = "client_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    connector_id: Mapped[int] = _connector_fk()
    selector: Mapped[str] = mapped_column(String(40), unique=True)
    verifier_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class FieldCatalog(Base):
    """What Refresh Fields found for one entity of one side: fields, UDFs, picklists, custom fields."""

    __tablename__ = "field_catalog"
    __table_args__ = (UniqueConstraint("connector_id", "system", "entity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connector_id: Mapped[int] = _connector_fk()
    system: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(64))
    fields: Mapped[dict[str, Any]]
    refreshed_at: Mapped[datetime]


class MappingSet(Base):
    """One saved version of a connector's mappings (both directions, `fieldbridge.mapping`'s document);
    the highest version is in force, earlier ones stay for comparison and rollback."""

    __tablename__ = "mapping_sets"
    __table_args__ = (UniqueConstraint("connector_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connector_id: Mapped[int] = _connector_fk()
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))


class Link(Base):
    """Two records known to be the same thing on both sides, and a fingerprint of what was last synced."""

    __tablename__ = "links"
    __table_args__ = (
        UniqueConstraint("connector_id", "autotask_entity", "autotask_id"),
        UniqueConstraint("connector_id", "fieldnation_entity", "fieldnation_id"),
        # The console's pair search by a ticket or work order id, whatever the connector and entity.
        Index("ix_links_autotask_id", "autotask_id"),
        Index("ix_links_fieldnation_id", "fieldnation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    connector_id: Mapped[int] = _connector_fk()
    autotask_entity: Mapped[str] = mapped_column(String(32))
    autotask_id: Mapped[int] = mapped_column(BigInteger)
    fieldnation_entity: Mapped[str] = mapped_column(String(32))
    fieldnation_id: Mapped[int] = mapped_column(BigInteger)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("links.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    synced_at: Mapped[datetime]


def record_key(system: str, entity: str, record_id: int) -> str:
    """An event's record as its pair's history names it until the pair is linked."""
    return f"{system}:{entity}:{record_id}"


class InboxEvent(Base):
    """A hint that one record may have changed, stored before the sender gets its 202.

    `dedup_key` is the sender's identity for one delivery (webhook retries repeat it) and stays unique for
    good; so does `body_digest`, the SHA-256 of a signed body, which a replay under a new delivery id
    repeats (a delivery id is not signed, a body is). `pending_key` names the record while the event waits,
    so a second bare "ticket 42" posted before a worker picks the first one up is the same event; the worker
    clears it when it starts, since a hint that arrives after the record was fetched must be processed again.
    """

    __tablename__ = "inbox_events"
    __table_args__ = (
        UniqueConstraint("connector_id", "dedup_key"),
        UniqueConstraint("connector_id", "pending_key"),
        Index("ix_inbox_events_body_digest", "connector_id", "body_digest", unique=True),
        Index("ix_inbox_events_status_due", "status", "next_attempt_at"),
        # The console: events counted by state (those retrying) and by hour of arrival in each state, from
        # the index alone; the events page filtered by connector and state.
        Index("ix_inbox_events_state", "connector_id", "status", "received_at"),
        # A pair's events (the worker's next waiting one): a few rows whatever the size of the inbox.
        Index("ix_inbox_events_record", "connector_id", "system", "entity", "record_id"),
        # Finished events past their retention, for the sweeper to prune.
        Index("ix_inbox_events_finished", "status", "finished_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    connector_id: Mapped[int] = _connector_fk()
    source: Mapped[str] = mapped_column(String(32))
    system: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any] | None]
    dedup_key: Mapped[str | None] = mapped_column(String(200))
    body_digest: Mapped[str | None] = mapped_column(String(64))
    pending_key: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime]
    enqueued_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    lease_holder: Mapped[str | None] = mapped_column(String(80))
    lease_until: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)

    @property
    def pair_key(self) -> str:
        return record_key(self.system, self.entity, self.record_id)


class HistoryEntry(Base):
    """One line of a pair's history: what happened, in plain language, and the fix when there is one."""

    __tablename__ = "history"
    __table_args__ = (
        Index("ix_history_pair", "connector_id", "pair_key", "id"),
        Index("ix_history_at", "at"),  # lines past their retention, for the sweeper to prune
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    connector_id: Mapped[int] = mapped_column(ForeignKey("connectors.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbox_events.id", ondelete="CASCADE"), index=True
    )
    pair_key: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime]
    level: Mapped[str] = mapped_column(String(8))
    action: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    fix: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[dict[str, Any] | None]
    """A processed event's outcome as data (`jobs.outcome.Outcome.as_data`); `message` is its sentence."""


class DeadLetter(Base):
    """An event that kept failing (or failed for good) and waits for a person; replay resolves it."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("inbox_events.id", ondelete="CASCADE"), index=True)
    connector_id: Mapped[int] = _connector_fk()
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer)
    cause: Mapped[str] = mapped_column(Text)
    fix: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(64))


class PairLock(Base):
    """A lease on one pair: held by one worker attempt until `expires_at` unless renewed."""

    __tablename__ = "pair_locks"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[datetime]


class AdminUser(Base):
    __tablename__ = "admin_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("admin_users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    selector: Mapped[str] = mapped_column(String(40), unique=True)
    verifier_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class AdminSession(Base):
    __tablename__ = "admin_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("admin_users.id", ondelete="CASCADE"), index=True)
    selector: Mapped[str] = mapped_column(String(40), unique=True)
    verifier_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class SignInThrottle(Base):
    """Failed sign-ins counted for one name tried or one client address, and the lockout they led to."""

    __tablename__ = "sign_in_throttle"

    subject: Mapped[str] = mapped_column(String(80), primary_key=True)
    """`user:<SHA-256 of the name tried>` (names that exist or not alike) or `address:<client address>`."""
    failures: Mapped[int] = mapped_column(Integer)
    window_started_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]


class NotificationLog(Base):
    """When a connector's last alert of one kind went out, and how many were held back since."""

    __tablename__ = "notification_log"
    __table_args__ = (UniqueConstraint("connector_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connector_id: Mapped[int] = _connector_fk()
    kind: Mapped[str] = mapped_column(String(32))
    last_sent_at: Mapped[datetime]
    held_back: Mapped[int] = mapped_column(Integer)


class AutotaskRequest(Base):
    """A request to Autotask from any process of the deployment, as the database counts Autotask's limits
    (`sync.request_counts`, when no Redis is configured): in flight until `in_flight_until` is cleared (or
    passes, when its process died), and drawn on its user's hourly budget for a window after `sent_at`."""

    __tablename__ = "autotask_requests"
    __table_args__ = (
        Index("ix_autotask_requests_gate", "gate", "in_flight_until"),
        Index("ix_autotask_requests_user", "api_user", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    api_user: Mapped[str] = mapped_column(String(200))
    """The API user (lower case) whose budget it draws on."""
    gate: Mapped[str] = mapped_column(String(120))
    """What Autotask's thread limit counts it under (`autotask.limits.gate_key`: no credential in it)."""
    sent_at: Mapped[float]
    """Seconds since the epoch, as the sending process's clock read them."""
    in_flight_until: Mapped[float | None]


class AutotaskPause(Base):
    """Until when no request of an API user goes, after a 429 one process got (every process waits)."""

    __tablename__ = "autotask_pauses"

    api_user: Mapped[str] = mapped_column(String(200), primary_key=True)
    until: Mapped[float]
