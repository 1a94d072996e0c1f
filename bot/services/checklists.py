"""A person's pre-departure checklist: answers, ticks, expiry dates, progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.checklist import Checklist as Content
from bot.content.checklist import Item
from storage.models import Checklist, ChecklistMark


@dataclass(frozen=True)
class View:
    """What the checklist shows: the items that apply, and which are done."""

    plan: Checklist
    items: list[Item]
    marks: dict[str, ChecklistMark]

    def done(self, item_id: str) -> bool:
        mark = self.marks.get(item_id)
        return mark is not None and mark.ticked_at is not None

    @property
    def progress(self) -> tuple[int, int]:
        return sum(1 for item in self.items if self.done(item.id)), len(self.items)

    @property
    def missing(self) -> list[Item]:
        return [item for item in self.items if not self.done(item.id)]


async def get(session: AsyncSession, person_id: int) -> Checklist | None:
    return await session.get(Checklist, person_id)


async def ensure(session: AsyncSession, person_id: int, now: datetime) -> Checklist:
    plan = await session.get(Checklist, person_id)
    if plan is None:
        plan = Checklist(
            person_id=person_id, departure_approx=False, created_at=now, updated_at=now
        )
        session.add(plan)
        await session.flush()
    return plan


async def marks(session: AsyncSession, person_id: int) -> dict[str, ChecklistMark]:
    rows = await session.scalars(select(ChecklistMark).where(ChecklistMark.person_id == person_id))
    return {mark.item_id: mark for mark in rows.all()}


async def view(session: AsyncSession, content: Content, plan: Checklist) -> View:
    items = content.items_for(plan.scheme, plan.country, plan.sector)
    return View(plan, items, await marks(session, plan.person_id))


def applies(content: Content, plan: Checklist, item_id: str) -> bool:
    item = content.items.get(item_id)
    return item is not None and item.applies(plan.scheme, plan.country, plan.sector)


async def _mark(session: AsyncSession, person_id: int, item_id: str) -> ChecklistMark:
    mark = await session.get(ChecklistMark, (person_id, item_id))
    if mark is None:
        mark = ChecklistMark(person_id=person_id, item_id=item_id)
        session.add(mark)
    return mark


async def toggle(session: AsyncSession, person_id: int, item_id: str, now: datetime) -> bool:
    """Tick or untick; returns whether the item is now done."""
    mark = await _mark(session, person_id, item_id)
    mark.ticked_at = None if mark.ticked_at is not None else now
    return mark.ticked_at is not None


async def set_expiry(
    session: AsyncSession, person_id: int, item_id: str, expires_on: date | None
) -> None:
    mark = await _mark(session, person_id, item_id)
    mark.expires_on = expires_on


async def erase(session: AsyncSession, person_id: int) -> None:
    await session.execute(delete(ChecklistMark).where(ChecklistMark.person_id == person_id))
    await session.execute(delete(Checklist).where(Checklist.person_id == person_id))
