"""Help-request drafts: an unsent request kept when its dialog is left.

Two nullable columns on ``users`` rather than a table: a person has at most one draft,
it is read with the user's row that every update loads anyway (no extra query for the
menu's "📝 Finish my request" button), and erasing the person (``/hapusdata``) deletes
it with the row.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("help_draft", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("help_draft_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("help_draft_at")
        batch.drop_column("help_draft")
