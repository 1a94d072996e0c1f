"""Granting, moving and removing officer roles (command line and admins on Telegram).

An officer who is removed, moves to another area or erases their data stops covering some
cases at once. Nothing they held may be left with nobody: every open case they no longer
cover goes back to its area's queue (unassigned, logged, the area's officers alerted as
for a new case, its escalation planned again), and the scheduled announcements they can
no longer send are cancelled. :class:`Handover` says what happened, for the admins.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import Villages
from bot.content.help import Deadlines
from bot.services import announcements, case_alerts
from bot.services import help_requests as cases
from bot.services.case_alerts import covered_villages
from storage.db import is_postgresql
from storage.models import Announcement, HelpEvent, HelpRequest, Officer
from storage.repositories import officers

# Why an officer stopped covering something; shown to admins and kept in case histories.
REMOVED, MOVED, ERASED = "removed", "moved", "erased"


@dataclass(frozen=True)
class Routing:
    """What deciding who hears about a case needs, from the settings and the content."""

    villages: Villages
    admin_ids: Collection[int]
    groups: Mapping[str, int]
    deadlines: Deadlines


@dataclass(frozen=True)
class Handover:
    """What an officer change handed back: case ids returned to their area's queue and
    scheduled announcements cancelled (ids)."""

    cases: tuple[int, ...] = ()
    announcements: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.cases or self.announcements)


class UnknownArea(ValueError):
    def __init__(self, area_id: str, villages: Villages) -> None:
        known = ", ".join(villages.area_ids)
        super().__init__(f"unknown area {area_id!r}; known areas: {known}")
        self.area_id = area_id


async def grant(
    session: AsyncSession,
    routing: Routing,
    person_id: int,
    area_id: str,
    *,
    granted_by: int | None,
    now: datetime,
) -> tuple[Officer, Handover]:
    """Make ``person_id`` an officer of ``area_id``; a move hands back what the new
    area does not cover."""
    area_id = area_id.strip().lower()
    if routing.villages.area(area_id) is None:
        raise UnknownArea(area_id, routing.villages)
    officer = await officers.upsert(session, person_id, area_id, granted_by=granted_by, now=now)
    await session.flush()
    handover = await hand_back(
        session,
        routing,
        person_id,
        keep=covered_villages(routing.villages, area_id),
        why=MOVED,
        now=now,
        by=granted_by,
    )
    await alert_waiting(session, routing, person_id, area_id, now=now)
    return officer, handover


async def alert_waiting(
    session: AsyncSession, routing: Routing, officer_id: int, area_id: str, *, now: datetime
) -> list[int]:
    """Alert a newly granted officer about the open, unclaimed cases of their area whose
    alert reached nobody (``unrouted`` in their history and not ``routed`` since); each is
    marked ``routed`` so the next officer granted there is not alerted again. Returns the
    case ids."""
    villages = covered_villages(routing.villages, area_id)
    if not villages:
        return []
    candidates = await session.scalars(
        select(HelpRequest.id).where(
            HelpRequest.village_id.in_(sorted(villages)),
            HelpRequest.assigned_officer_id.is_(None),
            HelpRequest.status.in_(cases.OPEN),
        )
    )
    waiting = sorted(await case_alerts.unrouted_among(session, list(candidates.all())))
    for case_id in waiting:
        case = await session.get(HelpRequest, case_id)
        assert case is not None
        session.add(
            HelpEvent(
                request_id=case_id,
                actor_id=None,
                action=case_alerts.ROUTED,
                detail={"officer": officer_id},
                at=now,
            )
        )
        await case_alerts.notify(session, case, "new", officers=[officer_id], now=now, waited=True)
    return waiting


async def revoke(
    session: AsyncSession,
    routing: Routing,
    person_id: int,
    *,
    now: datetime,
    why: str = REMOVED,
    by: int | None = None,
) -> Handover | None:
    """Take the role away and hand back all they held (None: they were not an officer,
    and are not being erased: an admin who erases held cases without the role too)."""
    removed = await officers.remove(session, person_id)
    if not removed and why != ERASED:
        return None
    await session.flush()
    return await hand_back(session, routing, person_id, keep=frozenset(), why=why, now=now, by=by)


async def hand_back(
    session: AsyncSession,
    routing: Routing,
    officer_id: int,
    *,
    keep: Collection[str],
    why: str,
    now: datetime,
    by: int | None = None,
) -> Handover:
    """Return the open cases of ``officer_id`` outside the villages ``keep`` to their
    queues and cancel their scheduled announcements outside it.

    Call it after the officer's row changed: the alerts go to whoever covers each case
    now, never to the officer who left. The admins hear of it, except ``by`` (the admin
    who made the change and sees it in their reply).
    """
    if officer_id in routing.admin_ids and why != ERASED:
        return Handover()  # an admin covers every area whatever their officer role says
    statement = select(HelpRequest).where(
        HelpRequest.assigned_officer_id == officer_id, HelpRequest.status.in_(cases.OPEN)
    )
    if is_postgresql(session):
        statement = statement.with_for_update()
    released: list[int] = []
    for case in (await session.scalars(statement.order_by(HelpRequest.id))).all():
        if case.village_id in keep:
            continue
        cases.release(session, case, None, now, reason=why)
        await case_alerts.alert_officers(
            session,
            routing.villages,
            case,
            "released",
            admin_ids=routing.admin_ids,
            groups=routing.groups,
            now=now,
        )
        await case_alerts.plan_new(
            session,
            case,
            urgent_realert=routing.deadlines.urgent_realert,
            urgent_escalate=routing.deadlines.urgent_escalate,
            normal_escalate=routing.deadlines.normal_escalate,
            now=now,
        )
        released.append(case.id)
    scheduled = await session.scalars(
        select(Announcement)
        .where(Announcement.officer_id == officer_id, Announcement.status == "scheduled")
        .order_by(Announcement.id)
    )
    cancelled: list[int] = []
    for announcement in scheduled.all():
        targets = set(announcements.Audience.from_json(announcement.audience).villages)
        inside = targets or covered_villages(routing.villages, announcement.area_id)
        if keep and inside and set(inside) <= set(keep):
            continue  # the new area still covers everyone it was written for
        if await announcements.halt(session, announcement, now) == "cancelled":
            cancelled.append(announcement.id)
    handover = Handover(tuple(released), tuple(cancelled))
    if handover:
        await case_alerts.tell_admins(
            session,
            # Not the one who made the change (they see it in their reply), nor the one
            # who left (an admin erasing their data).
            admin_ids=[admin for admin in routing.admin_ids if admin not in (by, officer_id)],
            now=now,
            why=why,
            officer=None if why == ERASED else officer_id,
            cases=list(handover.cases),
            announcements=list(handover.announcements),
        )
    return handover


async def listing(session: AsyncSession) -> Sequence[Officer]:
    return await officers.all_officers(session)
