"""Users: load-with-lock, create-on-first-contact, erase."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import is_postgresql
from storage.models import Officer, User


async def get_for_update(session: AsyncSession, telegram_id: int) -> User | None:
    """The user row, locked until the transaction ends on PostgreSQL.

    The lock serialises one user's updates across bot processes, so two processes fed
    alternate updates of the same user behave like one. SQLite serialises writers anyway.
    """
    statement = select(User).where(User.telegram_id == telegram_id)
    if is_postgresql(session):
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def get_or_create(
    session: AsyncSession, telegram_id: int, *, locale: str, now: datetime
) -> User:
    user = await get_for_update(session, telegram_id)
    if user is not None:
        return user
    # Two processes may see the same new user at once: insert-or-ignore, then lock.
    insert = pg_insert if is_postgresql(session) else sqlite_insert
    await session.execute(
        insert(User)
        .values(telegram_id=telegram_id, locale=locale, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=[User.telegram_id])
    )
    user = await get_for_update(session, telegram_id)
    assert user is not None
    return user


async def get(session: AsyncSession, telegram_id: int) -> User | None:
    return await session.get(User, telegram_id)


async def mark_unreachable(session: AsyncSession, telegram_id: int, when: datetime | None) -> None:
    await session.execute(
        update(User).where(User.telegram_id == telegram_id).values(unreachable_at=when)
    )


async def erase(session: AsyncSession, telegram_id: int) -> None:
    """Delete every row that is about this person."""
    await session.execute(delete(Officer).where(Officer.telegram_id == telegram_id))
    await session.execute(delete(User).where(User.telegram_id == telegram_id))
