"""The pre-departure checklist, reminder settings, and a payload for delivery rows.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("timezone", sa.String(length=40), nullable=True))
        batch.add_column(
            sa.Column("quiet_start", sa.Integer(), server_default=str(21 * 60), nullable=False)
        )
        batch.add_column(
            sa.Column("quiet_end", sa.Integer(), server_default=str(6 * 60), nullable=False)
        )
        batch.add_column(
            sa.Column("reminders_off", sa.Boolean(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("payload", sa.JSON(), nullable=True))
    op.create_table(
        "checklists",
        sa.Column("telegram_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("scheme", sa.String(length=16), nullable=True),
        sa.Column("country", sa.String(length=40), nullable=True),
        sa.Column("country_other", sa.String(length=60), nullable=True),
        sa.Column("sector", sa.String(length=40), nullable=True),
        sa.Column("departure_on", sa.Date(), nullable=True),
        sa.Column("departure_approx", sa.Boolean(), nullable=False),
        sa.Column("agency", sa.String(length=120), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("telegram_id"),
    )
    op.create_table(
        "checklist_marks",
        sa.Column("telegram_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("ticked_at", UTCDateTime(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("telegram_id", "item_id"),
    )


def downgrade() -> None:
    op.drop_table("checklist_marks")
    op.drop_table("checklists")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("payload")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("reminders_off")
        batch.drop_column("quiet_end")
        batch.drop_column("quiet_start")
        batch.drop_column("timezone")
