"""Indexes for the hot inbox queries and for pruning: a pair's events (the worker's next waiting one),
finished events by when they finished, history lines by when they were written.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_inbox_events_record", "inbox_events", ["connector_id", "system", "entity", "record_id"]
    )
    op.create_index("ix_inbox_events_finished", "inbox_events", ["status", "finished_at"])
    op.create_index("ix_history_at", "history", ["at"])


def downgrade() -> None:
    op.drop_index("ix_history_at", table_name="history")
    op.drop_index("ix_inbox_events_finished", table_name="inbox_events")
    op.drop_index("ix_inbox_events_record", table_name="inbox_events")
