"""Inbox events remember the SHA-256 of a signed webhook body, so a replayed body is stored once only.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox_events") as batch_op:
        batch_op.add_column(sa.Column("body_digest", sa.String(length=64), nullable=True))
    op.create_index(
        "ix_inbox_events_body_digest", "inbox_events", ["connector_id", "body_digest"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ix_inbox_events_body_digest", "inbox_events")
    with op.batch_alter_table("inbox_events") as batch_op:
        batch_op.drop_column("body_digest")
