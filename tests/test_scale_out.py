"""Three ``desmigratif run --webhook`` processes on one PostgreSQL, Telegram 100 ms away:
updates spread over them and sent twice are each handled once, in each person's order;
one process killed with SIGKILL mid-work leaves nothing behind, its lines are taken over
once their lease runs out.

(PostgreSQL only: several processes writing one SQLite file is not a supported setup.)
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.channels.telegram.emulator import BotAPIEmulator
from storage.models import Delivery, Identity, InboxLine, InboxUpdate, User
from tests.announcing import body
from tests.conftest import POSTGRES_URL
from tests.test_delivery import OFFICER, announce_from_outside
from tests.test_kill import TOKEN, BotProcess, look, served  # noqa: F401 (fixtures)
from tests.test_webhook import sample
from tests.transcript import first_line

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")

SECRET = "scale_Out-2026"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
LEASE_SECONDS = 3
PEOPLE = list(range(81_001, 81_013))
ANNOUNCEMENT = "Pendaftaran pelatihan kerja dibuka"
ONBOARDING = ["ob:lang:id", "ob:role:family", "ob:vil:jogosimo", "ob:consent:yes"]


def process(database_url: str, served: str, tmp_path: Path, name: str) -> BotProcess:  # noqa: F811
    env = {
        **os.environ,
        "PTB_TIMEDELTA": "true",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": served,
        "DATABASE_URL": database_url,
        "ADMIN_IDS": "",
        "NO_PROXY": "127.0.0.1",
        "WEBHOOK_URL": "https://bot.example.org/telegram",
        "WEBHOOK_SECRET": SECRET,
        "LISTEN": "127.0.0.1:0",
        "INSTANCE_NAME": name,
        "INBOX_LEASE_SECONDS": str(LEASE_SECONDS),
        "RATE_LIMIT_UPDATES": "0",
    }
    return BotProcess(env, tmp_path / f"{name}.log")


def port_of(bot: BotProcess) -> int | None:
    found = re.search(r"serving the webhook on 127\.0\.0\.1:(\d+)", bot.log.read_text())
    return int(found.group(1)) if found else None


async def handled_total(ports: list[int]) -> float:
    total = 0.0
    async with httpx.AsyncClient(timeout=10) as client:
        for port in ports:
            page = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
            for kind in ("message", "callback_query"):
                total += (
                    sample(page, "desmigratif_updates_total", kind=kind, outcome="handled") or 0
                )
    return total


async def test_three_processes_one_order_and_a_kill(
    emulator: BotAPIEmulator,
    database_url: str,
    served: str,  # noqa: F811
    tmp_path: Path,
    look,  # noqa: F811
):
    bots = [process(database_url, served, tmp_path, f"w{n}") for n in (1, 2, 3)]
    try:
        for bot in bots:
            await bot.start(emulator, "--webhook", ready=lambda b=bot: port_of(b) is not None)
        ports = [port_of(bot) or 0 for bot in bots]
        async with httpx.AsyncClient(timeout=20) as client:

            async def post(n: int, payload: dict) -> None:
                url = f"http://127.0.0.1:{ports[n % 3]}/telegram"
                answer = await client.post(url, json=payload, headers=HEADERS)
                assert answer.status_code == 200

            # Onboarding: every step of everyone at once, each to the next process, a
            # third of them twice (to another process), as Telegram's retries would.
            flows = {}
            for person in PEOPLE:
                start = emulator.message_update(person, "/start")
                message_id = start["message"]["message_id"]
                flows[person] = [start] + [
                    emulator.callback_update(person, message_id, data) for data in ONBOARDING
                ]
            for step in range(5):
                posts = []
                for n, person in enumerate(PEOPLE):
                    posts.append(post(n + step, flows[person][step]))
                    if (n + step) % 3 == 0:
                        posts.append(post(n + step + 1, flows[person][step]))
                await asyncio.gather(*posts)

            async def finished(expected: int) -> bool:
                rows = await look(
                    select(func.count()).where(InboxUpdate.status.in_(("done", "failed")))
                )
                return rows[0][0] == expected

            await bots[0].until(lambda: finished(60), "handle the onboarding", within=60)
            registered = await look(
                select(Identity.address, User.role, User.village_id, User.consent)
                .join(Identity, Identity.person_id == User.person_id)
                .where(Identity.address.in_([str(p) for p in PEOPLE]))
            )
            registered = [(int(a), *rest) for a, *rest in registered]
            assert sorted(tuple(r) for r in registered) == [
                (p, "family", "jogosimo", "given") for p in PEOPLE
            ]
            assert await handled_total(ports) == 60  # the duplicates were handled once

            # An announcement to the village: three sweeps share it, each person gets it once.
            emulator.open_chat(OFFICER)
            await announce_from_outside(database_url, ANNOUNCEMENT)

            async def announced() -> bool:
                rows = await look(select(Delivery.status).where(Delivery.kind == "announcement"))
                return len(rows) == len(PEOPLE) and {r[0] for r in rows} == {"sent"}

            await bots[0].until(announced, "send the announcement", within=60)
            received = [
                sum(1 for m in emulator.bot_messages(p) if body(m.text) == ANNOUNCEMENT)
                for p in PEOPLE
            ]
            assert received == [1] * len(PEOPLE)

            # Everyone asks for the menu and the help page through w1, which is killed
            # right after Telegram got its 200s: w2 and w3 take its lines over.
            menus = [emulator.message_update(p, "/menu") for p in PEOPLE]
            helps = [emulator.message_update(p, "/bantuan") for p in PEOPLE]
            before = {p: len(emulator.bot_messages(p)) for p in PEOPLE}
            await asyncio.gather(*(post(0, update) for update in menus))
            await asyncio.gather(*(post(0, update) for update in helps))
            await bots[0].kill()
            await bots[1].until(lambda: finished(84), "take over w1's lines", within=60)

        def answered_twice() -> bool:
            return all(len(emulator.bot_messages(p)) >= before[p] + 2 for p in PEOPLE)

        await bots[1].until(answered_twice, "answer everyone", within=30)
        # In each person's order: the help page, asked second, is the last thing they read.
        about = first_line("id", "<b>About this assistant</b>")
        assert [emulator.bot_messages(p)[-1].text.splitlines()[0] for p in PEOPLE] == [
            about
        ] * len(PEOPLE)
        lines = await look(select(InboxLine.person_id, InboxLine.owner))
        assert [owner for _, owner in lines if owner == "w1"] == []
        failed = await look(select(func.count()).where(InboxUpdate.status == "failed"))
        assert failed[0][0] == 0
    finally:
        for bot in bots:
            await bot.stop()
