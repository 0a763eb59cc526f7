"""What the console's pages read fast at 10,000 pairs and 100,000 events: the inbox by connector, state and
arrival (the overview counts the last day's events hour by hour, and those failing, from the index alone),
and each pair's ticket number and title in a narrow table of their own (the pair list searches every pair;
reading them out of each snapshot's JSON, a few KB a pair, made a search read every stored record).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TICKET_NUMBER_LENGTH = 50
TITLE_LENGTH = 255


def upgrade() -> None:
    op.create_index("ix_inbox_events_state", "inbox_events", ["connector_id", "status", "received_at"])
    op.create_table(
        "sync_pair_labels",
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("ticket_number", sa.String(length=TICKET_NUMBER_LENGTH), nullable=True),
        sa.Column("title", sa.String(length=TITLE_LENGTH), nullable=True),
        sa.ForeignKeyConstraint(["link_id"], ["links.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("link_id"),
    )
    # The pairs synced before: labelled from the record their snapshot holds (the JSON paths the pair list
    # read until now), compiled for whichever database this is.
    snapshots = sa.table(
        "sync_pair_snapshots", sa.column("link_id", sa.Integer()), sa.column("state", sa.JSON())
    )
    labels = sa.table(
        "sync_pair_labels", sa.column("link_id"), sa.column("ticket_number"), sa.column("title")
    )
    state = snapshots.c.state
    op.execute(
        labels.insert().from_select(
            ["link_id", "ticket_number", "title"],
            sa.select(
                snapshots.c.link_id,
                sa.func.substr(state[("record", "ticketNumber")].as_string(), 1, TICKET_NUMBER_LENGTH),
                sa.func.substr(state[("record", "title")].as_string(), 1, TITLE_LENGTH),
            ),
        )
    )


def downgrade() -> None:
    op.drop_table("sync_pair_labels")
    op.drop_index("ix_inbox_events_state", table_name="inbox_events")
