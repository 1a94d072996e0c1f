"""An announcement to a crowd and a burst of checklist reminders while Telegram fails a
share of the calls (429 with ``retry_after``, 5xx, time-outs, 403 from people who blocked
the bot): shared by ``tests/test_reliability_faults.py`` (CI size) and
``bench/reliability_faults.py`` (10,000 people).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select

from bot.channels.telegram.emulator import BotAPIEmulator
from bot.context import services_of
from bot.scheduler import run_due
from bot.services import reminders
from storage.models import Checklist, Delivery
from tests.people import make_users
from tests.test_delivery import OFFICER, announce

FIRST_ID = 3_000_000
BATCH = 2_000
# Open rows due within this are still being worked on (a backoff is at most ten minutes);
# beyond it are the reminders planned for later days.
SOON = timedelta(hours=1)


@dataclass
class Outcome:
    """What the crowd ended with."""

    rows: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, status)
    failed_without_reason: int = 0
    open_rows: int = 0  # due (within SOON) and still pending or claimed
    sent_twice: int = 0  # chats that got more messages than rows sent to them
    sent_but_missing: int = 0  # chats that got fewer
    faults: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


async def crowd(app: Any, emulator: BotAPIEmulator, size: int) -> list[int]:
    """``size`` consenting villagers of Jogosimo; every fourth with a checklist whose
    departure brings a reminder due within the next day."""
    services = services_of(app)
    now = services.clock.now()
    ids = list(range(FIRST_ID, FIRST_ID + size))
    async with services.sessions() as session, session.begin():
        for start in range(0, size, BATCH):
            part = ids[start : start + BATCH]
            persons: dict[int, int] = {}
            for locale in ("id", "jv", "en"):
                speakers = [i for i in part if ("id", "jv", "en")[i % 3] == locale]
                persons |= await make_users(
                    session,
                    speakers,
                    now,
                    locale=locale,
                    consent="given",
                    role="prospective",
                    village_id="jogosimo",
                )
            travellers = [persons[i] for i in part if i % 4 == 0]
            if travellers:
                await session.execute(
                    insert(Checklist),
                    [
                        {
                            "person_id": i,
                            "scheme": "p3mi",
                            "country": "hong-kong",
                            "sector": "domestic",
                            "departure_approx": False,
                            "departure_on": now.date() + timedelta(days=8),
                            "created_at": now,
                            "updated_at": now,
                        }
                        for i in travellers
                    ],
                )
                await reminders.plan_many(
                    session,
                    travellers,
                    services.checklist,
                    now=now,
                    default_zone=services.settings.timezone,
                )
    for i in ids:
        emulator.open_chat(i)
    emulator.open_chat(OFFICER)
    return ids


async def under_faults(app: Any, emulator: BotAPIEmulator, clock: Any, ids: list[int]) -> Outcome:
    """Announce to everyone, let the reminders fall due, fail a share of the calls, and
    sweep (moving the clock past every backoff) until no row is open."""
    blocked = set(ids[7::97])  # about 1%: Telegram answers 403
    for chat in blocked:
        emulator.block(chat)
    emulator.inject("server_error", share=0.05, methods=["sendMessage"])
    emulator.inject("timeout", share=0.03, methods=["sendMessage"])
    emulator.inject("retry_after", count=5, retry_after=1, methods=["sendMessage"])
    await announce(app, "Pelatihan bahasa Mandarin dibuka")
    clock.advance(timedelta(days=1))  # the "a week before departure" reminders fall due
    started = time.monotonic()
    for _ in range(200):
        await run_due(app)
        async with services_of(app).sessions() as session:
            still_open = await session.scalar(
                select(Delivery.id)
                .where(
                    Delivery.status.in_(("pending", "claimed")),
                    Delivery.due_at <= clock.now() + SOON,
                )
                .limit(1)
            )
        if still_open is None:
            break
        clock.advance(timedelta(minutes=15))  # past any backoff (at most ten minutes)
    outcome = Outcome(seconds=time.monotonic() - started)
    outcome.faults = Counter(
        _fault(call.outcome)
        for call in emulator.calls
        if call.method == "sendMessage" and call.outcome != "ok"
    )
    columns = (Delivery.chat_id, Delivery.kind, Delivery.status, Delivery.error, Delivery.due_at)
    async with services_of(app).sessions() as session:
        rows = (await session.execute(select(*columns))).all()
    sent_to: Counter[int] = Counter()
    for chat, kind, status, error, due_at in rows:
        outcome.rows[(kind, status)] += 1
        if status in ("pending", "claimed") and due_at <= clock.now() + SOON:
            outcome.open_rows += 1  # due (or waiting out a backoff), yet not final
        if status == "failed" and not error:
            outcome.failed_without_reason += 1
        if status == "sent":
            sent_to[chat] += 1
    for chat in ids:
        got = len(emulator.bot_messages(chat))
        outcome.sent_twice += got > sent_to[chat]
        outcome.sent_but_missing += got < sent_to[chat]
    return outcome


def _fault(description: str) -> str:
    for prefix, name in (("Too Many", "429"), ("Forbidden", "403"), ("timed out", "timeout")):
        if description.startswith(prefix):
            return name
    return "5xx" if "Server Error" in description or "Bad Gateway" in description else description
