"""Several processes on one database: each person's updates are handled once, in order,
by the process that holds the person's line, and a dead process's lines are taken over.

The "processes" are applications built side by side on the same database, each with its
own ``INSTANCE_NAME``, fed the way the webhook feeds them (:meth:`Inbox.receive`). An
application that is built but not started stands for a process that stopped: what it
queued is never handled by it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from telegram import Update

from bot.app import BotApplication, build_application
from bot.context import services_of
from bot.inbox import Inbox
from bot.replies import Replies
from storage.models import InboxLine, InboxUpdate, User
from storage.repositories import inbox as rows
from tests.people import person as person_id
from tests.people import row_of
from tests.test_webhook import sample
from tests.transcript import first_line, label, tr

LEASE = 30
WELCOME = first_line("id", "<b>Welcome to the Desmigratif assistant.</b>")
ONBOARDING = ["ob:lang:id", "ob:role:family", "ob:vil:jogosimo", "ob:consent:yes"]


@pytest.fixture
def make(settings, emulator, clock) -> Callable[[str], BotApplication]:
    """A new process named ``name`` on the shared database (not yet initialised)."""

    def build(name: str) -> BotApplication:
        return build_application(
            settings.model_copy(
                update={
                    "instance_name": name,
                    "inbox_lease_seconds": LEASE,
                    "rate_limit_updates": 0,
                }
            ),
            request=emulator,
            clock=clock,
            register_bot_commands=False,
        )

    return build


@pytest.fixture
async def processes(make) -> AsyncIterator[list[BotApplication]]:
    """Three running processes: a, b and c."""
    apps = [make(name) for name in "abc"]
    for app in apps:
        await app.initialize()
        await app.start()
    yield apps
    for app in apps:
        if app.running:
            await app.stop()
        await app.shutdown()


def inbox_of(app: BotApplication) -> Inbox:
    inbox = services_of(app).inbox
    assert inbox is not None
    return inbox


def handled_by(app: BotApplication) -> float:
    """How many updates this process handled (its own counter on /metrics)."""
    page = services_of(app).metrics.render().decode()
    return sum(
        sample(page, "desmigratif_updates_total", kind=kind, outcome="handled") or 0
        for kind in ("message", "callback_query")
    )


async def receive(app: BotApplication, payload: dict) -> None:
    await inbox_of(app).receive([Update.de_json(payload, app.bot)])


async def statuses(db) -> dict[int, str]:
    db.expire_all()
    found = await db.execute(select(InboxUpdate.update_id, InboxUpdate.status))
    return {row[0]: row[1] for row in found.all()}


async def lines_held(db) -> dict[int, str]:
    db.expire_all()
    found = await db.execute(select(InboxLine.person_id, InboxLine.owner))
    return {row[0]: row[1] for row in found.all()}


async def settled(apps: list[BotApplication], db, expected: int) -> dict[int, str]:
    """Wait until ``expected`` rows are finished and every line is given up."""
    status: dict[int, str] = {}
    for _ in range(1000):
        for app in apps:
            await inbox_of(app).flush()
        status = await statuses(db)
        done = sum(1 for s in status.values() if s in ("done", "failed"))
        if done == expected and not await lines_held(db):
            return status
        await asyncio.sleep(0.01)
    raise AssertionError(f"not settled: {status}, lines {await lines_held(db)}")


def onboarding(emulator, person: int) -> list[dict]:
    start = emulator.message_update(person, "/start")
    message_id = start["message"]["message_id"]
    return [start] + [emulator.callback_update(person, message_id, d) for d in ONBOARDING]


# --- order across processes ------------------------------------------------------------


async def test_one_persons_updates_spread_over_three_processes_are_handled_in_order(
    processes, emulator, db
):
    """Eight people onboard at once; each of their five updates reaches another process
    (a, b, c, a, b …) and the first two arrive twice. Every tap finds the step it was
    meant for, so only handling in order registers everyone; each update is handled
    once, and every line is given up at the end."""
    people = list(range(7101, 7109))
    flows = {person: onboarding(emulator, person) for person in people}
    sent = 0
    for step in range(5):
        posts = []
        for n, person in enumerate(people):
            payload = flows[person][step]
            posts.append(receive(processes[(n + step) % 3], payload))
            if step < 2:  # Telegram retries: the same update at another process
                posts.append(receive(processes[(n + step + 1) % 3], payload))
            sent += 1
        await asyncio.gather(*posts)
    status = await settled(processes, db, sent)
    assert sorted(status.values()) == ["done"] * 40
    assert sum(handled_by(app) for app in processes) == 40
    persons = {await person_id(db, p): p for p in people}
    registered = (
        await db.execute(
            select(User.person_id, User.role, User.village_id, User.consent).where(
                User.person_id.in_(persons)
            )
        )
    ).all()
    assert sorted((persons[found], *rest) for found, *rest in registered) == [
        (p, "family", "jogosimo", "given") for p in people
    ]
    assert [inbox_of(app).held for app in processes] == [frozenset()] * 3


async def test_a_process_without_the_line_only_stores_and_the_holder_handles_it(
    make, emulator, db
):
    """a holds the person's line (it has their /start queued); b receives their next
    update: b stores it and queues nothing. When a works through the line it finds the
    row b stored, handles it after the first, and gives the line up."""
    a, b = make("a"), make("b")
    async with a, b:
        start = emulator.message_update(7201, "/start")
        tap = emulator.callback_update(7201, start["message"]["message_id"], "ob:lang:jv")
        await receive(a, start)
        assert await lines_held(db) == {7201: "a"}
        await receive(b, tap)
        assert (a.update_queue.qsize(), b.update_queue.qsize()) == (1, 0)
        assert await statuses(db) == {start["update_id"]: "pending", tap["update_id"]: "pending"}
        await a.start()
        await settled([a, b], db, 2)
        await a.stop()
    assert (handled_by(a), handled_by(b)) == (2, 0)
    # The welcome, then (after the tap) the next question, in Javanese.
    texts = [m.text.splitlines()[0] for m in emulator.bot_messages(7201)]
    assert texts == [WELCOME, first_line("jv", "Which of these describes you?")]
    assert (await row_of(db, User, 7201)).locale == "jv"


# --- a process that stops ------------------------------------------------------------


async def stranded(make, emulator, clock, db) -> tuple[dict, dict]:
    """Process a took person 7301's line and stopped: one update handled with its answer
    never sent, one stored and never handled."""
    a = make("a")
    await a.initialize()
    services = services_of(a)
    cut_off = Replies()
    cut_off.send(7301, "Jawaban yang terpotong")
    handled = emulator.message_update(7301, "halo")
    async with services.sessions() as session, session.begin():
        await rows.store(session, [(handled["update_id"], 7301, handled)], now=clock.now())
        await rows.mark_handled(session, handled["update_id"], cut_off.to_json())
    waiting = emulator.message_update(7301, "/start")
    await receive(a, waiting)
    assert await lines_held(db) == {7301: "a"}
    await a.shutdown()
    return handled, waiting


@pytest.mark.parametrize(
    ("after", "taken"),
    [
        (timedelta(seconds=LEASE), False),  # the lease's last instant: still a's
        (timedelta(seconds=LEASE, microseconds=1), True),
    ],
    ids=["at-the-lease", "just-after"],
)
async def test_a_dead_processs_line_is_taken_over_once_its_lease_runs_out(
    make, emulator, clock, db, after, taken
):
    handled, waiting = await stranded(make, emulator, clock, db)
    clock.advance(after)
    b = make("b")
    async with b:
        await b.start()
        assert await inbox_of(b).take_over() == (2 if taken else 0)
        if not taken:
            assert await lines_held(db) == {7301: "a"}
            assert emulator.bot_messages(7301) == []
            await b.stop()
            return
        await settled([b], db, 2)
        await b.stop()
    page = services_of(b).metrics.render().decode()
    assert sample(page, "desmigratif_inbox_lines_taken_over_total") == 1
    texts = [m.text.splitlines()[0] for m in emulator.bot_messages(7301)]
    # The answer that was cut off first, then the update that waited: once each.
    assert texts == ["Jawaban yang terpotong", WELCOME]
    assert await statuses(db) == {handled["update_id"]: "done", waiting["update_id"]: "done"}


async def test_a_restart_under_the_same_name_takes_its_lines_back_at_once(
    make, emulator, clock, db
):
    """No lease to wait for: the process with a's name is a, restarted. A stranger that
    looks at the same moment finds nothing to take."""
    await stranded(make, emulator, clock, db)
    stranger, again = make("c"), make("a")
    async with stranger, again:
        assert await inbox_of(stranger).take_over() == 0
        await again.start()
        assert await inbox_of(again).recover(again) == 2
        await settled([again], db, 2)
        await again.stop()
    texts = [m.text.splitlines()[0] for m in emulator.bot_messages(7301)]
    assert texts == ["Jawaban yang terpotong", WELCOME]


async def test_a_process_that_lost_its_line_does_not_handle_the_update_again(
    make, emulator, clock, db
):
    """a queued an update and stalled past its lease; b took the line and handled it.
    When a wakes up and runs the update, its unit of work is refused at the mark and
    rolled back: the person is answered once."""
    a, b = make("a"), make("b")
    async with a, b:
        start = emulator.message_update(7401, "/start")
        await receive(a, start)
        clock.advance(timedelta(seconds=LEASE + 1))
        await b.start()
        assert await inbox_of(b).take_over() == 1
        await settled([b], db, 1)
        await a.start()  # a wakes up with the update still in its queue
        for _ in range(200):
            if a.update_queue.qsize() == 0 and not inbox_of(a)._queued:
                break
            await asyncio.sleep(0.01)
        await inbox_of(a).flush()
        await a.stop()
        await b.stop()
    assert [m.text.splitlines()[0] for m in emulator.bot_messages(7401)] == [WELCOME]
    assert await statuses(db) == {start["update_id"]: "done"}
    assert (handled_by(a), handled_by(b)) == (0, 1)
    page = services_of(a).metrics.render().decode()
    assert sample(page, "desmigratif_updates_total", kind="message", outcome="taken") == 1
    count = await db.scalar(
        select(func.count()).select_from(User).where(User.person_id == await person_id(db, 7401))
    )
    assert count == 1


async def test_erasing_ones_data_through_the_inbox_is_not_mistaken_for_a_lost_line(
    make, emulator, db
):
    """``/hapusdata`` deletes the person's inbox rows, the one being handled too: its
    unit of work must still commit (the row is gone, not handled elsewhere)."""
    a = make("a")
    async with a:
        await a.start()
        steps = onboarding(emulator, 7501)
        for payload in steps:
            await receive(a, payload)
        await settled([a], db, 5)
        erased = await person_id(db, 7501)
        await receive(a, emulator.message_update(7501, "/hapusdata"))
        for _ in range(200):
            screen = emulator.last_with_buttons(7501)
            button = (
                screen.find_button(label("id", "button", "Yes, erase everything"))
                if screen
                else None
            )
            if button is not None:
                break
            await asyncio.sleep(0.01)
        assert button is not None
        assert button.callback_data is not None
        await receive(a, emulator.callback_update(7501, screen.message_id, button.callback_data))
        for _ in range(200):
            if await db.get(User, erased) is None:
                break
            db.expire_all()
            await asyncio.sleep(0.01)
        await inbox_of(a).flush()
        await a.stop()
    db.expire_all()
    assert await db.get(User, erased) is None
    last = emulator.bot_messages(7501)[-1].text
    assert last == tr("id", "All your data has been erased. Send /start to begin again.")
    assert await statuses(db) == {}  # nothing they sent is kept, not even a key
