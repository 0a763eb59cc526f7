"""The console's pair search by a ticket or work order id: an index on each side's id alone (the unique keys
lead with the connector and the entity, which a search by id does not know), so the search looks the id up
rather than reading every pair.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_links_autotask_id", "links", ["autotask_id"])
    op.create_index("ix_links_fieldnation_id", "links", ["fieldnation_id"])


def downgrade() -> None:
    op.drop_index("ix_links_fieldnation_id", table_name="links")
    op.drop_index("ix_links_autotask_id", table_name="links")
