"""Updates side by side in each person's order, commit then talk, urgent notices first.

Telegram answers the in-process emulator at once; here some of its answers are slowed
down (as a ~100 ms round trip or a stalled connection would) to see what waits on what.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest
from sqlalchemy import select, text
from telegram import Update

from bot.app import build_application
from bot.channels.telegram.bot_api import VIOLATIONS
from bot.channels.telegram.emulator import BotAPIEmulator
from bot.clock import ManualClock
from bot.context import services_of
from bot.inbox import PersonOrderedProcessor
from bot.scheduler import run_due
from storage.models import Delivery, User
from tests.announcing import body
from tests.conftest import START
from tests.people import grant, row_of
from tests.test_delivery import OFFICER, announce, people
from tests.test_onboarding import onboard
from tests.transcript import first_line, full_message, tr


class SlowEmulator(BotAPIEmulator):
    """Answers calls into some chats only after a delay; records when each call ended."""

    def __init__(self) -> None:
        super().__init__()
        self.delays: dict[int, float] = {}
        self.finished: list[tuple[str, int | None, float]] = []

    async def do_request(self, url: str, method: str, request_data: Any = None, **kw: Any):  # type: ignore[override]
        name = url.rsplit("/", 1)[-1]
        chat = request_data.parameters.get("chat_id") if request_data else None
        if name != "answerCallbackQuery" and chat in self.delays:
            await asyncio.sleep(self.delays[chat])
        try:
            return await super().do_request(url, method, request_data, **kw)
        finally:
            self.finished.append((name, chat, time.monotonic()))

    def ends(self, chat: int) -> list[float]:
        return [at for name, c, at in self.finished if c == chat and name != "getMe"]


@pytest.fixture
def slow() -> SlowEmulator:
    return SlowEmulator()


@pytest.fixture
async def slow_app(settings, slow, clock):
    application = build_application(settings, request=slow, clock=clock)
    async with application:
        await application.start()
        try:
            yield application
        finally:
            await application.stop()


async def queue(app, payload: dict[str, Any]) -> None:
    await app.update_queue.put(Update.de_json(payload, app.bot))


async def settle(app, within: float = 5.0) -> None:
    """Wait until every queued update has been handled."""
    await asyncio.wait_for(app.update_queue.join(), within)


async def test_two_people_side_by_side_one_person_in_order(slow_app, slow):
    slow.delays[801] = 0.4  # every call into Ani's chat takes 0.4 s
    await queue(slow_app, slow.message_update(801, "/start"))
    await queue(slow_app, slow.message_update(801, "/bantuan"))
    await queue(slow_app, slow.message_update(802, "/start"))
    started = time.monotonic()
    await settle(slow_app)

    ani, budi = slow.ends(801), slow.ends(802)
    assert len(ani) == 3  # the welcome; then the help text and the question again
    assert len(budi) == 1
    # Budi did not wait behind Ani's slow answer...
    assert budi[0] - started < 0.3
    assert budi[0] < ani[0]
    # ...and Ani's second update was handled only after her first was answered.
    assert ani[1] - ani[0] >= 0.4
    welcome = first_line("id", "<b>Welcome to the Desmigratif assistant.</b>")
    about = first_line("id", "<b>About this assistant</b>")
    texts = [m.text.splitlines()[0] for m in slow.bot_messages(801)]
    assert texts == [welcome, about, welcome]


async def test_a_burst_from_one_person_keeps_its_order():
    """Fifty updates of one person and fifty of others, on a bound of 4: each person's
    run one at a time, in arrival order, and the bound holds."""
    processor = PersonOrderedProcessor(4)
    await processor.initialize()
    running: set[int] = set()
    most = 0
    seen: dict[int, list[int]] = {}

    async def work(person: int, n: int) -> None:
        nonlocal most
        assert person not in running  # never two of one person's updates at once
        running.add(person)
        most = max(most, len(running))
        await asyncio.sleep(0.001 * (n % 3))
        seen.setdefault(person, []).append(n)
        running.discard(person)

    def update(person: int, n: int) -> Update:
        return Update.de_json(
            {
                "update_id": n,
                "message": {
                    "message_id": n,
                    "date": 0,
                    "chat": {"id": person, "type": "private"},
                    "from": {"id": person, "is_bot": False, "first_name": "W"},
                    "text": str(n),
                },
            },
            None,
        )

    tasks = []
    for n in range(100):
        person = 1 if n % 2 == 0 else 2 + n % 7
        tasks.append(
            asyncio.create_task(processor.process_update(update(person, n), work(person, n)))
        )
    await asyncio.gather(*tasks)
    assert seen[1] == list(range(0, 100, 2))
    for person in range(2, 9):
        assert seen[person] == sorted(seen[person])
    assert sum(len(v) for v in seen.values()) == 100
    assert most <= 4


async def test_sweep_and_a_slow_answer_interleave_on_one_database(slow_app, slow, clock, caplog):
    """The person's transaction is committed before Telegram is called, so the sweep
    (another connection) writes while the answer is on its way: no lock, no stall."""
    await people(slow_app, slow, list(range(10_300, 10_340)))
    await announce(slow_app, "Rapat desa")
    slow.delays[803] = 1.0
    with caplog.at_level(logging.WARNING):
        await queue(slow_app, slow.message_update(803, "/start"))
        await asyncio.sleep(0.05)  # the handler has committed and is waiting for Telegram
        started = time.monotonic()
        handled = await run_due(slow_app)
        swept = time.monotonic() - started
        await settle(slow_app)
    assert handled == 40
    assert swept < 0.8  # done while the answer to 803 was still on its way
    assert slow.ends(803)[0] - started > swept
    assert "database is locked" not in caplog.text
    async with services_of(slow_app).sessions() as session:
        sent = await session.scalar(
            select(text("count(*)")).select_from(Delivery).where(Delivery.status == "sent")
        )
        user = await row_of(session, User, 803)
    assert sent == 40
    assert user is not None
    assert user.step == "language"


async def test_a_bot_api_call_inside_a_transaction_is_caught(app):
    """The rule the autouse fixture enforces can fail: a planted call inside a
    transaction is recorded."""
    services = services_of(app)
    async with services.sessions() as session, session.begin():
        await session.execute(select(User).limit(1))
        await app.bot.get_me()
    assert VIOLATIONS == ["getMe"]
    VIOLATIONS.clear()
    async with services.sessions() as session:
        await session.execute(select(User).limit(1))
    await app.bot.get_me()  # after the transaction: fine
    assert VIOLATIONS == []


async def test_urgent_notice_goes_before_a_large_announcement(app, person, emulator, db):
    officer = person(OFFICER)
    await onboard(officer)
    await grant(services_of(app), OFFICER, "jogosimo", granted_by=900, now=START)
    await people(app, emulator, list(range(10_400, 10_700)))
    await announce(app, "Pengumuman besar")
    # A help request arrives after the announcement was planned.
    from tests.helping import ask_for_help

    requester = person(10_900)
    await onboard(requester)
    await ask_for_help(requester)
    emulator.calls.clear()
    await run_due(app)
    sends = [
        (c.params["chat_id"], c.params["text"])
        for c in emulator.calls
        if c.method == "sendMessage"
    ]
    notice = tr("id", full_message("🆘 <b>New help request</b>")).split("\n")[0]
    notices = [i for i, (chat, text) in enumerate(sends) if text.startswith(notice)]
    announced = [i for i, (chat, text) in enumerate(sends) if body(text) == "Pengumuman besar"]
    # 300 villagers and the officer (a Jogosimo resident too) get the announcement.
    assert len(announced) == 301
    assert len(notices) == 1
    assert sends[notices[0]][0] == OFFICER
    assert notices[0] < announced[0]  # created last, sent first
    priorities = dict(
        (await db.execute(select(Delivery.kind, Delivery.priority).distinct())).all()
    )
    assert priorities == {"announcement": 2, "case_notice": 0, "case_deadline": 0}


async def test_urgent_notice_reaches_the_officer_within_seconds_at_25_per_second(
    database_url, person, emulator
):
    """At the standard rate an announcement to 400 people takes 16 s; a case notice
    created 1 s in still arrives within 5 s."""
    from bot.config import Settings

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        admin_ids=frozenset({900}),
        auto_migrate=False,
        broadcast_rate=25.0,
    )
    app = build_application(settings, request=emulator, clock=ManualClock(START, frozen=True))
    async with app:
        from bot.simulator import Person
        from tests.helping import ask_for_help

        officer = Person(app, emulator, OFFICER)
        await onboard(officer)
        await grant(services_of(app), OFFICER, "jogosimo", granted_by=900, now=START)
        await people(app, emulator, list(range(11_000, 11_400)))
        await announce(app, "Pengumuman besar")
        requester = Person(app, emulator, 11_900)
        await onboard(requester)
        await ask_for_help(requester, send=False)
        sweep = asyncio.create_task(run_due(app))
        await asyncio.sleep(1.0)
        sent_before = sum(1 for c in emulator.calls if c.method == "sendMessage")
        created = time.monotonic()
        await requester.press("hr:send")
        arrived = None
        while time.monotonic() - created < 8 and arrived is None:
            await asyncio.sleep(0.05)
            calls = [
                c
                for c in emulator.calls
                if c.method == "sendMessage" and c.params["chat_id"] == OFFICER
            ]
            arrived = calls[-1].at if calls and calls[-1].at > created else None
        sweep.cancel()
        with pytest.raises(asyncio.CancelledError):
            await sweep
    assert 10 <= sent_before <= 40  # the announcement was under way
    assert arrived is not None
    assert arrived - created < 5.0
