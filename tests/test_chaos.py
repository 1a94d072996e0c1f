"""Crashes (reliability suite, item 3): ``desmigratif run`` killed with SIGKILL at random
instants, twenty times, while six people go through onboarding, a checklist session and
a help request and an announcement goes out to them; restarted each time. No update is
lost, no help request lost, the announcement reaches everyone once (a message in flight
at a kill may arrive twice), and everyone carries on where they were.

Each person's actions are recorded once in-process (labels turned into the buttons'
data by a local run of the same bot), then replayed against the real process: one action
after the previous one was handled, as a person waits for the answer.
"""

from __future__ import annotations

import asyncio
import io
import random
from collections import Counter
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from bot.app import build_application
from bot.channels.telegram.emulator import BotAPIEmulator
from bot.clock import ManualClock
from bot.simulator import Simulator
from storage.models import (
    Checklist,
    ChecklistMark,
    Delivery,
    HelpRequest,
    Identity,
    InboxUpdate,
    User,
)
from tests.announcing import body
from tests.test_delivery import announce_from_outside
from tests.test_kill import BotProcess, bot_process, look, served  # noqa: F401 (fixtures)
from tests.transcript import first_line

KILLS = 20
PEOPLE = [61_001 + n for n in range(6)]
ANNOUNCEMENT = "Sosialisasi penempatan resmi hari Sabtu di balai desa"
STEPS = [
    "/start",
    "[English]",
    "[Planning to work abroad]",
    "[Jogosimo (Klirong)]",
    "[I agree]",
    "/persiapan",
    "[1]",
    "[Hong Kong]",
    "[1]",
    "15-03-2027",
    "PT Maju Jaya",
    "[⬜ Passport]",
    "[1]",
    "/tolong",
    "[Lost contact with them]",
    "[A family member]",
    "Siti Aminah",
    "[daughter or son]",
    "[Malaysia]",
    "Kuala Lumpur",
    "PT Maju Jaya",
    "3 weeks ago, WhatsApp",
    "0812 3456 7890",
    "She stopped answering on WhatsApp three weeks ago.",
    "[Continue]",
    "[Send to the officers]",
]


async def recorded(settings, tmp_path: Path) -> list[tuple[str, str]]:
    """The steps as the updates they become: ("text", words) or ("tap", button data)."""
    emulator = BotAPIEmulator()
    app = build_application(
        settings.model_copy(
            update={"database_url": f"sqlite+aiosqlite:///{tmp_path}/rec.db", "auto_migrate": True}
        ),
        request=emulator,
        clock=ManualClock(),
        register_bot_commands=False,
    )
    actions: list[tuple[str, str]] = []
    async with app:
        simulator = Simulator(
            app, emulator, ManualClock(), user_id=1, language_code="en", out=io.StringIO()
        )
        feed = simulator.person._feed

        async def record(payload):
            if "callback_query" in payload:
                actions.append(("tap", payload["callback_query"]["data"]))
            else:
                actions.append(("text", payload["message"]["text"]))
            return await feed(payload)

        simulator.person._feed = record  # type: ignore[method-assign]
        for step in STEPS:
            await simulator.run_line(step, echo=False)
    assert simulator.failures == 0
    assert len(actions) == len(STEPS)
    return actions


async def test_twenty_kills_lose_nothing(
    settings,
    emulator: BotAPIEmulator,
    database_url,
    bot_process,  # noqa: F811
    look,  # noqa: F811
    tmp_path,
):
    actions = await recorded(settings, tmp_path)
    bot = bot_process
    await bot.start(emulator)
    pushed: dict[int, list[int]] = {person: [] for person in PEOPLE}
    kills = 0
    finished = asyncio.Event()
    rng = random.Random(2026)

    async def eventually(condition, what: str, within: float) -> None:
        """Like ``bot.until``, but the bot may be down for a moment (being killed)."""
        deadline = asyncio.get_running_loop().time() + within
        while not await condition():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"did not {what} within {within:g} s:\n{bot.tail()}")
            await asyncio.sleep(0.05)

    async def handled(update_id: int) -> bool:
        rows = await look(select(InboxUpdate.status).where(InboxUpdate.update_id == update_id))
        return bool(rows) and rows[0][0] == "done"

    async def act(person: int) -> None:
        for n, (kind, value) in enumerate(actions):
            if kind == "text":
                update = emulator.message_update(person, value, language_code="en")
            else:
                target = emulator.last_with_buttons(person)
                message_id = target.message_id if target is not None else 1
                update = emulator.callback_update(person, message_id, value, language_code="en")
            pushed[person].append(emulator.push(update))
            await eventually(lambda u=update["update_id"]: handled(u), f"handle step {n}", 90)
            await asyncio.sleep(rng.uniform(0.0, 0.3))

    async def announce_midway() -> None:
        # Once everyone has agreed (step 5), an announcement to the village starts.
        async def onboarded() -> bool:
            return all(len(p) > 6 for p in pushed.values())

        await eventually(onboarded, "onboard everyone", 120)
        await announce_from_outside(database_url, ANNOUNCEMENT)

    async def kill_at_random() -> None:
        nonlocal kills
        while kills < KILLS:
            await asyncio.sleep(rng.uniform(0.3, 1.2))
            await bot.kill()
            kills += 1
            await bot.start(emulator)
        finished.set()

    emulator.open_chat(990)  # the announcing officer (progress messages)
    await asyncio.gather(*(act(p) for p in PEOPLE), announce_midway(), kill_at_random())
    assert finished.is_set()

    # Every update was handled, once: all rows done, none failed.
    statuses = await look(select(InboxUpdate.status, func.count()).group_by(InboxUpdate.status))
    assert dict(statuses) == {"done": len(PEOPLE) * len(actions)}

    # Everyone's state is whole: registered, the checklist with its tick, one request.
    # Rows are keyed by person id; each is read back as the Telegram id behind it.
    telegram = {
        person_id: int(address)
        for person_id, address in await look(
            select(Identity.person_id, Identity.address).where(Identity.channel == "telegram")
        )
    }
    users = await look(
        select(User.person_id, User.role, User.village_id, User.consent).where(
            User.person_id.in_([p for p, t in telegram.items() if t in PEOPLE])
        )
    )
    assert sorted((telegram[u[0]], *u[1:]) for u in users) == [
        (p, "prospective", "jogosimo", "given") for p in PEOPLE
    ]
    checklists = await look(select(Checklist.person_id, Checklist.departure_on))
    assert sorted((telegram[c[0]], *c[1:]) for c in checklists) == [
        (p, date(2027, 3, 15)) for p in PEOPLE
    ]
    ticks = await look(
        select(ChecklistMark.person_id, func.count()).group_by(ChecklistMark.person_id)
    )
    assert sorted((telegram[t[0]], *t[1:]) for t in ticks) == [(p, 1) for p in PEOPLE]
    requests = await look(select(HelpRequest.requester_id, HelpRequest.category))
    assert sorted((telegram[r[0]], *r[1:]) for r in requests) == [
        (p, "lost_contact") for p in PEOPLE
    ]

    # The announcement: one delivery each, all sent; a message in flight at a kill may
    # have arrived twice, never more often than there were kills.
    async def all_sent() -> bool:
        rows = await look(select(Delivery.status).where(Delivery.kind == "announcement"))
        return len(rows) == len(PEOPLE) and all(r[0] == "sent" for r in rows)

    await bot.until(all_sent, "send the announcement", 60)
    received = Counter(
        person
        for person in PEOPLE
        for message in emulator.bot_messages(person)
        if body(message.text) == ANNOUNCEMENT
    )
    assert set(received) == set(PEOPLE)
    assert sum(received.values()) - len(PEOPLE) <= KILLS

    # Everyone carries on: /menu answers each of them with the main menu.
    menus = {
        p: emulator.push(emulator.message_update(p, "/menu", language_code="en")) for p in PEOPLE
    }
    for update_id in menus.values():
        await bot.until(lambda u=update_id: handled(u), "answer /menu", 30)
    menu = first_line("en", "<b>Main menu</b>\nWhat would you like to do?")
    for person in PEOPLE:
        assert emulator.bot_messages(person)[-1].text.splitlines()[0] == menu, person
    await bot.stop()
