"""``/hapusdata``: erase everything about one person, in every table, in one transaction.

What stays is what other people's work and the officers' figures need, without the person:

- their help requests keep category, village, dates and outcome (no name, text, files,
  escalation reasons, or requester id); the officers' notices that carried their details
  are deleted from the officers' chats (``unsend`` rows: Telegram lets a bot delete its
  message for 48 hours; older ones are edited to a placeholder, see the README);
- their quiz rounds and job checks keep a random negative id instead of theirs, so "people
  who finished" counts them as one person and nothing links them back;
- as an officer: their open cases go back to the queue first (:mod:`bot.services.officers`);
  where their id is part of someone else's case history it becomes :data:`FORMER_OFFICER`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.services import help_requests
from bot.services.case_alerts import ADMIN, DEADLINE, FILE, NOTICE
from bot.services.officers import ERASED, Routing, revoke
from storage.models import (
    Delivery,
    HelpEvent,
    HelpMessage,
    HelpRequest,
    JobCheck,
    Officer,
    QuizRound,
)
from storage.repositories import deliveries, users

# Stands for an officer who erased their data wherever their id was part of the record of
# someone else's case. Telegram ids are positive; NULL already means "the bot".
FORMER_OFFICER = 0
UNSEND = "unsend"
# Telegram: "a message can only be deleted if it was sent less than 48 hours ago". A
# margin, because the row may wait in the queue a little before it is sent.
DELETE_WITHIN = timedelta(hours=47)
# The case history entries whose detail names an officer, and the keys that do.
NAMING_OFFICERS = ("reassigned", "routed")
OFFICER_KEYS = frozenset({"before", "after", "officer"})
# What a case row's payload may keep once its requester is erased: ids and codes only.
SAFE_PAYLOAD_KEYS = frozenset({"case", "event", "to", "check", "token", "hours", "other"})


async def erase(session: AsyncSession, routing: Routing, person_id: int, *, now: datetime) -> None:
    """Erase the person (an officer hands back their open cases first; the admins are
    told of it by :func:`bot.services.officers.hand_back`, which is all anyone needs of
    the handover here)."""
    await revoke(session, routing, person_id, now=now, why=ERASED)
    case_ids = list(
        (
            await session.scalars(
                select(HelpRequest.id).where(HelpRequest.requester_id == person_id)
            )
        ).all()
    )
    if case_ids:
        await _unsend_notices(session, case_ids, now)
        await _strip_case_payloads(session, case_ids)
    await help_requests.anonymise(session, person_id)
    await _forget_officer(session, person_id)
    await _pseudonymise(session, person_id)
    await users.erase(session, person_id)


async def _unsend_notices(session: AsyncSession, case_ids: Sequence[int], now: datetime) -> None:
    """Queue the removal of every notice about these cases sent to an officer's chat."""
    sent = await session.execute(
        select(
            Delivery.person_id,
            Delivery.chat_id,
            Delivery.channel,
            Delivery.message_id,
            Delivery.sent_at,
            Delivery.payload,
        ).where(
            Delivery.kind == NOTICE,
            Delivery.status == "sent",
            Delivery.message_id.is_not(None),
            Delivery.chat_id.is_not(None),
            Delivery.payload["case"].as_integer().in_(list(case_ids)),
            Delivery.payload["to"].as_string() == "officer",
        )
    )
    rows = sent.all()
    with_files = {
        message_id
        for (message_id,) in (
            await session.execute(
                select(HelpMessage.id).where(
                    HelpMessage.request_id.in_(list(case_ids)), HelpMessage.file_id.is_not(None)
                )
            )
        ).all()
    }
    await deliveries.enqueue_many(
        session,
        [
            {
                "kind": UNSEND,
                "person_id": person_id,
                "chat_id": chat_id,
                "channel": channel,
                "due_at": now,
                "payload": {
                    "message_id": message_id,
                    "sent_at": sent_at.isoformat() if sent_at else None,
                    # A file sent with the request is a photo, a voice note or a
                    # document: only its caption can be blanked, like a file's news.
                    "media": (payload or {}).get("event") == FILE
                    or int((payload or {}).get("message", 0)) in with_files,
                },
            }
            for person_id, chat_id, channel, message_id, sent_at, payload in rows
        ],
    )


async def _rewrite(
    session: AsyncSession,
    column: InstrumentedAttribute[Any],
    where: ColumnElement[bool],
    change: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    """Store ``change(value)`` in the JSON ``column`` of each row ``where`` selects."""
    model = column.class_
    rows = await session.execute(select(model.id, column).where(where))
    for row_id, value in rows.all():
        changed = change(dict(value or {}))
        if changed != value:
            await session.execute(
                update(model).where(model.id == row_id).values({column.key: changed})
            )


async def _strip_case_payloads(session: AsyncSession, case_ids: Sequence[int]) -> None:
    """Notices and checks about the cases keep ids and codes only (an escalation reason
    typed by an officer may name the migrant)."""
    await _rewrite(
        session,
        Delivery.payload,
        Delivery.kind.in_((NOTICE, DEADLINE))
        & Delivery.payload["case"].as_integer().in_(list(case_ids)),
        lambda payload: {k: v for k, v in payload.items() if k in SAFE_PAYLOAD_KEYS},
    )


async def _forget_officer(session: AsyncSession, person_id: int) -> None:
    """Their id in other people's case records becomes :data:`FORMER_OFFICER`."""
    for column in (
        HelpRequest.assigned_officer_id,
        HelpEvent.actor_id,
        HelpMessage.author_id,
        Officer.granted_by,
    ):
        await session.execute(
            update(column.class_)
            .where(column == person_id)
            .values({column.key: FORMER_OFFICER})
            .execution_options(synchronize_session=False)
        )
    # A reassignment names the officers it moved the case between, a routing the officer
    # it was sent to.
    await _rewrite(
        session,
        HelpEvent.detail,
        HelpEvent.action.in_(tuple(NAMING_OFFICERS)),
        lambda detail: {
            key: FORMER_OFFICER if key in OFFICER_KEYS and value == person_id else value
            for key, value in detail.items()
        },
    )
    # A handover notice to the admins that named them.
    await _rewrite(
        session,
        Delivery.payload,
        (Delivery.kind == ADMIN) & (Delivery.payload["officer"].as_integer() == person_id),
        lambda payload: {**payload, "officer": None, "why": ERASED},
    )


async def _pseudonymise(session: AsyncSession, person_id: int) -> None:
    """Quiz rounds and job checks stay for the statistics, under a random negative id
    that nothing else holds (one per erasure, so one person still counts once)."""
    alias = -(secrets.randbelow(2**52) + 1)
    await session.execute(
        update(QuizRound)
        .where(QuizRound.person_id == person_id)
        .values(person_id=alias)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(JobCheck)
        .where(JobCheck.person_id == person_id)
        .values(person_id=alias, answers={})
        .execution_options(synchronize_session=False)
    )
