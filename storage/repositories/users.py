"""Users: load-with-lock, create-on-first-contact, erase."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import is_postgresql
from storage.models import (
    Announcement,
    Checklist,
    ChecklistMark,
    Officer,
    User,
)

# Built once: constructing the statement cost more than running it (profiled).
_USER = (
    select(User, Officer)
    .outerjoin(Officer, Officer.telegram_id == User.telegram_id)
    .where(User.telegram_id == bindparam("telegram_id"))
)
_USER_LOCKED = _USER.with_for_update(of=User)


async def get_for_update(
    session: AsyncSession, telegram_id: int
) -> tuple[User, Officer | None] | None:
    """The user row (locked until the transaction ends on PostgreSQL) and their officer row.

    The lock serialises one user's updates across bot processes, so two processes fed
    alternate updates of the same user behave like one. SQLite serialises writers anyway.
    The officer row comes in the same query because most replies need to know it.
    """
    statement = _USER_LOCKED if is_postgresql(session) else _USER
    row = (await session.execute(statement, {"telegram_id": telegram_id})).one_or_none()
    return (row[0], row[1]) if row is not None else None


async def get_or_create(
    session: AsyncSession, telegram_id: int, *, locale: str, now: datetime
) -> tuple[User, Officer | None]:
    found = await get_for_update(session, telegram_id)
    if found is not None:
        return found
    # Two processes may see the same new user at once: insert-or-ignore, then lock.
    insert = pg_insert if is_postgresql(session) else sqlite_insert
    await session.execute(
        insert(User)
        .values(telegram_id=telegram_id, locale=locale, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=[User.telegram_id])
    )
    found = await get_for_update(session, telegram_id)
    assert found is not None
    return found


async def get(session: AsyncSession, telegram_id: int) -> User | None:
    return await session.get(User, telegram_id)


async def mark_unreachable(session: AsyncSession, telegram_id: int, when: datetime | None) -> None:
    await session.execute(
        update(User).where(User.telegram_id == telegram_id).values(unreachable_at=when)
    )


async def erase(session: AsyncSession, telegram_id: int) -> None:
    """Delete this person's own rows (see :mod:`bot.services.erasure` for the rest).

    Deliveries keep their outcome without the chat id (officers' reports stay true);
    announcements an officer wrote keep their text but no longer name the officer.
    """
    from storage.repositories import deliveries, inbox

    await deliveries.forget_chat(session, telegram_id)
    await inbox.forget_person(session, telegram_id)
    await session.execute(
        update(Announcement)
        .where(Announcement.officer_id == telegram_id)
        .values(officer_id=None, progress_chat_id=None, progress_message_id=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(delete(ChecklistMark).where(ChecklistMark.telegram_id == telegram_id))
    await session.execute(delete(Checklist).where(Checklist.telegram_id == telegram_id))
    await session.execute(delete(Officer).where(Officer.telegram_id == telegram_id))
    await session.execute(delete(User).where(User.telegram_id == telegram_id))
