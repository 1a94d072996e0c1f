"""Who hears about a case, and when the bot acts on a case nobody acted on.

Both are ``deliveries`` rows, so they survive restarts and are shared by every process:

- ``case_notice``: one message about a case to one chat (an officer, an officers' group,
  the requester); rendered when due, in the recipient's language at that moment;
- ``case_deadline``: a check that runs when due (re-alert, escalate, remind an idle
  officer, close a resolved case nobody answered). It does its work and is marked
  ``done``, put off (idle cases move their own check), or ``skipped`` when the case has
  moved on. Its ``chat_id`` is 0: it is work, not a message.

Nothing here imports ``telegram``; :mod:`bot.case_messages` renders the rows.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import Villages
from storage.models import HelpRequest, Officer
from storage.repositories import deliveries

log = logging.getLogger("desmigratif.cases")

NOTICE = "case_notice"
DEADLINE = "case_deadline"


def district_of(villages: Villages, village_id: str | None) -> str | None:
    village = villages.village(village_id)
    return village.kabupaten if village is not None else None


async def officers_of(session: AsyncSession, area_ids: Collection[str]) -> list[int]:
    if not area_ids:
        return []
    rows = await session.scalars(
        select(Officer.telegram_id)
        .where(Officer.area_id.in_(list(area_ids)))
        .order_by(Officer.telegram_id)
    )
    return list(rows.all())


async def responsible(
    session: AsyncSession,
    villages: Villages,
    case: HelpRequest,
    *,
    admin_ids: Collection[int],
    district: bool | None = None,
) -> tuple[list[int], str | None]:
    """The officers to alert about ``case`` and the area whose group chat hears of it.

    Village level: the village's officers, else the district's. District level (escalated):
    the district's officers. Nobody there, or a village not in the data file: the admins.
    """
    district = case.level == "district" if district is None else district
    kabupaten = district_of(villages, case.village_id)
    if kabupaten is None:
        return sorted(admin_ids), None
    if not district:
        people = await officers_of(session, [case.village_id or ""])
        if people:
            return people, case.village_id
    people = await officers_of(session, [kabupaten])
    if people:
        return people, kabupaten
    return sorted(admin_ids), kabupaten


async def notify(
    session: AsyncSession,
    case: HelpRequest,
    event: str,
    *,
    officers: Iterable[int] = (),
    group_chat: int | None = None,
    requester: bool = False,
    now: datetime,
    **extra: Any,
) -> int:
    """Queue one ``case_notice`` per recipient; returns how many were queued."""
    rows: list[dict[str, Any]] = []
    base = {"case": case.id, "event": event, **extra}
    for chat_id in dict.fromkeys(officers):
        rows.append(_notice(chat_id, now, {**base, "to": "officer"}))
    if group_chat is not None:
        rows.append(_notice(group_chat, now, {**base, "to": "group"}))
    if requester and case.requester_id is not None:
        rows.append(_notice(case.requester_id, now, {**base, "to": "requester"}))
    await deliveries.enqueue_many(session, rows)
    return len(rows)


async def alert_officers(
    session: AsyncSession,
    villages: Villages,
    case: HelpRequest,
    event: str,
    *,
    admin_ids: Collection[int],
    groups: Mapping[str, int],
    now: datetime,
    **extra: Any,
) -> int:
    """Tell the responsible officers (and their area's group chat, if configured)."""
    people, area = await responsible(session, villages, case, admin_ids=admin_ids)
    group = groups.get(area) if area is not None else None
    if not people and group is None:
        # Every request must reach a person: say so loudly. The case waits in /kasus for
        # the first officer of the area (or admin); its re-alert and escalation try again.
        log.error(
            "help request %s (%s) reached nobody: no officer for %s and no ADMIN_IDS",
            case.id,
            event,
            case.village_id or "an unknown village",
        )
    return await notify(session, case, event, officers=people, group_chat=group, now=now, **extra)


async def notify_holder(
    session: AsyncSession,
    villages: Villages,
    case: HelpRequest,
    event: str,
    *,
    admin_ids: Collection[int],
    now: datetime,
    **extra: Any,
) -> int:
    """Tell the officer holding the case, or the responsible officers while nobody does."""
    if case.assigned_officer_id is not None:
        people = [case.assigned_officer_id]
    else:
        people, _area = await responsible(session, villages, case, admin_ids=admin_ids)
    return await notify(session, case, event, officers=people, now=now, **extra)


def _notice(chat_id: int, now: datetime, payload: dict[str, Any]) -> dict[str, Any]:
    return {"kind": NOTICE, "chat_id": chat_id, "due_at": now, "payload": payload}


async def plan_check(
    session: AsyncSession, case: HelpRequest, check: str, due: datetime, **extra: Any
) -> None:
    payload = {"case": case.id, "check": check, **extra}
    await deliveries.enqueue_many(
        session, [{"kind": DEADLINE, "chat_id": 0, "due_at": due, "payload": payload}]
    )


async def plan_idle(session: AsyncSession, case: HelpRequest, due: datetime) -> None:
    """The reminder for a held case nobody acts on. Claiming, reassigning and reopening
    each plan one; the case keeps the newest one's token and older ones stand down."""
    case.idle_check = uuid.uuid4().hex
    await plan_check(session, case, "idle", due, token=case.idle_check)


async def plan_new(
    session: AsyncSession,
    case: HelpRequest,
    *,
    urgent_realert: timedelta,
    urgent_escalate: timedelta,
    normal_escalate: timedelta,
    now: datetime,
) -> None:
    """The checks of a new case: urgent ones re-alert, then both kinds escalate."""
    if case.urgent:
        await plan_check(session, case, "realert", now + urgent_realert)
        await plan_check(session, case, "escalate", now + urgent_escalate)
    else:
        await plan_check(session, case, "escalate", now + normal_escalate)
