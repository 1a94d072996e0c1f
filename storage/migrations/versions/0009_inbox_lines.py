"""Inbox lines: one process at a time works through a person's updates.

A table of its own rather than columns on ``inbox``: the lock is per person, not per
update, and taking it must be one upsert on one row whichever process stored the update.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_lines",
        sa.Column("person_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("lease_until", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
    )
    op.create_index("ix_inbox_lines_owner", "inbox_lines", ["owner"])


def downgrade() -> None:
    op.drop_index("ix_inbox_lines_owner", table_name="inbox_lines")
    op.drop_table("inbox_lines")
