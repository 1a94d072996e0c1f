"""Officers and their areas."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Officer


async def get(session: AsyncSession, person_id: int) -> Officer | None:
    return await session.get(Officer, person_id)


async def upsert(
    session: AsyncSession, person_id: int, area_id: str, *, granted_by: int | None, now: datetime
) -> Officer:
    officer = await session.get(Officer, person_id)
    if officer is None:
        officer = Officer(
            person_id=person_id, area_id=area_id, granted_by=granted_by, created_at=now
        )
        session.add(officer)
    else:
        officer.area_id = area_id
        officer.granted_by = granted_by
    return officer


async def remove(session: AsyncSession, person_id: int) -> bool:
    result = await session.execute(delete(Officer).where(Officer.person_id == person_id))
    return bool(getattr(result, "rowcount", 0))


async def all_officers(session: AsyncSession) -> Sequence[Officer]:
    return (
        await session.scalars(select(Officer).order_by(Officer.area_id, Officer.person_id))
    ).all()
