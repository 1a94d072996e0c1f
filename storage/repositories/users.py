"""Users: load-with-lock, create-on-first-contact, erase."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import is_postgresql
from storage.models import (
    Announcement,
    Checklist,
    ChecklistMark,
    Identity,
    Officer,
    User,
)

# Built once: constructing the statement cost more than running it (profiled).
_USER = (
    select(User, Officer)
    .outerjoin(Officer, Officer.person_id == User.person_id)
    .where(User.person_id == bindparam("person_id"))
)
_USER_LOCKED = _USER.with_for_update(of=User)

# The same, found by the identity the event came from, with when it was last seen: one
# statement for every event of someone the bot knows (the locked row is the user's).
_USER_AT = (
    select(User, Officer, Identity.last_seen_at)
    .join(Identity, Identity.person_id == User.person_id)
    .outerjoin(Officer, Officer.person_id == User.person_id)
    .where(Identity.channel == bindparam("channel"), Identity.address == bindparam("address"))
)
_USER_AT_LOCKED = _USER_AT.with_for_update(of=User)


async def get_for_update(
    session: AsyncSession, person_id: int
) -> tuple[User, Officer | None] | None:
    """The user row (locked until the transaction ends on PostgreSQL) and their officer row.

    The lock serialises one user's updates across bot processes, so two processes fed
    alternate updates of the same user behave like one. SQLite serialises writers anyway.
    The officer row comes in the same query because most replies need to know it.
    """
    statement = _USER_LOCKED if is_postgresql(session) else _USER
    row = (await session.execute(statement, {"person_id": person_id})).one_or_none()
    return (row[0], row[1]) if row is not None else None


async def get_or_create_at(
    session: AsyncSession, channel: str, address: str, *, locale: str, now: datetime
) -> tuple[User, Officer | None]:
    """The user behind ``address`` on ``channel`` (locked as :func:`get_for_update`),
    made with their person on first contact; notes that they wrote from it now."""
    from storage.repositories import people

    statement = _USER_AT_LOCKED if is_postgresql(session) else _USER_AT
    values = {"channel": channel, "address": address}
    row = (await session.execute(statement, values)).one_or_none()
    if row is not None:
        await people.note_seen(session, channel, address, row[2], now=now)
        return row[0], row[1]
    person = await people.get_or_create(session, channel, address, now=now, seen=True)
    return await _create(session, person, locale=locale, now=now)


async def get_or_create(
    session: AsyncSession, person_id: int, *, locale: str, now: datetime
) -> tuple[User, Officer | None]:
    found = await get_for_update(session, person_id)
    if found is not None:
        return found
    return await _create(session, person_id, locale=locale, now=now)


async def _create(
    session: AsyncSession, person_id: int, *, locale: str, now: datetime
) -> tuple[User, Officer | None]:
    # Two processes may see the same new user at once: insert-or-ignore, then lock.
    insert = pg_insert if is_postgresql(session) else sqlite_insert
    await session.execute(
        insert(User)
        .values(person_id=person_id, locale=locale, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=[User.person_id])
    )
    found = await get_for_update(session, person_id)
    assert found is not None
    return found


async def get(session: AsyncSession, person_id: int) -> User | None:
    return await session.get(User, person_id)


def at(channel: str, address: str) -> Select[User]:
    """The user behind ``address`` on ``channel`` (a query to narrow or run)."""
    return (
        select(User)
        .join(Identity, Identity.person_id == User.person_id)
        .where(Identity.channel == channel, Identity.address == address)
    )


async def get_at(session: AsyncSession, channel: str, address: str) -> User | None:
    found: User | None = await session.scalar(at(channel, address))
    return found


async def mark_unreachable(session: AsyncSession, person_id: int, when: datetime | None) -> None:
    await session.execute(
        update(User).where(User.person_id == person_id).values(unreachable_at=when)
    )


async def mark_unreachable_at(
    session: AsyncSession, channel: str, address: str, when: datetime | None
) -> None:
    """The same, for the person behind ``address`` on ``channel`` (as the channel says)."""
    person = (
        select(Identity.person_id)
        .where(Identity.channel == channel, Identity.address == address)
        .scalar_subquery()
    )
    await session.execute(
        update(User)
        .where(User.person_id == person)
        .values(unreachable_at=when)
        .execution_options(synchronize_session=False)
    )


async def erase(session: AsyncSession, person_id: int) -> None:
    """Delete this person's own rows (see :mod:`bot.services.erasure` for the rest).

    Deliveries keep their outcome without the person or chat (officers' reports stay true);
    announcements an officer wrote keep their text but no longer name the officer.
    """
    from storage.repositories import deliveries, inbox, people

    await deliveries.forget_person(session, person_id)
    for identity in await people.identities(session, person_id):
        if identity.address.isdigit():  # the inbox keys a line by the channel's own id
            await inbox.forget_person(session, int(identity.address))
    await session.execute(
        update(Announcement)
        .where(Announcement.officer_id == person_id)
        .values(officer_id=None, progress_chat_id=None, progress_message_id=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(delete(ChecklistMark).where(ChecklistMark.person_id == person_id))
    await session.execute(delete(Checklist).where(Checklist.person_id == person_id))
    await session.execute(delete(Officer).where(Officer.person_id == person_id))
    await session.execute(delete(User).where(User.person_id == person_id))
    await people.erase(session, person_id)
