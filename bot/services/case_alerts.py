"""Who hears about a case, and when the bot acts on a case nobody acted on.

Both are ``deliveries`` rows, so they survive restarts and are shared by every process:

- ``case_notice``: one message about a case to one chat (an officer, an officers' group,
  the requester); rendered when due, in the recipient's language at that moment;
- ``case_deadline``: a check that runs when due (re-alert, escalate, remind an idle
  officer, close a resolved case nobody answered). It does its work and is marked
  ``done``, put off (idle cases move their own check), or ``skipped`` when the case has
  moved on. Its ``chat_id`` is 0: it is work, not a message.

Nothing here imports ``telegram``; :mod:`bot.delivery.cases` renders the rows.
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
from storage.models import HelpEvent, HelpRequest, Officer, User
from storage.repositories import deliveries

log = logging.getLogger("desmigratif.cases")

NOTICE = "case_notice"
DEADLINE = "case_deadline"
ADMIN = "admin_notice"
# Sent to every officer of an area at once: when one of them no longer covers the case,
# the others still got theirs, so their copy is dropped rather than sent on.
BROADCAST_EVENTS = frozenset({"new", "realert", "escalated", "released"})
# The history mark of a case whose alert reached nobody: it waits for the first officer
# granted its area (see :func:`bot.services.officers.alert_waiting`), who then ``routed`` it.
UNROUTED, ROUTED = "unrouted", "routed"
# A file the requester sent with a new request, copied to each officer told of it, right
# after the notice (``{"file": <index in case.attachments>}``). Dropped, like the notice,
# for an officer who no longer covers the case.
FILE = "file"


def district_of(villages: Villages, village_id: str | None) -> str | None:
    village = villages.village(village_id)
    return village.kabupaten if village is not None else None


async def officers_of(session: AsyncSession, area_ids: Collection[str | None]) -> list[int]:
    if not area_ids:
        return []
    rows = await session.scalars(
        select(Officer.person_id)
        .where(Officer.area_id.in_(list(area_ids)))
        .order_by(Officer.person_id)
    )
    return list(rows.all())


async def responsible(
    session: AsyncSession,
    villages: Villages,
    case: HelpRequest,
    *,
    admin_ids: Collection[int],
) -> tuple[list[int], str | None]:
    """The officers to alert about ``case`` and the area whose group chat hears of it.

    Village level: the village's officers, else the district's. District level (escalated):
    the district's officers. Nobody there, or a village not in the data file: the admins.
    """
    kabupaten = district_of(villages, case.village_id)
    if kabupaten is None:
        return sorted(admin_ids), None
    if case.level != "district":
        people = await officers_of(session, [case.village_id])
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
    """Queue one ``case_notice`` per recipient; returns how many rows were queued. An officer
    told of a ``new`` request also gets each file sent with it, after the notice."""
    rows: list[dict[str, Any]] = []
    base = {"case": case.id, "event": event, **extra}
    files = range(len(case.attachments or [])) if event == "new" else range(0)
    for officer in dict.fromkeys(officers):
        rows.append(_notice({"person_id": officer}, now, {**base, "to": "officer"}))
        for index in files:
            file = {"case": case.id, "event": FILE, "file": index, "to": "officer"}
            rows.append(_notice({"person_id": officer}, now, file))
    if group_chat is not None:
        rows.append(_notice({"chat_id": group_chat}, now, {**base, "to": "group"}))
    if requester and case.requester_id is not None:
        rows.append(_notice({"person_id": case.requester_id}, now, {**base, "to": "requester"}))
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
    """Tell the responsible officers (and their area's group chat, if configured).

    Returns how many of them can be reached (an area's group chat counts as one); 0 means
    nobody: the case is marked ``unrouted`` in its history and the requester must be told
    so honestly, never that an officer knows."""
    people, area = await responsible(session, villages, case, admin_ids=admin_ids)
    group = groups.get(area) if area is not None else None
    reached = len(await reachable(session, people)) + (group is not None)
    if not reached:
        # Every request must reach a person: say so loudly. The case waits in /kasus for
        # the first officer of the area (or admin); its re-alert and escalation try again.
        log.error(
            "help request %s (%s) reached nobody: no reachable officer for %s and no "
            "reachable ADMIN_IDS",
            case.id,
            event,
            case.village_id or "an unknown village",
        )
        session.add(
            HelpEvent(
                request_id=case.id, actor_id=None, action=UNROUTED, detail={"event": event}, at=now
            )
        )
    await notify(session, case, event, officers=people, group_chat=group, now=now, **extra)
    return reached


async def unrouted_among(session: AsyncSession, case_ids: Collection[int]) -> set[int]:
    """Those of ``case_ids`` whose last alert reached nobody: ``unrouted`` in their history
    and no ``routed`` since."""
    if not case_ids:
        return set()
    marks = await session.execute(
        select(HelpEvent.request_id, HelpEvent.action)
        .where(
            HelpEvent.request_id.in_(list(case_ids)),
            HelpEvent.action.in_([UNROUTED, ROUTED]),
        )
        .order_by(HelpEvent.id)
    )
    last = dict(marks.all())
    return {case_id for case_id, action in last.items() if action == UNROUTED}


async def reachable(session: AsyncSession, people: Collection[int]) -> list[int]:
    """Those of ``people`` not marked unreachable (they blocked the bot); someone who never
    wrote to the bot has no row and may still be reached."""
    if not people:
        return []
    blocked = set(
        (
            await session.scalars(
                select(User.person_id).where(
                    User.person_id.in_(list(people)), User.unreachable_at.is_not(None)
                )
            )
        ).all()
    )
    return [person for person in people if person not in blocked]


def covered_villages(villages: Villages, area_id: str | None) -> frozenset[str]:
    """The villages an officer of ``area_id`` covers (none for an unknown area)."""
    area = villages.area(area_id) if area_id else None
    return area.village_ids if area is not None else frozenset()


async def covers(
    session: AsyncSession,
    villages: Villages,
    case: HelpRequest,
    officer_id: int,
    *,
    admin_ids: Collection[int],
) -> bool:
    """Whether ``officer_id`` covers ``case`` now: an admin, or an officer whose current
    area holds the case's village (a kabupaten holds all its villages)."""
    if officer_id in admin_ids:
        return True
    officer = await session.get(Officer, officer_id)
    area_id = officer.area_id if officer is not None else None
    return case.village_id in covered_villages(villages, area_id)


async def holders(
    session: AsyncSession,
    villages: Villages,
    case: HelpRequest,
    *,
    admin_ids: Collection[int],
) -> list[int]:
    """Who answers for the case now: its holder while they still cover it, else the
    responsible officers (a holder who left is handed back by the officer change itself;
    this also covers a change that is not committed yet when a notice is queued)."""
    holder = case.assigned_officer_id
    if holder is not None and await covers(session, villages, case, holder, admin_ids=admin_ids):
        return [holder]
    people, _area = await responsible(session, villages, case, admin_ids=admin_ids)
    return people


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
    """Tell the officer holding the case, or the responsible officers while nobody does;
    returns how many of them can be reached (0: nobody, say so honestly)."""
    people = await holders(session, villages, case, admin_ids=admin_ids)
    await notify(session, case, event, officers=people, now=now, **extra)
    return len(await reachable(session, people))


async def tell_admins(
    session: AsyncSession, *, admin_ids: Collection[int], now: datetime, **payload: Any
) -> int:
    """One ``admin_notice`` per admin (see :mod:`bot.delivery.admin`)."""
    rows = [
        {
            "kind": ADMIN,
            "person_id": admin,
            "due_at": now,
            "payload": {"event": "handover", **payload},
        }
        for admin in sorted(admin_ids)
    ]
    await deliveries.enqueue_many(session, rows)
    return len(rows)


def _notice(to: dict[str, int], now: datetime, payload: dict[str, Any]) -> dict[str, Any]:
    """A notice row ``to`` a person (``person_id``) or a group chat (``chat_id``)."""
    return {"kind": NOTICE, **to, "due_at": now, "payload": payload}


async def plan_check(
    session: AsyncSession, case: HelpRequest, check: str, due: datetime, **extra: Any
) -> None:
    payload = {"case": case.id, "check": check, **extra}
    await deliveries.enqueue_many(
        session, [{"kind": DEADLINE, "chat_id": 0, "due_at": due, "payload": payload}]
    )


async def plan_idle(session: AsyncSession, case: HelpRequest, due: datetime) -> None:
    """The reminder for a held case nobody acts on, due ``Deadlines.idle_after(case.urgent)``
    after now (hours for an urgent case, days otherwise). Claiming, reassigning and reopening
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
