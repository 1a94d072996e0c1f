"""Help requests (cases), their messages and their audit log.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "help_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.BigInteger(), nullable=True),
        sa.Column("village_id", sa.String(length=64), nullable=True),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("for_whom", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.JSON(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("attachments", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("assigned_officer_id", sa.BigInteger(), nullable=True),
        sa.Column("linked_request_id", sa.Integer(), nullable=True),
        sa.Column("requester_unreachable", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("last_action_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_help_requests_requester_id", "help_requests", ["requester_id"])
    op.create_index("ix_help_requests_village_status", "help_requests", ["village_id", "status"])
    op.create_index(
        "ix_help_requests_officer_status", "help_requests", ["assigned_officer_id", "status"]
    )
    op.create_table(
        "help_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=12), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("file_kind", sa.String(length=12), nullable=True),
        sa.Column("file_id", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["help_requests.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_help_messages_request_id", "help_messages", ["request_id"])
    op.create_table(
        "help_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["help_requests.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_help_events_request_id", "help_events", ["request_id"])


def downgrade() -> None:
    op.drop_index("ix_help_events_request_id", table_name="help_events")
    op.drop_table("help_events")
    op.drop_index("ix_help_messages_request_id", table_name="help_messages")
    op.drop_table("help_messages")
    op.drop_index("ix_help_requests_officer_status", table_name="help_requests")
    op.drop_index("ix_help_requests_village_status", table_name="help_requests")
    op.drop_index("ix_help_requests_requester_id", table_name="help_requests")
    op.drop_table("help_requests")
