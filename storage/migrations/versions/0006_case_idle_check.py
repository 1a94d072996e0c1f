"""The one idle-case check that counts: a token shared by the case and its deadline row.

Claiming, reassigning and reopening each plan a reminder for a case nobody acts on; only
the newest may fire, or the officer would be reminded once per plan, for ever.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("help_requests") as batch:
        batch.add_column(sa.Column("idle_check", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("help_requests") as batch:
        batch.drop_column("idle_check")
