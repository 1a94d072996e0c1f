"""The inbox (every update stored before it is acknowledged) and delivery priorities.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OPEN_DELIVERIES = "status IN ('pending', 'claimed')"
OPEN_INBOX = "status IN ('pending', 'handled')"


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("replies", sa.JSON(), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("update_id"),
    )
    op.create_index(
        "ix_inbox_open",
        "inbox",
        ["update_id"],
        postgresql_where=sa.text(OPEN_INBOX),
        sqlite_where=sa.text(OPEN_INBOX),
    )
    op.create_index("ix_inbox_person", "inbox", ["person_id"])
    op.create_index("ix_inbox_finished", "inbox", ["finished_at"])

    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(
            sa.Column("priority", sa.SmallInteger(), nullable=False, server_default="1")
        )
    # Case notices and deadlines first (0), reminders (1), announcements last (2).
    op.execute(
        "UPDATE deliveries SET priority = CASE kind WHEN 'case_notice' THEN 0 "
        "WHEN 'case_deadline' THEN 0 WHEN 'announcement' THEN 2 ELSE 1 END"
    )
    op.drop_index("ix_deliveries_due", table_name="deliveries")
    op.create_index(
        "ix_deliveries_due",
        "deliveries",
        ["priority", "due_at"],
        postgresql_where=sa.text(OPEN_DELIVERIES),
        sqlite_where=sa.text(OPEN_DELIVERIES),
    )


def downgrade() -> None:
    op.drop_index("ix_deliveries_due", table_name="deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("priority")
    op.create_index(
        "ix_deliveries_due",
        "deliveries",
        ["due_at"],
        postgresql_where=sa.text(OPEN_DELIVERIES),
        sqlite_where=sa.text(OPEN_DELIVERIES),
    )
    op.drop_index("ix_inbox_finished", table_name="inbox")
    op.drop_index("ix_inbox_person", table_name="inbox")
    op.drop_index("ix_inbox_open", table_name="inbox")
    op.drop_table("inbox")
