"""People and their channel identities: who is behind a Telegram id (a WhatsApp number
next), and where to reach a person."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import is_postgresql
from storage.models import Identity, Person

TELEGRAM = "telegram"

# How often "last seen" is written: enough to pick the channel a person uses now, without
# a write for every message of a chat.
SEEN_EVERY = timedelta(minutes=10)

# Built once: every update of every person runs it (see get_or_create).
_PERSON_OF = select(Identity.person_id, Identity.last_seen_at).where(
    Identity.channel == bindparam("channel"), Identity.address == bindparam("address")
)


async def find(session: AsyncSession, channel: str, address: str) -> int | None:
    """The person behind ``address`` on ``channel``, or None."""
    row = (await session.execute(_PERSON_OF, {"channel": channel, "address": address})).first()
    return None if row is None else int(row[0])


async def get_or_create(
    session: AsyncSession, channel: str, address: str, *, now: datetime, seen: bool = False
) -> int:
    """The person behind ``address``, made on first contact. ``seen``: they wrote from it
    now (recorded every :data:`SEEN_EVERY`)."""
    row = (await session.execute(_PERSON_OF, {"channel": channel, "address": address})).first()
    if row is None:
        person: int | None = await session.scalar(
            insert(Person).values(created_at=now).returning(Person.id)
        )
        assert person is not None
        # Two processes may meet the same newcomer at once: the first identity wins and
        # the other process's person row is dropped.
        insert_ = pg_insert if is_postgresql(session) else sqlite_insert
        mine = await session.scalar(
            insert_(Identity)
            .values(
                channel=channel,
                address=address,
                person_id=person,
                created_at=now,
                last_seen_at=now if seen else None,
            )
            .on_conflict_do_nothing(index_elements=[Identity.channel, Identity.address])
            .returning(Identity.person_id)
        )
        if mine is not None:
            return person
        await session.execute(delete(Person).where(Person.id == person))
        won = await find(session, channel, address)
        assert won is not None
        return won
    if seen:
        await note_seen(session, channel, address, row[1], now=now)
    return int(row[0])


async def note_seen(
    session: AsyncSession, channel: str, address: str, last_seen: datetime | None, *, now: datetime
) -> None:
    """They wrote from ``address`` now: noted when the last note is older than
    :data:`SEEN_EVERY` (``last_seen``: the note as read)."""
    if last_seen is None or now - last_seen >= SEEN_EVERY:
        await session.execute(
            update(Identity)
            .where(Identity.channel == channel, Identity.address == address)
            .values(last_seen_at=now)
        )


async def register_many(
    session: AsyncSession, channel: str, addresses: Sequence[str], *, now: datetime
) -> dict[str, int]:
    """New people, one per address on ``channel`` (none of them known yet), in two
    statements whatever their number: for imports and for benchmarks' populations.
    Returns address → person id."""
    if not addresses:
        return {}
    made = await session.execute(
        insert(Person).returning(Person.id, sort_by_parameter_order=True),
        [{"created_at": now} for _ in addresses],
    )
    persons = [row[0] for row in made.all()]
    await session.execute(
        insert(Identity),
        [
            {"channel": channel, "address": a, "person_id": p, "created_at": now}
            for a, p in zip(addresses, persons, strict=True)
        ],
    )
    return dict(zip(addresses, persons, strict=True))


async def telegram(session: AsyncSession, telegram_id: int, *, now: datetime) -> int:
    """The person with this Telegram user id (an officer or admin named by an id)."""
    return await get_or_create(session, TELEGRAM, str(telegram_id), now=now)


async def telegram_people(
    session: AsyncSession, telegram_ids: Collection[int], *, now: datetime
) -> list[int]:
    """The people behind these Telegram ids (made where missing), in the ids' order: one
    read when all are known (the admins, asked for on every case event)."""
    addresses = [str(t) for t in sorted(telegram_ids)]
    if not addresses:
        return []
    rows = await session.execute(
        select(Identity.address, Identity.person_id).where(
            Identity.channel == TELEGRAM, Identity.address.in_(addresses)
        )
    )
    known = dict(rows.all())
    return [
        known[a] if a in known else await get_or_create(session, TELEGRAM, a, now=now)
        for a in addresses
    ]


async def identities(session: AsyncSession, person_id: int) -> Sequence[Identity]:
    """Every way to reach the person, the most recently used first."""
    rows = await session.scalars(
        select(Identity)
        .where(Identity.person_id == person_id)
        .order_by(Identity.last_seen_at.desc().nulls_last(), Identity.channel)
    )
    return rows.all()


async def addresses(
    session: AsyncSession, person_ids: Collection[int]
) -> dict[int, tuple[str, str]]:
    """Where to reach each person: ``(channel, address)`` of the identity they used
    last. People with no identity (erased) are missing from the answer."""
    found: dict[int, tuple[str, str]] = {}
    if not person_ids:
        return found
    rows = await session.execute(
        select(Identity.person_id, Identity.channel, Identity.address)
        .where(Identity.person_id.in_(list(person_ids)))
        .order_by(Identity.last_seen_at.desc().nulls_last(), Identity.channel)
    )
    for person, channel, address in rows.all():
        found.setdefault(person, (channel, address))
    return found


async def telegram_ids(session: AsyncSession, person_ids: Collection[int]) -> dict[int, int]:
    """Each person's Telegram user id, where they have one."""
    if not person_ids:
        return {}
    rows = await session.execute(
        select(Identity.person_id, Identity.address).where(
            Identity.person_id.in_(list(person_ids)), Identity.channel == TELEGRAM
        )
    )
    return {person: int(address) for person, address in rows.all()}


async def erase(session: AsyncSession, person_id: int) -> None:
    """Forget the person and every identity (the id is never given out again)."""
    await session.execute(delete(Identity).where(Identity.person_id == person_id))
    await session.execute(delete(Person).where(Person.id == person_id))
