"""Stored before acknowledged: the inbox, the poller and recovery after a stop.

The application runs as ``desmigratif run`` runs it (started, updates fetched by
:class:`bot.inbox.Poller` through ``getUpdates`` long polling), against the in-process
emulator, whose ``getUpdates`` forgets an update only once an offset confirms it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text
from telegram import Update

from bot.app import build_application
from bot.channels.telegram.emulator import BotAPIEmulator
from bot.context import services_of
from bot.inbox import PRUNE_EVERY, Poller
from bot.replies import Replies
from storage.models import InboxUpdate
from storage.repositories import inbox as rows
from tests.test_onboarding import onboard
from tests.transcript import first_line, label


class WatchedEmulator(BotAPIEmulator):
    """Records, at each ``getUpdates``, the offset asked for and which update ids the
    inbox table holds at that instant (read through a connection of its own)."""

    def __init__(self) -> None:
        super().__init__()
        self.stored_at_poll: list[tuple[int, set[int]]] = []
        self.peek: Callable[[], Any] | None = None

    async def call(self, method: str, params: dict[str, Any]) -> tuple[int, bytes]:
        if method == "getUpdates" and self.peek is not None:
            self.stored_at_poll.append((int(params.get("offset") or 0), await self.peek()))
        return await super().call(method, params)


@pytest.fixture
def emulator() -> WatchedEmulator:
    return WatchedEmulator()


@contextlib.asynccontextmanager
async def polling(app) -> AsyncIterator[None]:
    """The application started and long polling, as in ``desmigratif run``."""
    inbox = services_of(app).inbox
    stop = asyncio.Event()
    await app.start()
    await inbox.recover(app)
    task = asyncio.create_task(Poller(app, inbox, timeout=1).run(stop))
    try:
        yield
    finally:
        stop.set()
        await task
        await app.stop()
        await inbox.flush()


async def until(condition: Callable[[], Any], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not await _holds(condition):
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def _holds(condition: Callable[[], Any]) -> bool:
    result = condition()
    return bool(await result) if asyncio.iscoroutine(result) else bool(result)


async def inbox_rows(db) -> dict[int, str]:
    db.expire_all()
    found = await db.execute(select(InboxUpdate.update_id, InboxUpdate.status))
    return dict(found.all())


def texts(emulator, chat: int) -> list[str]:
    return [message.text for message in emulator.bot_messages(chat)]


LANGUAGE_Q = first_line("id", "<b>Welcome to the Desmigratif assistant.</b>")


async def test_every_update_is_stored_before_telegram_is_told(app, emulator, db):
    async def stored() -> set[int]:
        return set(await inbox_rows(db))

    emulator.peek = stored
    pushed = [emulator.push(emulator.message_update(chat, "/start")) for chat in (401, 402, 403)]
    async with polling(app):
        await until(lambda: all(texts(emulator, chat) for chat in (401, 402, 403)))
        pushed.append(emulator.push(emulator.message_update(404, "/start")))
        await until(lambda: texts(emulator, 404))
        await until(lambda: len(emulator.stored_at_poll) >= 3)
    # Each offset (the confirmation that lets Telegram forget) came after the row was in.
    confirmed = [(offset, ids) for offset, ids in emulator.stored_at_poll if offset]
    assert [offset for offset, _ids in confirmed][:2] == [pushed[2] + 1, pushed[3] + 1]
    for offset, ids in confirmed:
        assert {u for u in pushed if u < offset} <= ids
    assert await inbox_rows(db) == dict.fromkeys(pushed, "done")
    assert [texts(emulator, chat)[0].split("\n")[0] for chat in (401, 402, 403, 404)] == [
        LANGUAGE_Q
    ] * 4


async def test_when_the_inbox_cannot_be_written_telegram_keeps_the_updates(app, emulator, db):
    """The database refuses the insert: the offset stays, the update comes back, and once
    the database is healthy it is handled, once."""
    postgres = db.get_bind().dialect.name == "postgresql"
    if postgres:
        await db.execute(
            text(
                "CREATE OR REPLACE FUNCTION refuse_inbox() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'injected fault'; END $$ LANGUAGE plpgsql"
            )
        )
        await db.execute(
            text(
                "CREATE TRIGGER refuse_inbox BEFORE INSERT ON inbox "
                "FOR EACH ROW EXECUTE FUNCTION refuse_inbox()"
            )
        )
    else:
        await db.execute(
            text(
                "CREATE TRIGGER refuse_inbox BEFORE INSERT ON inbox "
                "BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
            )
        )
    await db.commit()
    update_id = emulator.push(emulator.message_update(411, "/start"))
    async with polling(app):
        await until(lambda: len([c for c in emulator.calls if c.method == "getUpdates"]) >= 1)
        await asyncio.sleep(0.2)
        assert texts(emulator, 411) == []
        assert [u["update_id"] for u in emulator.pending] == [update_id]  # not confirmed
        await db.execute(text("DROP TRIGGER refuse_inbox" + (" ON inbox" if postgres else "")))
        await db.commit()
        await until(lambda: texts(emulator, 411), within=5)  # the poller retries after 1 s
    assert len(texts(emulator, 411)) == 1
    assert await inbox_rows(db) == {update_id: "done"}


async def test_an_update_sent_again_is_handled_once(app, emulator, db):
    first = emulator.message_update(421, "/start")
    second = emulator.message_update(421, "/bantuan")
    async with polling(app):
        emulator.push(first)
        emulator.push(second)
        await until(lambda: len(texts(emulator, 421)) == 3)  # /bantuan: 2 messages
        before = [c.method for c in emulator.calls if c.method != "getUpdates"]
        # Telegram sends both again (as after a lost confirmation): nothing happens twice.
        emulator.push(first)
        emulator.push(second)
        await until(lambda: not emulator.pending)
        await asyncio.sleep(0.1)
        after = [c.method for c in emulator.calls if c.method != "getUpdates"]
    assert after == before
    assert len(texts(emulator, 421)) == 3
    assert await inbox_rows(db) == {first["update_id"]: "done", second["update_id"]: "done"}


async def test_a_start_handles_stored_updates_first_in_order_and_resends_cut_off_answers(
    settings, emulator, clock, db
):
    """A stop left: one update handled but its answer never sent, and three stored but
    never handled. The next start sends the answer (once) and handles the three, in order,
    before anything new."""
    first = build_application(settings, request=emulator, clock=clock)
    async with first:
        services = services_of(first)
        cut_off = Replies()
        cut_off.send(431, "Jawaban yang terpotong")
        stored = [
            emulator.message_update(431, "/start"),
            emulator.message_update(432, "/start"),
            emulator.message_update(432, "/bantuan"),
        ]
        handled = emulator.message_update(431, "halo")
        async with services.sessions() as session, session.begin():
            await rows.store(
                session,
                [(u["update_id"], u["message"]["chat"]["id"], u) for u in [handled, *stored]],
                now=clock.now(),
            )
            await rows.mark_handled(session, handled["update_id"], cut_off.to_json())
    assert await inbox_rows(db) == {
        handled["update_id"]: "handled",
        **{u["update_id"]: "pending" for u in stored},
    }

    second = build_application(settings, request=emulator, clock=clock)
    async with second:
        fresh = emulator.push(emulator.message_update(432, "/menu"))
        async with polling(second):
            await until(lambda: len(texts(emulator, 432)) == 4)
            await until(lambda: len(texts(emulator, 431)) == 2)
    assert [line.split("\n")[0] for line in texts(emulator, 431)] == [
        "Jawaban yang terpotong",
        LANGUAGE_Q,
    ]
    # /start, then /bantuan (stored before the stop), then /menu (new): in that order.
    assert [line.split("\n")[0] for line in texts(emulator, 432)] == [
        LANGUAGE_Q,
        first_line("id", "<b>About this assistant</b>"),
        LANGUAGE_Q,
        first_line("id", "Let us finish setting up first."),
    ]
    assert await inbox_rows(db) == {
        handled["update_id"]: "done",
        **{u["update_id"]: "done" for u in stored},
        fresh: "done",
    }


async def test_a_failing_update_is_marked_failed_and_the_rest_go_on(app, emulator, db):
    from tests.test_errors_and_commands import fail_updates_of, heal

    async with polling(app):
        start = emulator.push(emulator.message_update(441, "/start"))
        await until(lambda: texts(emulator, 441))
        await fail_updates_of(db, 441)
        try:
            tap = emulator.push(
                emulator.callback_update(
                    441, emulator.bot_messages(441)[-1].message_id, "ob:lang:id"
                )
            )
            await until(lambda: len(texts(emulator, 441)) == 2)
        finally:
            await heal(db)
        other = emulator.push(emulator.message_update(442, "/start"))
        await until(lambda: texts(emulator, 442))
    assert texts(emulator, 441)[1].startswith(
        first_line("id", "Sorry, something went wrong on our side")
    )
    assert await inbox_rows(db) == {start: "done", tap: "failed", other: "done"}
    payloads = (await db.execute(select(InboxUpdate.payload, InboxUpdate.replies))).all()
    assert payloads == [(None, None)] * 3  # what they wrote is not kept once finished


async def test_erasure_removes_the_persons_inbox_rows(app, person, emulator, clock, db):
    services = services_of(app)
    mine = [emulator.message_update(451, "halo"), emulator.message_update(451, "tolong")]
    theirs = emulator.message_update(452, "halo")
    async with services.sessions() as session, session.begin():
        await rows.store(
            session,
            [(u["update_id"], u["message"]["chat"]["id"], u) for u in [*mine, theirs]],
            now=clock.now(),
        )
        await rows.finish(session, [u["update_id"] for u in mine], "done", now=clock.now())
    p = person(451)
    await onboard(p)
    await p.say("/hapusdata")
    await p.tap(label("id", "button", "Yes, erase everything"))
    assert await inbox_rows(db) == {theirs["update_id"]: "pending"}


async def test_finished_rows_are_pruned_after_the_retention(app, emulator, clock, db):
    services = services_of(app)
    retention = timedelta(hours=services.settings.inbox_retention_hours)
    updates = [emulator.message_update(461, f"pesan {n}") for n in range(4)]
    ids = [u["update_id"] for u in updates]
    async with services.sessions() as session, session.begin():
        await rows.store(session, [(u, 461, {}) for u in ids], now=clock.now())
        await rows.finish(session, ids[:2], "done", now=clock.now())
        await rows.finish(session, ids[2:3], "failed", now=clock.now() + timedelta(seconds=1))
    inbox = services.inbox
    clock.advance(retention)  # exactly the retention: nothing is old enough yet
    assert await inbox.prune() == 0
    clock.advance(timedelta(microseconds=500_000))
    assert await inbox.prune() == 0  # throttled: at most once per PRUNE_EVERY
    inbox._pruned_at -= PRUNE_EVERY
    assert await inbox.prune() == 2  # the two done rows; the failed one is 0.5 s younger
    assert await inbox_rows(db) == {ids[2]: "failed", ids[3]: "pending"}


async def test_poller_stops_promptly_while_waiting(app, emulator):
    inbox = services_of(app).inbox
    stop = asyncio.Event()
    await app.start()
    try:
        task = asyncio.create_task(Poller(app, inbox, timeout=30).run(stop))
        await until(lambda: any(c.method == "getUpdates" for c in emulator.calls))
        started = time.monotonic()
        stop.set()
        await asyncio.wait_for(task, 2)
        assert time.monotonic() - started < 1.0
    finally:
        await app.stop()


def test_person_of_groups_and_private_chats(emulator):
    from bot.inbox import person_of

    private = Update.de_json(emulator.message_update(471, "halo"), None)
    group = Update.de_json(
        emulator.message_update(471, "halo", chat_id=-100_5, chat_type="group"), None
    )
    assert (person_of(private), person_of(group), person_of(object())) == (471, -100_5, 0)
