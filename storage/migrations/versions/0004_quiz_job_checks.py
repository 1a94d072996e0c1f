"""Quiz rounds and answers, job-offer checks.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quiz_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("village_id", sa.String(length=64), nullable=True),
        sa.Column("question_ids", sa.JSON(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_quiz_rounds_telegram_id", "quiz_rounds", ["telegram_id"])
    op.create_index(
        "ix_quiz_rounds_village_finished", "quiz_rounds", ["village_id", "finished_at"]
    )
    op.create_table(
        "quiz_answers",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=48), nullable=False),
        sa.Column("answer_id", sa.String(length=4), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["quiz_rounds.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("round_id", "question_id"),
    )
    op.create_table(
        "job_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("village_id", sa.String(length=64), nullable=True),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_job_checks_telegram_id", "job_checks", ["telegram_id"])
    op.create_index("ix_job_checks_village_created", "job_checks", ["village_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_job_checks_village_created", table_name="job_checks")
    op.drop_index("ix_job_checks_telegram_id", table_name="job_checks")
    op.drop_table("job_checks")
    op.drop_table("quiz_answers")
    op.drop_index("ix_quiz_rounds_village_finished", table_name="quiz_rounds")
    op.drop_index("ix_quiz_rounds_telegram_id", table_name="quiz_rounds")
    op.drop_table("quiz_rounds")
