"""Granting and removing officer roles (command line and admins on Telegram)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import Villages
from storage.models import Officer
from storage.repositories import officers


class UnknownArea(ValueError):
    def __init__(self, area_id: str, villages: Villages) -> None:
        known = ", ".join(villages.area_ids)
        super().__init__(f"unknown area {area_id!r}; known areas: {known}")
        self.area_id = area_id


async def grant(
    session: AsyncSession,
    villages: Villages,
    telegram_id: int,
    area_id: str,
    *,
    granted_by: int | None,
    now: datetime,
) -> Officer:
    area_id = area_id.strip().lower()
    if villages.area(area_id) is None:
        raise UnknownArea(area_id, villages)
    officer = await officers.upsert(session, telegram_id, area_id, granted_by=granted_by, now=now)
    await session.flush()
    return officer


async def revoke(session: AsyncSession, telegram_id: int) -> bool:
    return await officers.remove(session, telegram_id)


async def listing(session: AsyncSession) -> Sequence[Officer]:
    return await officers.all_officers(session)
