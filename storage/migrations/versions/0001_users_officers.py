"""Users (with their dialog position) and officers.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("telegram_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("consent", sa.String(length=16), nullable=True),
        sa.Column("consent_at", UTCDateTime(), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=True),
        sa.Column("village_id", sa.String(length=64), nullable=True),
        sa.Column("other_village", sa.String(length=200), nullable=True),
        sa.Column("unreachable_at", UTCDateTime(), nullable=True),
        sa.Column("dialog", sa.String(length=32), nullable=True),
        sa.Column("step", sa.String(length=32), nullable=True),
        sa.Column("dialog_data", sa.JSON(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("telegram_id"),
    )
    op.create_index("ix_users_village_role", "users", ["village_id", "role"])
    op.create_table(
        "officers",
        sa.Column("telegram_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("area_id", sa.String(length=64), nullable=False),
        sa.Column("granted_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("telegram_id"),
    )
    op.create_index("ix_officers_area_id", "officers", ["area_id"])


def downgrade() -> None:
    op.drop_index("ix_officers_area_id", table_name="officers")
    op.drop_table("officers")
    op.drop_index("ix_users_village_role", table_name="users")
    op.drop_table("users")
