"""Mapping sets become one document per version (both directions, as `fieldbridge.mapping` reads them);
connectors get the Field Nation company id (Refresh Fields reads its expense categories).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("connectors") as batch_op:
        batch_op.add_column(sa.Column("fieldnation_company_id", sa.BigInteger(), nullable=True))
    # Nothing wrote per-direction mapping sets before this revision, so the table is made anew.
    op.drop_index("ix_mapping_sets_connector_id", "mapping_sets")
    op.drop_table("mapping_sets")
    op.create_table(
        "mapping_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["connector_id"], ["connectors.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("connector_id", "version"),
    )
    op.create_index("ix_mapping_sets_connector_id", "mapping_sets", ["connector_id"])


def downgrade() -> None:
    op.drop_index("ix_mapping_sets_connector_id", "mapping_sets")
    op.drop_table("mapping_sets")
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
    with op.batch_alter_table("connectors") as batch_op:
        batch_op.drop_column("fieldnation_company_id")
