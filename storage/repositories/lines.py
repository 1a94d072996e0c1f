"""Inbox lines: which process handles a person's updates (see :class:`InboxLine`).

Every function here runs in the caller's transaction. Taking a line is one upsert per
person, so two processes racing for the same person serialise on its row (PostgreSQL
locks it; SQLite has one writer at a time): one gets it, the other learns who has it.
Giving a line up first renews it (which locks the row) and then reads the person's
pending rows in the same transaction: an update stored meanwhile by another process is
either seen there (the owner keeps the line and handles it) or its process's upsert waits
for the release to commit and then takes the line itself. Either way it is handled.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import is_postgresql
from storage.models import InboxLine, InboxUpdate

PendingRow = tuple[int, int, dict[str, Any] | None]  # update_id, person_id, payload
OpenRow = tuple[int, int, str, dict[str, Any] | None, list[Any] | None]


async def take(
    session: AsyncSession,
    persons: Collection[int],
    *,
    owner: str,
    now: datetime,
    lease_until: datetime,
) -> set[int]:
    """Take the lines of ``persons`` that are free, already ours, or whose lease ran out;
    returns the persons whose line is now ours."""
    if not persons:
        return set()
    insert = pg_insert if is_postgresql(session) else sqlite_insert
    # Sorted: two processes taking overlapping sets lock rows in the same order.
    values = insert(InboxLine).values(
        [{"person_id": p, "owner": owner, "lease_until": lease_until} for p in sorted(persons)]
    )
    ours = (InboxLine.owner == owner) | (InboxLine.lease_until < now)
    new = values.excluded
    statement = values.on_conflict_do_update(
        index_elements=["person_id"],
        set_={
            "owner": case((ours, new.owner), else_=InboxLine.owner),
            "lease_until": case((ours, new.lease_until), else_=InboxLine.lease_until),
        },
    ).returning(InboxLine.person_id, InboxLine.owner)
    rows = (await session.execute(statement)).all()
    return {person for person, holder in rows if holder == owner}


async def renew(
    session: AsyncSession,
    *,
    owner: str,
    lease_until: datetime,
    persons: Collection[int] | None = None,
) -> set[int]:
    """Push the lease of our lines (all of them, or those of ``persons``) forward;
    returns the persons whose line is still ours."""
    statement = update(InboxLine).where(InboxLine.owner == owner)
    if persons is not None:
        if not persons:
            return set()
        statement = statement.where(InboxLine.person_id.in_(sorted(persons)))
    result = await session.execute(
        statement.values(lease_until=lease_until)
        .returning(InboxLine.person_id)
        .execution_options(synchronize_session=False)
    )
    return set(result.scalars().all())


async def pending(session: AsyncSession, persons: Collection[int]) -> list[PendingRow]:
    """The persons' rows not handled yet, in ``update_id`` order."""
    if not persons:
        return []
    rows = await session.execute(
        select(InboxUpdate.update_id, InboxUpdate.person_id, InboxUpdate.payload)
        .where(InboxUpdate.person_id.in_(sorted(persons)), InboxUpdate.status == "pending")
        .order_by(InboxUpdate.update_id)
    )
    return [(row[0], row[1], row[2]) for row in rows.all()]


async def release(session: AsyncSession, persons: Collection[int], *, owner: str) -> None:
    """Give up our lines of ``persons`` (the caller renewed them first in this
    transaction and found nothing pending)."""
    if persons:
        await session.execute(
            delete(InboxLine)
            .where(InboxLine.person_id.in_(sorted(persons)), InboxLine.owner == owner)
            .execution_options(synchronize_session=False)
        )


async def orphaned(
    session: AsyncSession, *, owner: str, now: datetime, limit: int = 500
) -> set[int]:
    """Persons with rows still open and no live line, or a line of ``owner`` (after a
    restart, the lines of the process before): their rows wait for someone to take them."""
    open_persons = (
        select(InboxUpdate.person_id)
        .where(InboxUpdate.status.in_(("pending", "handled")))
        .distinct()
        .limit(limit)
    )
    live = select(InboxLine.person_id).where(
        InboxLine.lease_until >= now, InboxLine.owner != owner
    )
    rows = await session.scalars(open_persons.where(InboxUpdate.person_id.not_in(live)))
    return set(rows.all())


async def open_rows(session: AsyncSession, persons: Collection[int]) -> list[OpenRow]:
    """The persons' open rows (``pending`` and ``handled``), oldest first:
    ``(update_id, person_id, status, payload, replies)``."""
    if not persons:
        return []
    rows = await session.execute(
        select(
            InboxUpdate.update_id,
            InboxUpdate.person_id,
            InboxUpdate.status,
            InboxUpdate.payload,
            InboxUpdate.replies,
        )
        .where(
            InboxUpdate.person_id.in_(sorted(persons)),
            InboxUpdate.status.in_(("pending", "handled")),
        )
        .order_by(InboxUpdate.update_id)
    )
    return [(row[0], row[1], row[2], row[3], row[4]) for row in rows.all()]
