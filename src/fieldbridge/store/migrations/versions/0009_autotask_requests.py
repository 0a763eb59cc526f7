"""Autotask's limits counted in the database, for every process of a deployment without Redis: the requests
in flight and in the hourly window, and the pause after a 429.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "autotask_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("api_user", sa.String(length=200), nullable=False),
        sa.Column("gate", sa.String(length=120), nullable=False),
        sa.Column("sent_at", sa.Double(), nullable=False),
        sa.Column("in_flight_until", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_autotask_requests_gate", "autotask_requests", ["gate", "in_flight_until"])
    op.create_index("ix_autotask_requests_user", "autotask_requests", ["api_user", "sent_at"])
    op.create_table(
        "autotask_pauses",
        sa.Column("api_user", sa.String(length=200), nullable=False),
        sa.Column("until", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("api_user"),
    )


def downgrade() -> None:
    op.drop_table("autotask_pauses")
    op.drop_index("ix_autotask_requests_user", table_name="autotask_requests")
    op.drop_index("ix_autotask_requests_gate", table_name="autotask_requests")
    op.drop_table("autotask_requests")
