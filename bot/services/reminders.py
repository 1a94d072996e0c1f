"""Planning reminders as delivery rows (kind ``reminder``), and when they may be sent.

Three sorts, told apart by the row's payload:

- ``{"r": "d30"}``: a departure-anchored reminder from ``checklist.yaml``;
- ``{"expiry": "passport", "days": 90}``: a document runs out in ``days`` days;
- ``{"nudge": 1}``: unfinished items, at most once every ``nudge_days``, never after the
  departure date.

They are planned for 09:00 on their day in the person's own time zone and re-planned
whenever something they depend on changes (departure date, ticks, expiry dates, time
zone, the reminder switch). Whether a reminder still applies and whether it is quiet time
for the person is decided again when it is due (:func:`quiet_until`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.checklist import Checklist as Content
from bot.services import checklists
from bot.services.profiles import CONSENT_GIVEN
from storage.models import Checklist, ChecklistMark, Delivery, User
from storage.repositories import deliveries

KIND = "reminder"
SEND_AT = time(9, 0)


def zone(user: User, default: str) -> ZoneInfo:
    return ZoneInfo(user.timezone or default)


def local_moment(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, SEND_AT, tzinfo=tz)


def quiet_until(user: User, now: datetime, default_zone: str) -> datetime | None:
    """The end of the person's quiet hours if ``now`` falls inside them, else None."""
    tz = zone(user, default_zone)
    local = now.astimezone(tz)
    minute = local.hour * 60 + local.minute
    start, end = user.quiet_start, user.quiet_end
    if start == end:
        return None
    inside = start <= minute or minute < end if start > end else start <= minute < end
    if not inside:
        return None
    wake = local.replace(hour=end // 60, minute=end % 60, second=0, microsecond=0)
    if wake <= local:
        wake += timedelta(days=1)
    return wake


def reminder_rows(
    user: User,
    view: checklists.View | None,
    content: Content,
    *,
    now: datetime,
    default_zone: str,
    gone: Collection[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    """The reminder rows one person should have from ``now`` on (pure: no database).

    One due this very minute is planned too (the sweep sends it at once: someone who
    fills in the checklist at 09:00 on the 30-day reminder's day gets it), unless it is
    among ``gone``, the payloads already sent or being sent this minute: a tick right
    after it went must not send it twice.
    """
    if view is None or user.reminders_off or user.consent != CONSENT_GIVEN:
        return []
    plan_row = view.plan
    tz = zone(user, default_zone)
    today = now.astimezone(tz).date()
    this_minute = now.replace(second=0, microsecond=0)
    rows: list[dict[str, Any]] = []

    def add(day: date, payload: dict[str, Any]) -> None:
        moment = local_moment(day, tz)
        if moment > now or (moment == this_minute and payload not in gone):
            rows.append(
                {"kind": KIND, "person_id": user.person_id, "due_at": moment, "payload": payload}
            )

    if plan_row.departure_on is not None:
        for reminder in content.reminders.values():
            if reminder.items and all(view.done(item) for item in reminder.items):
                continue
            add(plan_row.departure_on + timedelta(days=reminder.offset_days), {"r": reminder.id})
    for item_id, mark in view.marks.items():
        if mark.expires_on is None or item_id not in content.items:
            continue
        for days in content.expiry_reminder_days:
            add(mark.expires_on - timedelta(days=days), {"expiry": item_id, "days": days})
    nudge_day = today + timedelta(days=content.nudge_days)
    if view.missing and not departed(plan_row.departure_on, nudge_day):
        add(nudge_day, {"nudge": 1})
    return rows


def departed(departure_on: date | None, day: date) -> bool:
    """Whether ``day`` is after the departure date: no weekly nudge then."""
    return departure_on is not None and day > departure_on


def overtaken(content: Content, reminder_id: str, departure_on: date | None, today: date) -> bool:
    """Whether a departure reminder no longer makes sense on ``today``.

    After downtime several of a person's departure reminders can be overdue at once. Each
    speaks for the days up to the next one ("about 30 days left" until the 14-day one,
    the last until the departure day), so one whose successor's day has come (its offset
    passed by more than its own interval) is left out: only the latest meaningful one goes.
    """
    reminder = content.reminders.get(reminder_id)
    if reminder is None or departure_on is None or reminder.offset_days >= 0:
        return False
    later = [
        other.offset_days
        for other in content.reminders.values()
        if reminder.offset_days < other.offset_days < 0
    ]
    successor = min(later, default=0)
    return today >= departure_on + timedelta(days=successor)


def _pending_of(person_ids: list[int]) -> Any:
    return delete(Delivery).where(
        Delivery.person_id.in_(person_ids), Delivery.kind == KIND, Delivery.status == "pending"
    )


async def _gone(
    session: AsyncSession, person_ids: list[int], now: datetime
) -> dict[int, list[dict[str, Any]]]:
    """Per person, the reminders sent this minute or being sent now (not planned again)."""
    found = await session.execute(
        select(Delivery.person_id, Delivery.payload).where(
            Delivery.person_id.in_(person_ids),
            Delivery.kind == KIND,
            or_(
                Delivery.status == "claimed",
                Delivery.sent_at >= now.replace(second=0, microsecond=0),
            ),
        )
    )
    gone: dict[int, list[dict[str, Any]]] = {}
    for person_id, payload in found.all():
        gone.setdefault(person_id, []).append(payload)
    return gone


async def plan(
    session: AsyncSession,
    user: User,
    content: Content,
    *,
    now: datetime,
    default_zone: str,
    checklist: Checklist | None = None,
) -> list[dict[str, Any]]:
    """Replace one person's pending reminders; returns the rows planned."""
    await session.execute(_pending_of([user.person_id]))
    plan_row = checklist or await checklists.get(session, user.person_id)
    view = await checklists.view(session, content, plan_row) if plan_row else None
    gone = (await _gone(session, [user.person_id], now)).get(user.person_id, [])
    rows = reminder_rows(user, view, content, now=now, default_zone=default_zone, gone=gone)
    await deliveries.enqueue_many(session, rows)
    return rows


async def plan_many(
    session: AsyncSession,
    person_ids: list[int],
    content: Content,
    *,
    now: datetime,
    default_zone: str,
) -> int:
    """Re-plan a batch of people with five statements (for content changes and
    migrations: re-planning everyone in batches keeps memory flat)."""
    await session.execute(_pending_of(person_ids))
    people = (await session.scalars(select(User).where(User.person_id.in_(person_ids)))).all()
    plans = {
        plan.person_id: plan
        for plan in (
            await session.scalars(select(Checklist).where(Checklist.person_id.in_(person_ids)))
        ).all()
    }
    marks: dict[int, dict[str, ChecklistMark]] = {}
    for mark in (
        await session.scalars(select(ChecklistMark).where(ChecklistMark.person_id.in_(person_ids)))
    ).all():
        marks.setdefault(mark.person_id, {})[mark.item_id] = mark
    gone = await _gone(session, person_ids, now)
    rows: list[dict[str, Any]] = []
    for user in people:
        plan_row = plans.get(user.person_id)
        view = None
        if plan_row is not None:
            items = content.items_for(plan_row.scheme, plan_row.country, plan_row.sector)
            view = checklists.View(plan_row, items, marks.get(user.person_id, {}))
        rows += reminder_rows(
            user,
            view,
            content,
            now=now,
            default_zone=default_zone,
            gone=gone.get(user.person_id, []),
        )
    await deliveries.enqueue_many(session, rows)
    return len(rows)


async def upcoming(session: AsyncSession, person_id: int, limit: int = 5) -> list[Delivery]:
    rows = await session.scalars(
        select(Delivery)
        .where(
            Delivery.person_id == person_id,
            Delivery.kind == KIND,
            Delivery.status.in_(deliveries.OPEN),
        )
        .order_by(Delivery.due_at)
        .limit(limit)
    )
    return list(rows.all())
