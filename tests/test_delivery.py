"""The delivery engine: pacing, faults, crash recovery, stopping, exactly-once."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from bot.app import build_application
from bot.context import services_of
from bot.scheduler import run_due
from bot.services import announcements
from bot.services.announcements import Audience, Draft
from storage.models import Announcement, Delivery, User
from storage.repositories import deliveries
from storage.repositories import people as people_repo
from tests.announcing import body
from tests.conftest import POSTGRES_URL
from tests.people import make_users, row_of, telegram_person

OFFICER = 990


async def people(app, emulator, ids, **fields) -> None:
    """Registered, consenting villagers of Jogosimo, straight into the database."""
    services = services_of(app)
    now = services.clock.now()
    async with services.sessions() as session, session.begin():
        await make_users(
            session,
            list(ids),
            now,
            locale=fields.get("locale", "id"),
            consent=fields.get("consent", "given"),
            role="family",
            village_id="jogosimo",
        )
    for telegram_id in ids:
        emulator.open_chat(telegram_id)
    emulator.open_chat(OFFICER)


async def announce(app, text_id="Pengumuman", *, at=None, texts=None) -> int:
    services = services_of(app)
    now = services.clock.now()
    async with services.sessions() as session, session.begin():
        return await announce_in(session, texts or {"id": text_id}, at=at or now, now=now)


async def announce_in(session, texts: dict[str, str], *, at, now) -> int:
    """OFFICER's announcement to all of Jogosimo, due ``at``, in the caller's transaction."""
    draft = Draft(texts=texts, photo=None, audience=Audience(), scheduled_at=at)
    item = await announcements.create(
        session,
        officer_id=await people_repo.telegram(session, OFFICER, now=now),
        area_id="jogosimo",
        scope=frozenset({"jogosimo"}),
        draft=draft,
        now=now,
    )
    return item.id


async def announce_from_outside(database_url: str, text_id: str) -> int:
    """OFFICER's announcement to all of Jogosimo, due now, written into the database of
    a bot running in another process."""
    from datetime import UTC, datetime

    from storage.db import create_engine, create_sessionmaker

    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            now = datetime.now(UTC)
            return await announce_in(session, {"id": text_id}, at=now, now=now)
    finally:
        await engine.dispose()


async def statuses(app) -> Counter[str]:
    async with services_of(app).sessions() as session:
        return Counter((await session.scalars(select(Delivery.status))).all())


def messages_to(emulator, chat_id, text_value) -> int:
    return sum(1 for m in emulator.bot_messages(chat_id) if body(m.text) == text_value)


async def drain(app, clock, rounds=30) -> None:
    """Sweep, moving the clock past any backoff, until no row is left open."""
    for _round in range(rounds):
        await run_due(app)
        open_rows = await statuses(app)
        if not open_rows["pending"] and not open_rows["claimed"]:
            return
        clock.advance(timedelta(minutes=15))
    raise AssertionError(f"rows still open: {await statuses(app)}")


async def test_faults_end_in_a_final_state_and_nothing_twice(app, emulator, clock, db):
    ids = list(range(10_001, 10_061))
    await people(app, emulator, ids)
    blocked = {10_002, 10_013, 10_027}
    for chat in blocked:
        emulator.block(chat)
    emulator.inject("bad_request", chat_id=10_040, description="Bad Request: chat not found")
    emulator.inject("server_error", share=0.25, methods=["sendMessage"])
    emulator.inject("timeout", share=0.1, methods=["sendMessage"])
    emulator.inject("retry_after", count=2, retry_after=1, methods=["sendMessage"])
    await announce(app, "Halo semua")
    first_sweep_at = clock.now()
    started = time.monotonic()
    await drain(app, clock)
    assert time.monotonic() - started >= 1.0  # the RetryAfter pauses were honoured

    rows = (await db.execute(select(Delivery.chat_id, Delivery.status, Delivery.error))).all()
    by_chat = {chat: (status, error) for chat, status, error in rows}
    assert {chat for chat, (status, _e) in by_chat.items() if status == "blocked"} == blocked
    assert by_chat[10_040] == ("failed", "Chat not found")  # as PTB words it
    # Every row ends final; the injected server errors and time-outs (seeded) are all retried
    # into a delivery: only the three who blocked the bot and the gone chat are not sent.
    assert Counter(status for status, _e in by_chat.values()) == Counter(
        sent=56, blocked=3, failed=1
    )
    # /metrics counts the same outcomes (the officer's progress report is not a delivery).
    page = services_of(app).metrics.render().decode()
    for outcome, count in (("sent", 56), ("blocked", 3), ("failed", 1)):
        series = f'desmigratif_deliveries_total{{kind="announcement",outcome="{outcome}"}}'
        assert f"{series} {count:.1f}" in page.splitlines(), (outcome, page)
    for chat in ids:
        count = messages_to(emulator, chat, "Halo semua")
        assert count == (1 if by_chat[chat][0] == "sent" else 0), chat
    # Blocked users are marked unreachable and were asked exactly once.
    for chat in blocked:
        assert (await row_of(db, User, chat)).unreachable_at == first_sweep_at  # on the first try
        tries = [
            c for c in emulator.calls if c.method == "sendMessage" and c.params["chat_id"] == chat
        ]
        assert len(tries) == 1


async def test_server_errors_fail_after_the_bounded_retries(app, emulator, clock, db):
    await people(app, emulator, [10_101])
    emulator.inject("server_error", chat_id=10_101, methods=["sendMessage"])
    await announce(app)
    await drain(app, clock)
    status, error, attempts = (
        await db.execute(select(Delivery.status, Delivery.error, Delivery.attempts))
    ).one()
    assert status == "failed"
    assert error == "Bad Gateway (after 5 tries)"
    assert attempts == 4  # the fifth failure is final, not rescheduled
    tries = [
        c for c in emulator.calls if c.method == "sendMessage" and c.params["chat_id"] == 10_101
    ]
    assert len(tries) == 5


async def test_retry_backoff_follows_the_clock(app, emulator, clock, db):
    await people(app, emulator, [10_111])
    emulator.inject("timeout", chat_id=10_111, count=1, methods=["sendMessage"])
    await announce(app, "Coba lagi")
    await run_due(app)
    assert messages_to(emulator, 10_111, "Coba lagi") == 0
    await run_due(app)  # not due yet: the backoff is 2 seconds of the injected clock
    assert messages_to(emulator, 10_111, "Coba lagi") == 0
    clock.advance(timedelta(seconds=2))
    await run_due(app)
    assert messages_to(emulator, 10_111, "Coba lagi") == 1


async def slow_app(settings, emulator, clock, rate: float):
    """The same bot with a lower cap (a new application, as a new process would be)."""
    slow = build_application(
        settings.model_copy(update={"broadcast_rate": rate, "broadcast_paid": False}),
        request=emulator,
        clock=clock,
        register_bot_commands=False,
    )
    await slow.initialize()
    return slow


async def test_global_cap_and_one_second_per_chat(app, settings, emulator, clock):
    await people(app, emulator, list(range(10_201, 10_231)))
    await announce(app, "Satu")
    await announce(app, "Dua")  # a second message to the same 30 people
    slow = await slow_app(settings, emulator, clock, rate=20)
    started = time.monotonic()
    await run_due(slow)
    elapsed = time.monotonic() - started
    await slow.shutdown()
    sends = sorted(
        c.at
        for c in emulator.calls
        if c.method == "sendMessage" and c.outcome == "ok" and c.params["chat_id"] != OFFICER
    )
    assert len(sends) == 60
    assert elapsed >= 60 / 20 * 0.9  # at most 20 a second overall
    # No second in which more than the cap (plus the limiter's burst of 2) went out.
    for index in range(len(sends) - 22):
        assert sends[index + 22] - sends[index] >= 0.9
    # Two messages to one chat are at least a second apart.
    per_chat: dict[int, list[float]] = {}
    for call in emulator.calls:
        if call.method == "sendMessage" and call.outcome == "ok":
            per_chat.setdefault(call.params["chat_id"], []).append(call.at)
    for chat in range(10_201, 10_231):
        first, second = per_chat[chat]
        assert second - first >= 0.99


async def test_crashed_claim_comes_back_after_the_lease(app, emulator, clock, db):
    await people(app, emulator, [10_301, 10_302])
    await announce(app, "Setelah crash")
    services = services_of(app)
    now = clock.now()
    async with services.sessions() as session, session.begin():  # a process claims, then dies
        claimed = await deliveries.claim_due(
            session, now=now, lease_until=now + timedelta(seconds=60), worker="dead", limit=10
        )
    assert len(claimed) == 2
    await run_due(app)
    assert messages_to(emulator, 10_301, "Setelah crash") == 0  # still leased
    clock.advance(timedelta(seconds=61))
    await run_due(app)
    assert messages_to(emulator, 10_301, "Setelah crash") == 1
    assert messages_to(emulator, 10_302, "Setelah crash") == 1
    assert (await statuses(app)) == Counter({"sent": 2})


async def test_restart_in_the_middle_of_an_announcement(app, settings, emulator, clock, db):
    """Kill the sweeping process mid-run; a new one finishes, and nobody gets it twice but
    a person whose message Telegram had accepted when the kill cut off its "sent" mark.

    The kill usually lands at a pacing wait, like a crash between two messages; on
    PostgreSQL it can also land while the mark is on its way to the database. That message
    goes out again: the one duplicate the Bot API leaves possible (README, "Exactly once").
    """
    ids = list(range(10_401, 10_441))
    await people(app, emulator, ids)
    await announce(app, "Lanjut")
    first = await slow_app(settings, emulator, clock, rate=20)
    task = asyncio.create_task(run_due(first))
    await asyncio.sleep(0.6)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    sent_before = sum(messages_to(emulator, chat, "Lanjut") for chat in ids)
    assert 0 < sent_before < len(ids)
    db.expire_all()
    marked = set(
        (await db.scalars(select(Delivery.chat_id).where(Delivery.status == "sent"))).all()
    )
    accepted = {chat for chat in ids if messages_to(emulator, chat, "Lanjut") == 1}
    cut_off = accepted - marked  # in flight at the kill: accepted, not yet marked
    assert marked <= accepted
    assert len(cut_off) <= 2  # the sends in flight at one instant, at 20 a second
    # The new process waits for the dead one's lease, then sends only what was not marked.
    clock.advance(timedelta(seconds=61))
    await drain(app, clock)
    expected = [2 if chat in cut_off else 1 for chat in ids]
    assert [messages_to(emulator, chat, "Lanjut") for chat in ids] == expected
    assert (await statuses(app))["sent"] == len(ids)
    await first.shutdown()  # the "crashed" process's resources, released after the fact


async def test_stop_a_running_announcement(app, settings, emulator, clock, db):
    ids = list(range(10_501, 10_541))
    await people(app, emulator, ids)
    announcement_id = await announce(app, "Berhenti")
    slow = await slow_app(settings, emulator, clock, rate=20)
    task = asyncio.create_task(run_due(slow))
    await asyncio.sleep(0.5)
    services = services_of(slow)
    async with services.sessions() as session, session.begin():
        item = await session.get(Announcement, announcement_id)
        assert await announcements.halt(session, item, clock.now()) == "stopped"
    from bot.delivery.engine import engine_of

    engine_of(slow).stopped(announcement_id)
    stopped_at = time.monotonic()
    await task
    late = [
        c
        for c in emulator.calls
        if c.method == "sendMessage" and c.at > stopped_at and c.params.get("text") == "Berhenti"
    ]
    assert late == []
    counts = await statuses(app)
    sent = sum(messages_to(emulator, chat, "Berhenti") for chat in ids)
    assert counts["sent"] == sent
    assert 0 < sent < len(ids)
    assert counts["cancelled"] == len(ids) - sent
    await slow.shutdown()


async def test_who_is_never_addressed(app, person, emulator, clock, db):
    await people(app, emulator, [10_601])
    await people(app, emulator, [10_602], consent="declined")
    await people(app, emulator, [10_603])
    await people(app, emulator, [10_604])
    services = services_of(app)
    async with services.sessions() as session, session.begin():
        (await row_of(session, User, 10_603)).announcements_off = True
        (await row_of(session, User, 10_604)).unreachable_at = clock.now()
    await announce(app, "Untuk yang setuju")
    await drain(app, clock)
    assert [
        messages_to(emulator, c, "Untuk yang setuju") for c in (10_601, 10_602, 10_603, 10_604)
    ] == [1, 0, 0, 0]


async def test_opting_out_after_it_was_planned(app, emulator, clock, db):
    await people(app, emulator, [10_701, 10_702])
    await announce(app, "Nanti", at=clock.now() + timedelta(hours=1))
    services = services_of(app)
    async with services.sessions() as session, session.begin():
        (await row_of(session, User, 10_702)).announcements_off = True
        from bot.services import erasure

        await erasure.erase(
            session,
            await services.routing(session),
            await telegram_person(session, 10_701),
            now=clock.now(),
        )
    clock.advance(timedelta(hours=1))
    await drain(app, clock)
    assert messages_to(emulator, 10_701, "Nanti") == 0
    assert messages_to(emulator, 10_702, "Nanti") == 0
    rows = (await db.execute(select(Delivery.chat_id, Delivery.status, Delivery.error))).all()
    assert sorted(rows, key=str) == sorted(
        [(None, "skipped", "erased"), (10_702, "skipped", "opted out")], key=str
    )


async def test_language_at_send_time(app, emulator, clock, db):
    await people(app, emulator, [10_801], locale="id")
    await announce(
        app, texts={"id": "Halo", "jv": "Sugeng"}, at=clock.now() + timedelta(minutes=5)
    )
    services = services_of(app)
    async with services.sessions() as session, session.begin():
        (await row_of(session, User, 10_801)).locale = "jv"
    clock.advance(timedelta(minutes=5))
    await drain(app, clock)
    assert body(emulator.bot_messages(10_801)[-1].text) == "Sugeng"


async def test_officer_sees_progress_and_report(app, emulator, clock, db):
    """Known faults, exact numbers: 10 recipients; 2 blocked the bot, 1 chat is gone
    (failed at once), 1 keeps answering 502 (failed after 5 tries), 1 times out once
    (sent on the retry): 6 delivered, 2 blocked, 2 failed."""
    await people(app, emulator, list(range(11_301, 11_311)))
    services = services_of(app)
    now = clock.now()
    async with services.sessions() as session, session.begin():
        await make_users(session, [OFFICER], now, locale="id", consent="given")
    emulator.block(11_302)
    emulator.block(11_305)
    emulator.inject("bad_request", chat_id=11_307, description="Bad Request: chat not found")
    emulator.inject("server_error", chat_id=11_309, methods=["sendMessage"])
    emulator.inject("timeout", chat_id=11_310, count=1, methods=["sendMessage"])
    announcement_id = await announce(app, "Laporan")
    await drain(app, clock)

    shown = [
        call.params["text"]
        for call in emulator.calls
        if call.params.get("chat_id") == OFFICER
        and call.method in ("sendMessage", "editMessageText")
    ]
    head = f"📢 Pengumuman #{announcement_id} sedang dikirim…\n"
    progress = [shown[0]] + [
        text for before, text in itertools.pairwise(shown[:-1]) if text != before
    ]
    assert progress == [
        head + "0 dari 10 terkirim · 0 memblokir bot · 0 gagal",
        head + "5 dari 10 terkirim · 2 memblokir bot · 1 gagal",  # 11_309, 11_310 wait
        head + "6 dari 10 terkirim · 2 memblokir bot · 1 gagal",  # 11_310 on its retry
        head + "6 dari 10 terkirim · 2 memblokir bot · 2 gagal",  # 11_309 gives up
        "6 dari 10 terkirim · 2 memblokir bot · 2 gagal",  # the final line
    ]
    assert shown[-1] == (
        f"<b>Pengumuman #{announcement_id}: selesai</b>\n"
        "Terkirim: 6 dari 10\n"
        "Memblokir bot: 2\n"
        "Gagal setelah dicoba ulang: 2\n"
        "Penyebab kegagalan:\n"
        "• Bad Gateway (after 5 tries): 1\n"
        "• Chat not found: 1"
    )
    progress_message, report = emulator.bot_messages(OFFICER)
    assert progress_message.text == "6 dari 10 terkirim · 2 memblokir bot · 2 gagal"
    assert report.text.startswith(f"Pengumuman #{announcement_id}: selesai\n")
    item = await db.get(Announcement, announcement_id)
    assert item.status == "done"
    assert await statuses(app) == Counter(sent=6, blocked=2, failed=2)


@pytest.mark.skipif(not POSTGRES_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
async def test_two_processes_share_one_announcement(app, settings, emulator, clock, db):
    ids = list(range(11_001, 11_201))
    await people(app, emulator, ids)
    await announce(app, "Bersama")
    second = build_application(
        settings, request=emulator, clock=clock, register_bot_commands=False
    )
    await second.initialize()
    await asyncio.gather(run_due(app), run_due(second))
    await second.shutdown()
    assert [messages_to(emulator, chat, "Bersama") for chat in ids] == [1] * len(ids)
    assert (await statuses(app))["sent"] == len(ids)


@pytest.mark.skipif(not POSTGRES_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
async def test_claim_uses_the_partial_index(db):
    """The sweep's cost depends on the due rows, not on the table (see bench/sweep.py)."""
    await db.execute(text("SET enable_seqscan = off"))
    plan = "\n".join(
        row[0]
        for row in (
            await db.execute(
                text(
                    "EXPLAIN SELECT id FROM deliveries WHERE status IN ('pending', 'claimed') "
                    "AND due_at <= now() ORDER BY due_at LIMIT 50 FOR UPDATE SKIP LOCKED"
                )
            )
        ).all()
    )
    assert "ix_deliveries_due" in plan
