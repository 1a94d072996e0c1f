"""Announcements: who receives them, creating them as delivery rows, cancelling, stopping.

Scope: an officer reaches only the villages of their area; an admin reaches everyone
(``scope=None``), including people who typed a village that is not in the data file.
Only people who agreed to data processing, did not stop announcements (``/berhenti``) and
have not blocked the bot are addressed.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Select, cast, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.profiles import CONSENT_GIVEN
from storage.models import Announcement, Delivery, Identity, User, UTCDateTime
from storage.repositories import deliveries

KIND = "announcement"
# Telegram's limits (4096 characters for a message, 1024 for a photo's caption) less the
# room kept for the sender line and the /berhenti line every recipient also gets
# (bot.announcement_text; a test checks every office and language fits in it).
FRAME_ROOM = 150
MAX_TEXT = 4096 - FRAME_ROOM
MAX_CAPTION = 1024 - FRAME_ROOM


@dataclass(frozen=True)
class Audience:
    """Filters on top of the sender's scope; an empty tuple means "all"."""

    villages: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    locales: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Audience:
        data = data or {}
        return cls(
            tuple(data.get("villages", ())),
            tuple(data.get("roles", ())),
            tuple(data.get("locales", ())),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "villages": list(self.villages),
            "roles": list(self.roles),
            "locales": list(self.locales),
        }


@dataclass(frozen=True)
class Draft:
    texts: dict[str, str]
    photo: str | None
    audience: Audience
    scheduled_at: datetime
    extra: dict[str, Any] = field(default_factory=dict)


class OutOfScope(PermissionError):
    """The audience names a village outside the sender's area."""


def check_scope(audience: Audience, scope: Collection[str] | None) -> None:
    if scope is not None and not set(audience.villages) <= set(scope):
        raise OutOfScope(
            f"villages outside the area: {sorted(set(audience.villages) - set(scope))}"
        )


def recipients(scope: Collection[str] | None, audience: Audience) -> Select[Any]:
    """The Telegram ids an announcement goes to."""
    check_scope(audience, scope)
    statement = select(User.person_id).where(
        User.consent == CONSENT_GIVEN,
        User.announcements_off.is_(False),
        User.unreachable_at.is_(None),
    )
    if audience.villages:
        statement = statement.where(User.village_id.in_(audience.villages))
    elif scope is not None:
        statement = statement.where(User.village_id.in_(list(scope)))
    if audience.roles:
        statement = statement.where(User.role.in_(audience.roles))
    if audience.locales:
        statement = statement.where(User.locale.in_(audience.locales))
    return statement


async def count_recipients(
    session: AsyncSession, scope: Collection[str] | None, audience: Audience
) -> int:
    subquery = recipients(scope, audience).subquery()
    return int(await session.scalar(select(func.count()).select_from(subquery)) or 0)


async def create(
    session: AsyncSession,
    *,
    officer_id: int,
    area_id: str | None,
    scope: Collection[str] | None,
    draft: Draft,
    now: datetime,
) -> Announcement:
    """The announcement and one delivery row per recipient, in the caller's transaction.

    It starts ``scheduled`` even when due now: the sweep that claims its first rows marks
    it running and opens the officer's progress message, whichever process that is.
    """
    status = "scheduled"
    announcement = Announcement(
        officer_id=officer_id,
        area_id=area_id,
        texts=dict(draft.texts),
        photo=draft.photo,
        audience=draft.audience.to_json(),
        status=status,
        scheduled_at=draft.scheduled_at,
        created_at=now,
        started_at=None,
        total=0,
    )
    session.add(announcement)
    await session.flush()
    people = recipients(scope, draft.audience).subquery()
    # Each person's row goes to the identity they used last (as deliveries.enqueue_many).
    latest = (
        select(Identity)
        .where(Identity.person_id == people.c.person_id)
        .order_by(Identity.last_seen_at.desc().nulls_last(), Identity.channel)
        .limit(1)
    )
    rows = select(
        literal(KIND),
        literal(announcement.id),
        people.c.person_id,
        cast(latest.with_only_columns(Identity.address).scalar_subquery(), BigInteger),
        latest.with_only_columns(Identity.channel).scalar_subquery(),
        literal("pending"),
        literal(draft.scheduled_at, UTCDateTime()),
        literal(0),
        literal(deliveries.PRIORITY_OF_ANNOUNCEMENTS),
    )
    result = await session.execute(
        insert(Delivery).from_select(
            [
                "kind",
                "announcement_id",
                "person_id",
                "chat_id",
                "channel",
                "status",
                "due_at",
                "attempts",
                "priority",
            ],
            rows,
        )
    )
    announcement.total = int(getattr(result, "rowcount", 0) or 0)
    return announcement


async def get(session: AsyncSession, announcement_id: int) -> Announcement | None:
    return await session.get(Announcement, announcement_id)


async def listing(
    session: AsyncSession, officer_id: int | None, limit: int = 10
) -> Sequence[Announcement]:
    """The newest announcements of one officer (``None``: everyone's, for admins)."""
    statement = select(Announcement).order_by(Announcement.id.desc()).limit(limit)
    if officer_id is not None:
        statement = statement.where(Announcement.officer_id == officer_id)
    return (await session.scalars(statement)).all()


async def halt(session: AsyncSession, announcement: Announcement, now: datetime) -> str:
    """Cancel a scheduled announcement or stop a running one; returns the new status.

    What was sent stays sent; every row not yet sent is cancelled in this transaction, and
    the sender re-reads the status before each message, so nothing more goes out.
    """
    new_status = {"scheduled": "cancelled", "running": "stopped"}.get(announcement.status)
    if new_status is None:
        return announcement.status
    result = await session.execute(
        update(Announcement)
        .where(Announcement.id == announcement.id, Announcement.status == announcement.status)
        .values(status=new_status, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):  # someone else changed it first
        await session.refresh(announcement)
        return announcement.status
    await deliveries.cancel_open(session, announcement.id)
    await session.refresh(announcement)
    return new_status


async def mark_started(session: AsyncSession, announcement_id: int, now: datetime) -> bool:
    """``scheduled`` → ``running``; True for the one process that made the change."""
    result = await session.execute(
        update(Announcement)
        .where(Announcement.id == announcement_id, Announcement.status == "scheduled")
        .values(status="running", started_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def mark_done(session: AsyncSession, announcement_id: int, now: datetime) -> bool:
    """``running`` → ``done`` once no row is left to send; True for the one process that
    made the change (and so sends the report)."""
    remaining = await session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.announcement_id == announcement_id, Delivery.status.in_(deliveries.OPEN))
    )
    if remaining:
        return False
    result = await session.execute(
        update(Announcement)
        .where(Announcement.id == announcement_id, Announcement.status == "running")
        .values(status="done", finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))
