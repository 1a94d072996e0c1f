"""``desmigratif run`` as a real process, over HTTP with 100 ms round trips, killed with
SIGKILL in the middle of its work and started again: nothing is lost, nothing is done
twice beyond the messages in flight at the instant of the kill.

The emulator lives in this process and is served over HTTP
(:mod:`bot.channels.telegram.emulator_http`); the bot is a child process on the test's
database.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.channels.telegram.emulator import BotAPIEmulator
from bot.channels.telegram.emulator_http import serve_emulator
from storage.db import create_engine, create_sessionmaker
from storage.models import Announcement, Delivery, Identity, InboxUpdate, User
from tests.announcing import body
from tests.people import make_users
from tests.test_delivery import OFFICER, announce_in
from tests.transcript import first_line

RTT_MS = 100
TOKEN = "123:KILL"
ANNOUNCEMENT = "Pengumuman: pendaftaran pelatihan dibuka"
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


class BotProcess:
    """``desmigratif run`` as a child process, its output in a file for failures."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.process: asyncio.subprocess.Process | None = None

    async def start(
        self,
        emulator: BotAPIEmulator,
        *options: str,
        ready: Callable[[], Any] | None = None,
    ) -> None:
        """Start ``desmigratif run [options]``; return once it polls (or ``ready``)."""
        polls = _polls(emulator)
        command = Path(sys.executable).with_name("desmigratif")
        argv = [str(command), "run"] if command.exists() else [sys.executable, "-m", "bot", "run"]
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *argv,
                *options,
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        await self.until(ready or (lambda: _polls(emulator) > polls), "start", within=60)

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()

    async def until(self, condition: Callable[[], Any], what: str, within: float = 30) -> None:
        deadline = time.monotonic() + within
        while True:
            result = condition()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return
            if self.process is not None and self.process.returncode is not None:
                raise AssertionError(f"the bot exited ({self.process.returncode}):\n{self.tail()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"did not {what} within {within:g} s:\n{self.tail()}")
            await asyncio.sleep(0.02)

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-40:])


def _polls(emulator: BotAPIEmulator) -> int:
    return sum(1 for call in emulator.calls if call.method == "getUpdates")


@pytest.fixture
async def served(emulator: BotAPIEmulator) -> AsyncIterator[str]:
    async with serve_emulator(emulator, rtt_ms=RTT_MS) as base_url:
        yield base_url


@pytest.fixture
def bot_process(database_url: str, served: str, tmp_path: Path) -> BotProcess:
    env = {
        **os.environ,
        "PTB_TIMEDELTA": "true",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": served,
        "DATABASE_URL": database_url,
        "BROADCAST_RATE": "20",
        "DELIVERY_LEASE_SECONDS": "5",
        "ADMIN_IDS": "",
        "NO_PROXY": "127.0.0.1",
        "LISTEN": "127.0.0.1:0",  # a free port: tests run side by side
        "INSTANCE_NAME": "bot-1",  # a restart is the same process: its lines at once
    }
    return BotProcess(env, tmp_path / "bot.log")


@pytest.fixture
async def look(database_url: str) -> AsyncIterator[Callable[..., Any]]:
    """Run one read in a fresh session (never holds a snapshot across the bot's work)."""
    engine = create_engine(database_url)
    sessions = create_sessionmaker(engine)

    async def read(statement: Any) -> list[Any]:
        async with sessions() as session:
            return list((await session.execute(statement)).all())

    yield read
    await engine.dispose()


async def test_killed_mid_announcement_everyone_gets_it_once_but_the_in_flight(
    database_url, emulator, bot_process, look
):
    recipients = list(range(20_001, 20_041))
    engine = create_engine(database_url)
    now = datetime.now(UTC)
    async with create_sessionmaker(engine)() as session, session.begin():
        await make_users(
            session,
            [*recipients, OFFICER],
            now,
            locale="id",
            consent="given",
            role="family",
            village_id="jogosimo",
        )
        for telegram_id in [*recipients, OFFICER]:
            emulator.open_chat(telegram_id)
        announcement_id = await announce_in(session, {"id": ANNOUNCEMENT}, at=now, now=now)
    await engine.dispose()
    total = len(recipients) + 1  # the officer is a villager of Jogosimo too

    def copies() -> Counter[int]:
        return Counter(
            call.params["chat_id"]
            for call in emulator.calls
            if call.method == "sendMessage" and body(call.params.get("text")) == ANNOUNCEMENT
        )

    await bot_process.start(emulator)
    await bot_process.until(lambda: sum(copies().values()) >= 12, "send a dozen")
    await bot_process.kill()
    answered_at_kill = sum(copies().values())
    marked_at_kill = (
        await look(select(func.count()).where(Delivery.status == "sent"))  # type: ignore[arg-type]
    )[0][0]
    assert 12 <= answered_at_kill < total  # killed in the middle

    await bot_process.start(emulator)

    async def finished() -> bool:
        rows = await look(select(Announcement.status).where(Announcement.id == announcement_id))
        return rows[0][0] == "done"

    await bot_process.until(finished, "finish the announcement", within=30)
    await bot_process.stop()

    received = copies()
    assert set(received) == {*recipients, OFFICER}  # nobody was missed
    twice = sorted(chat for chat, count in received.items() if count == 2)
    assert max(received.values()) <= 2
    # Exactly the messages Telegram had accepted but whose mark had not been written at
    # the instant of the kill go out again: the ones in flight (a round trip's worth).
    assert len(twice) == answered_at_kill - marked_at_kill
    assert len(twice) <= 6
    statuses = Counter(status for (status,) in await look(select(Delivery.status)))
    assert statuses == Counter(sent=total)


async def test_killed_with_updates_waiting_each_is_handled_once_in_order(
    emulator, bot_process, look
):
    """30 people onboard (/start, language, role, village, consent: 150 updates), all
    sent while the bot was down; it is killed after a few answers, then restarted."""
    people = list(range(30_001, 30_031))
    taps = ("ob:lang:id", "ob:role:family", "ob:vil:jogosimo", "ob:consent:yes")
    pushed: dict[int, list[int]] = {}
    queries: list[str] = []
    for person in people:
        start = emulator.message_update(person, "/start")
        ids = [emulator.push(start)]
        for data in taps:
            tap = emulator.callback_update(person, start["message"]["message_id"], data)
            queries.append(tap["callback_query"]["id"])
            ids.append(emulator.push(tap))
        pushed[person] = ids

    def answered() -> int:
        return sum(1 for call in emulator.calls if call.method == "answerCallbackQuery")

    await bot_process.start(emulator)
    await bot_process.until(lambda: not emulator.pending and answered() >= 20, "answer some")
    await bot_process.kill()
    open_at_kill = (
        await look(
            select(func.count()).where(InboxUpdate.status.in_(("pending", "handled")))  # type: ignore[arg-type]
        )
    )[0][0]
    assert emulator.pending == []  # Telegram has forgotten them: only the inbox has them
    assert open_at_kill > 0  # killed with work left

    await bot_process.start(emulator)

    async def all_done() -> bool:
        rows = await look(select(InboxUpdate.status))
        return len(rows) == 150 and all(status == "done" for (status,) in rows)

    await bot_process.until(all_done, "handle every update", within=30)
    await bot_process.stop()

    users = await look(
        select(Identity.address, User.locale, User.role, User.village_id, User.consent)
        .join(Identity, Identity.person_id == User.person_id)
        .where(Identity.channel == "telegram", Identity.address.in_([str(p) for p in people]))
    )
    users = [(int(address), *rest) for address, *rest in users]
    # Every step applied, in each person's order: a tap handled before its step, or a
    # second time, would have found the person at another step and changed nothing.
    assert sorted(users) == [(p, "id", "family", "jogosimo", "given") for p in people]
    expired = first_line("id", "That button is no longer valid.")
    registered = first_line("id", "Thank you, you are registered.")
    seen = {person: [m.text for m in emulator.bot_messages(person)] for person in people}
    assert not any(expired in text for texts in seen.values() for text in texts)
    told = Counter({p: sum(registered in text for text in texts) for p, texts in seen.items()})
    assert min(told.values()) == 1  # everyone saw the end of onboarding
    assert sum(told.values()) - len(people) <= open_at_kill  # resent answers only
    answers = Counter(
        call.params["callback_query_id"]
        for call in emulator.calls
        if call.method == "answerCallbackQuery"
    )
    assert set(answers) == set(queries)
    # Answers cut off by the kill are sent again; at most once more.
    assert max(answers.values()) <= 2
    assert sum(answers.values()) - len(queries) <= open_at_kill
