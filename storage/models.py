"""The database schema as typed SQLAlchemy 2 models.

Personal data lives in ``users`` (and ``officers`` for staff). Erasing a user deletes
those rows; no other table holds anything that points back to a person.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, DateTime, Index, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite hands back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use the injected clock")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class User(Base):
    """A person talking to the bot, keyed by their Telegram user id.

    ``consent`` is ``None`` until answered, then ``"given"`` or ``"declined"``. A user who
    declined keeps only ``telegram_id``, ``locale`` and ``consent`` so the bot can keep
    speaking their language and does not ask again.

    ``dialog``/``step``/``dialog_data`` say where the user is in a multi-step dialog;
    they are read on every update, so a restart loses nothing.
    """

    __tablename__ = "users"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    locale: Mapped[str] = mapped_column(String(8))
    consent: Mapped[str | None] = mapped_column(String(16))
    consent_at: Mapped[datetime | None]
    role: Mapped[str | None] = mapped_column(String(32))
    village_id: Mapped[str | None] = mapped_column(String(64))
    other_village: Mapped[str | None] = mapped_column(String(200))
    unreachable_at: Mapped[datetime | None]
    dialog: Mapped[str | None] = mapped_column(String(32))
    step: Mapped[str | None] = mapped_column(String(32))
    dialog_data: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (Index("ix_users_village_role", "village_id", "role"),)


class Officer(Base):
    """A village-centre or district officer, scoped to an area (village or kabupaten id)."""

    __tablename__ = "officers"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    area_id: Mapped[str] = mapped_column(String(64), index=True)
    granted_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
