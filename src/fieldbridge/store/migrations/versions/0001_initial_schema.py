"""Initial schema: connectors, tokens, inbox, history, dead letters, locks, admin users.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "connectors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("autotask_api_url", sa.String(length=300), nullable=False),
        sa.Column("autotask_username", sa.String(length=255), nullable=False),
        sa.Column("autotask_secret_encrypted", sa.Text(), nullable=True),
        sa.Column("autotask_integration_code_encrypted", sa.Text(), nullable=True),
        sa.Column("autotask_webhook_secret_encrypted", sa.Text(), nullable=True),
        sa.Column("service_object", sa.String(length=16), nullable=False),
        sa.Column("outbound_create", sa.Boolean(), nullable=False),
        sa.Column("outbound_default_status", sa.Integer(), nullable=False),
        sa.Column("expense_target", sa.String(length=16), nullable=False),
        sa.Column("attachment_sync", sa.Boolean(), nullable=False),
        sa.Column("notification_emails", sa.JSON(), nullable=False),
        sa.Column("fieldnation_api_url", sa.String(length=300), nullable=False),
        sa.Column("fieldnation_client_id", sa.String(length=255), nullable=False),
        sa.Column("fieldnation_client_secret_encrypted", sa.Text(), nullable=True),
        sa.Column("fieldnation_username", sa.String(length=255), nullable=False),
        sa.Column("fieldnation_password_encrypted", sa.Text(), nullable=True),
        sa.Column("fieldnation_webhook_secret_encrypted", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "pair_locks",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("holder", sa.String(length=80), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "admin_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("selector", sa.String(length=40), nullable=False),
        sa.Column("verifier_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["admin_users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("selector"),
    )
    op.create_index("ix_admin_sessions_user_id", "admin_sessions", ["user_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("selector", sa.String(length=40), nullable=False),
        sa.Column("verifier_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["admin_users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("selector"),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "client_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("selector", sa.String(length=40), nullable=False),
        sa.Column("verifier_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["connector_id"], ["connectors.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("selector"),
    )
    op.create_index("ix_client_tokens_connector_id", "client_tokens", ["connector_id"])
    op.create_table(
        "field_catalog",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=16), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["connector_id"], ["connectors.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("connector_id", "system", "entity"),
    )
    op.create_index("ix_field_catalog_connector_id", "field_catalog", ["connector_id"])
    op.create_table(
        "inbox_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("system", sa.String(length=16), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("dedup_key", sa.String(length=200), nullable=True),
        sa.Column("pending_key", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("enqueued_at", sa.DateTime(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("lease_holder", sa.String(length=80), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["connector_id"], ["connectors.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("connector_id", "dedup_key"),
        sa.UniqueConstraint("connector_id", "pending_key"),
    )
    op.create_index("ix_inbox_events_connector_id", "inbox_events", ["connector_id"])
    op.create_index("ix_inbox_events_status_due", "inbox_events", ["status", "next_attempt_at"])
    op.create_table(
        "links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("autotask_entity", sa.String(length=32), nullable=False),
        sa.Column("autotask_id", sa.BigInteger(), nullable=False),
        sa.Column("fieldnation_entity", sa.String(length=32), nullable=False),
        sa.Column("fieldnation_id", sa.BigInteger(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("synced_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["connector_id"], ["connectors.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["parent_id"], ["links.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("connector_id", "autotask_entity", "autotask_id"),
        sa.UniqueConstraint("connector_id", "fieldnation_entity", "fieldnation_id"),
    )
    op.create_index("ix_links_connector_id", "links", ["connector_id"])
    op.create_index("ix_links_parent_id", "links", ["parent_id"])
    op.create_table(
        "mapping_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["connector_id"], ["connectors.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("connector_id", "direction", "version"),
    )
    op.create_index("ix_mapping_sets_connector_id", "mapping_sets", ["connector_id"])
    op.create_table(
        "notification_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("last_sent_at", sa.DateTime(), nullable=False),
        sa.Column("held_back", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["connector_id"], ["connectors.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("connector_id", "kind"),
    )
    op.create_index("ix_notification_log_connector_id", "notification_log", ["connector_id"])
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("fix", sa.Text(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["connector_id"], ["connectors.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["inbox_events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_dead_letters_connector_id", "dead_letters", ["connector_id"])
    op.create_index("ix_dead_letters_event_id", "dead_letters", ["event_id"])
    op.create_table(
        "history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("pair_key", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("fix", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["connector_id"], ["connectors.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["inbox_events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_history_event_id", "history", ["event_id"])
    op.create_index("ix_history_pair", "history", ["connector_id", "pair_key", "id"])


def downgrade() -> None:
    op.drop_index("ix_history_pair", "history")
    op.drop_index("ix_history_event_id", "history")
    op.drop_table("history")
    op.drop_index("ix_dead_letters_event_id", "dead_letters")
    op.drop_index("ix_dead_letters_connector_id", "dead_letters")
    op.drop_table("dead_letters")
    op.drop_index("ix_notification_log_connector_id", "notification_log")
    op.drop_table("notification_log")
    op.drop_index("ix_mapping_sets_connector_id", "mapping_sets")
    op.drop_table("mapping_sets")
    op.drop_index("ix_links_parent_id", "links")
    op.drop_index("ix_links_connector_id", "links")
    op.drop_table("links")
    op.drop_index("ix_inbox_events_status_due", "inbox_events")
    op.drop_index("ix_inbox_events_connector_id", "inbox_events")
    op.drop_table("inbox_events")
    op.drop_index("ix_field_catalog_connector_id", "field_catalog")
    op.drop_table("field_catalog")
    op.drop_index("ix_client_tokens_connector_id", "client_tokens")
    op.drop_table("client_tokens")
    op.drop_index("ix_api_tokens_user_id", "api_tokens")
    op.drop_table("api_tokens")
    op.drop_index("ix_admin_sessions_user_id", "admin_sessions")
    op.drop_table("admin_sessions")
    op.drop_table("pair_locks")
    op.drop_table("connectors")
    op.drop_table("admin_users")
