"""A history line of a processed event keeps the outcome as data (writes with their ids, what was ignored and
why) beside the sentence rendered from it, so the console, the API and tests read the data, not the wording.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("history") as table:
        table.add_column(sa.Column("outcome", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("history") as table:
        table.drop_column("outcome")
