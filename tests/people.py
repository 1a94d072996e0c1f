"""Tests name people by the Telegram ids they write from; the bot keys its rows by person
id. These look a person up through their Telegram identity, as the bot does."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Identity, User

Row = TypeVar("Row")


async def person_of(db: AsyncSession, telegram_id: int) -> int | None:
    """The person id behind a Telegram id (None: the bot does not know them)."""
    found: int | None = await db.scalar(
        select(Identity.person_id).where(
            Identity.channel == "telegram", Identity.address == str(telegram_id)
        )
    )
    return found


async def person(db: AsyncSession, telegram_id: int) -> int:
    """The same, for someone the bot must know."""
    found = await person_of(db, telegram_id)
    assert found is not None, f"no person with Telegram id {telegram_id}"
    return found


async def row_of(db: AsyncSession, model: type[Row], telegram_id: int) -> Row | None:
    """``model``'s row keyed by the person behind ``telegram_id`` (None if either is
    missing)."""
    found = await person_of(db, telegram_id)
    return None if found is None else await db.get(model, found)


async def user_of(db: AsyncSession, telegram_id: int) -> User | None:
    return await row_of(db, User, telegram_id)


async def telegram_of(db: AsyncSession, person_id: Any) -> int | None:
    """The Telegram id of a person id (None for None, 0, aliases and the unknown)."""
    if not isinstance(person_id, int) or person_id <= 0:
        return None
    address = await db.scalar(
        select(Identity.address).where(
            Identity.person_id == person_id, Identity.channel == "telegram"
        )
    )
    return int(address) if address is not None else None


async def telegram_ids(db: AsyncSession) -> dict[int, int]:
    """Every person id → Telegram id."""
    rows = await db.execute(
        select(Identity.person_id, Identity.address).where(Identity.channel == "telegram")
    )
    return {p: int(a) for p, a in rows.all()}


async def telegram_person(db: AsyncSession, telegram_id: int) -> int:
    """The person behind a Telegram id, made if new (as ``/petugas tambah`` does)."""
    from storage.repositories import people

    return await people.telegram(db, telegram_id, now=datetime.now(UTC))


async def register(db: AsyncSession, telegram_ids: list[int], now: datetime) -> dict[int, int]:
    """People with these Telegram identities, straight into the database (as the bot
    makes them on first contact); returns Telegram id → person id."""
    from storage.repositories import people

    made = await people.register_many(db, "telegram", [str(t) for t in telegram_ids], now=now)
    return {int(address): person for address, person in made.items()}


async def make_users(
    db: AsyncSession, telegram_ids: list[int], now: datetime, **fields: Any
) -> dict[int, int]:
    """Users (and their people) with ``fields``; returns Telegram id → person id."""
    persons = await register(db, telegram_ids, now)
    if persons:
        await db.execute(
            insert(User),
            [
                {"locale": "id", "created_at": now, "updated_at": now, **fields, "person_id": p}
                for p in persons.values()
            ],
        )
    return persons


async def grant(
    services: Any,
    telegram_id: int,
    area: str,
    *,
    granted_by: int | None = None,
    now: datetime | None = None,
) -> Any:
    """Make the person behind ``telegram_id`` an officer of ``area`` (as ``desmigratif
    officer add`` does; ``granted_by``: an admin's Telegram id). Returns the handover."""
    from bot.services import officers

    async with services.sessions() as session, session.begin():
        by = await telegram_person(session, granted_by) if granted_by is not None else None
        _officer, handover = await officers.grant(
            session,
            await services.routing(session),
            await telegram_person(session, telegram_id),
            area,
            granted_by=by,
            now=now or services.clock.now(),
        )
    return handover
