"""The delivery engine's rules, one at a time, with exact rows and exact timing: how long
it waits when Telegram says "retry after", when a failed send comes back, what each kind
of refusal leaves in the outbox, in which order one chat's messages go out, and how fast a
stop takes effect. (tests/test_delivery.py runs them all together under faults.)"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import socket
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.app import build_application
from bot.context import services_of
from bot.delivery.engine import engine_of
from bot.scheduler import run_due
from bot.services import announcements, erasure
from storage.models import Announcement, Checklist, Delivery, HelpRequest, User
from storage.repositories import deliveries
from tests.announcing import body, officer, villager
from tests.helping import ask_for_help
from tests.people import person, row_of, telegram_person
from tests.test_delivery import OFFICER, announce, messages_to, people, slow_app, statuses
from tests.transcript import label

CHAT, OTHER = 12_001, 12_002


def sends(emulator, method: str = "sendMessage", chat_id: int | None = None) -> list:
    """The calls of ``method`` to recipients (not the officer's progress messages)."""
    return [
        call
        for call in emulator.calls
        if call.method == method
        and call.params.get("chat_id") != OFFICER
        and (chat_id is None or call.params.get("chat_id") == chat_id)
    ]


async def row(db, chat_id: int = CHAT) -> tuple:
    db.expire_all()
    return (
        await db.execute(
            select(
                Delivery.status,
                Delivery.attempts,
                Delivery.error,
                Delivery.due_at,
                Delivery.claimed_by,
            ).where(Delivery.chat_id == chat_id)
        )
    ).one()


async def app_with(settings, emulator, clock, **changes):
    """The same bot with other settings (a new application, as a new process would be)."""
    other = build_application(
        settings.model_copy(update=changes),
        request=emulator,
        clock=clock,
        register_bot_commands=False,
    )
    await other.initialize()
    return other


# --- RetryAfter --------------------------------------------------------------------------


async def test_retry_after_waits_as_long_as_telegram_asks(app, emulator, clock, db):
    """Sent again too early, Telegram refuses again (and may ban the bot for longer); sent
    much later, a whole announcement drags."""
    await people(app, emulator, [CHAT])
    emulator.inject("retry_after", chat_id=CHAT, count=1, retry_after=1, methods=["sendMessage"])
    await announce(app, "Sabar")
    await run_due(app)
    refused, accepted = sends(emulator)
    assert (refused.outcome, accepted.outcome) == ("Too Many Requests: retry after 1", "ok")
    assert 1.1 <= accepted.at - refused.at < 1.6  # the second asked for, and a tenth more
    assert await row(db) == ("sent", 0, None, clock.now() + timedelta(seconds=60), None)
    assert messages_to(emulator, CHAT, "Sabar") == 1


async def test_retry_after_holds_back_every_chat(app, emulator, clock, db):
    """Telegram's flood wait is for the whole bot: another chat's next message waits for
    it too (here two seconds, more than that chat's own one second)."""
    await people(app, emulator, [CHAT, OTHER])
    emulator.inject("retry_after", chat_id=CHAT, count=1, retry_after=2, methods=["sendMessage"])
    await announce(app, "Satu")
    await announce(app, "Dua")
    await run_due(app)
    refused = sends(emulator, chat_id=CHAT)[0]
    assert refused.outcome == "Too Many Requests: retry after 2"
    [_first, second] = sends(emulator, chat_id=OTHER)
    assert second.at - refused.at >= 2.1
    assert await statuses(app) == {"sent": 4}


async def test_telegram_that_keeps_asking_to_wait_puts_the_row_back(app, emulator, clock, db):
    """Five "retry after" answers in a row: the sweep stops waiting for this row (others
    go on), and the row comes back two seconds later like any other failed try."""
    await people(app, emulator, [CHAT])
    emulator.inject("retry_after", chat_id=CHAT, count=5, retry_after=1, methods=["sendMessage"])
    await announce(app, "Sabar")
    await run_due(app)
    assert len(sends(emulator)) == 5
    assert await row(db) == (
        "pending",
        1,
        "Telegram kept asking to wait (RetryAfter)",
        clock.now() + timedelta(seconds=2),
        None,
    )
    clock.advance(timedelta(seconds=2))
    await run_due(app)
    assert messages_to(emulator, CHAT, "Sabar") == 1
    assert (await row(db))[:3] == ("sent", 1, None)


# --- other refusals ----------------------------------------------------------------------


async def test_a_person_who_blocked_the_bot_is_asked_once(app, emulator, clock, db):
    await people(app, emulator, [CHAT])
    emulator.block(CHAT)
    await announce(app, "Halo")
    await run_due(app)
    clock.advance(timedelta(minutes=15))
    await run_due(app)
    assert len(sends(emulator)) == 1
    assert (await row(db))[:3] == ("blocked", 0, "Forbidden: bot was blocked by the user")
    assert (await row_of(db, User, CHAT)).unreachable_at == clock.now() - timedelta(minutes=15)


async def test_a_time_out_comes_back_with_its_reason(app, emulator, clock, db):
    await people(app, emulator, [CHAT])
    emulator.inject("timeout", chat_id=CHAT, count=1, methods=["sendMessage"])
    await announce(app, "Halo")
    await run_due(app)
    assert await row(db) == (
        "pending",
        1,
        "Timed out (emulated)",
        clock.now() + timedelta(seconds=2),
        None,
    )


@pytest.mark.parametrize(
    ("tries_before", "wait"),
    [
        (0, 2),
        (1, 4),
        (3, 16),
        (8, 512),
        (9, 600),  # 1,024 seconds, capped at ten minutes
        (13, 600),
    ],
)
async def test_backoff_doubles_up_to_ten_minutes(
    app, settings, emulator, clock, db, tries_before, wait
):
    """After a 502, the row is due again 2, 4, 8 … seconds later, never more than ten
    minutes (a bot with many allowed tries)."""
    await people(app, emulator, [CHAT])
    await announce(app, "Halo")
    await db.execute(update(Delivery).values(attempts=tries_before))
    await db.commit()
    emulator.inject("server_error", chat_id=CHAT, count=1, methods=["sendMessage"])
    patient = await app_with(settings, emulator, clock, delivery_max_attempts=20)
    await run_due(patient)
    await patient.shutdown()
    assert await row(db) == (
        "pending",
        tries_before + 1,
        "Bad Gateway",
        clock.now() + timedelta(seconds=wait),
        None,
    )


@pytest.mark.parametrize(
    ("tries_before", "outcome"),
    [
        (3, ("pending", 4, "Bad Gateway")),
        (4, ("failed", 4, "Bad Gateway (after 5 tries)")),
    ],
)
async def test_the_fifth_failed_try_is_the_last(app, emulator, clock, db, tries_before, outcome):
    await people(app, emulator, [CHAT])
    await announce(app, "Halo")
    await db.execute(update(Delivery).values(attempts=tries_before))
    await db.commit()
    emulator.inject("server_error", chat_id=CHAT, count=1, methods=["sendMessage"])
    await run_due(app)
    assert (await row(db))[:3] == outcome


# --- what a row is, and what it becomes --------------------------------------------------


async def test_a_sent_row_keeps_telegrams_message_id(app, emulator, clock, db):
    """The message id is what a later erasure uses to delete the message."""
    await people(app, emulator, [CHAT, OTHER])
    await announce(app, "Halo")
    assert await run_due(app) == 2
    rows = (
        await db.execute(select(Delivery.chat_id, Delivery.message_id, Delivery.sent_at))
    ).all()
    shown = {chat: emulator.bot_messages(chat)[-1].message_id for chat in (CHAT, OTHER)}
    assert sorted(rows) == sorted((chat, shown[chat], clock.now()) for chat in (CHAT, OTHER))
    assert len(set(shown.values())) == 2


async def test_a_photo_announcement_goes_out_as_a_photo(app, emulator, clock, db):
    await people(app, emulator, [CHAT])
    services = services_of(app)
    now = clock.now()
    async with services.sessions() as session, session.begin():
        await announcements.create(
            session,
            officer_id=await telegram_person(session, OFFICER),
            area_id="jogosimo",
            scope=frozenset({"jogosimo"}),
            draft=announcements.Draft(
                texts={"id": "Jadwal"},
                photo="PHOTO-1",
                audience=announcements.Audience(),
                scheduled_at=now,
            ),
            now=now,
        )
    await run_due(app)
    [photo] = sends(emulator, "sendPhoto")
    assert photo.params["photo"] == "PHOTO-1"
    assert body(photo.params["caption"]) == "Jadwal"
    assert photo.params["allow_paid_broadcast"] is True  # BROADCAST_PAID in the tests
    assert sends(emulator) == []
    [message] = emulator.bot_messages(CHAT)
    assert (await db.execute(select(Delivery.message_id))).scalar_one() == message.message_id


async def test_unpaid_broadcasts_do_not_ask_for_paid_sending(app, settings, emulator, clock):
    await people(app, emulator, [CHAT])
    await announce(app, "Halo")
    unpaid = await app_with(settings, emulator, clock, broadcast_rate=25.0, broadcast_paid=False)
    await run_due(unpaid)
    await unpaid.shutdown()
    [sent] = sends(emulator)
    assert "allow_paid_broadcast" not in sent.params
    assert sent.params.get("reply_markup") is None


async def test_a_row_of_an_unknown_kind_is_skipped(app, emulator, clock, db):
    """A row written by a newer version of the bot: recorded, not sent, not retried."""
    emulator.open_chat(CHAT)
    async with services_of(app).sessions() as session, session.begin():
        await deliveries.enqueue_many(
            session, [{"kind": "mystery", "chat_id": CHAT, "due_at": clock.now()}]
        )
    assert await run_due(app) == 1
    assert (await row(db))[:3] == ("skipped", 0, "unknown kind mystery")
    assert [call for call in emulator.calls if call.params.get("chat_id") == CHAT] == []


async def test_unsending_deletes_the_message_and_records_no_new_one(app, emulator, clock, db):
    """An erasure's "unsend" row deletes an officer's old notice; it sends nothing."""
    emulator.open_chat(CHAT)
    old = await app.bot.send_message(CHAT, "Kasus DM-2026-000001")
    async with services_of(app).sessions() as session, session.begin():
        await deliveries.enqueue_many(
            session,
            [
                {
                    "kind": erasure.UNSEND,
                    "chat_id": CHAT,
                    "due_at": clock.now(),
                    "payload": {"message_id": old.message_id, "sent_at": clock.now().isoformat()},
                }
            ],
        )
    await run_due(app)
    assert [(m.message_id, m.deleted) for m in emulator.chats[CHAT]] == [(old.message_id, True)]
    status, message_id = (await db.execute(select(Delivery.status, Delivery.message_id))).one()
    assert (status, message_id) == ("sent", None)


@pytest.mark.parametrize(("rate", "batch"), [(5.0, 10), (15.0, 30)])
async def test_a_claim_holds_one_batch_for_the_lease(
    app, settings, emulator, clock, db, rate, batch
):
    """A process that dies mid-sweep holds back only its batch (two seconds' worth at its
    rate, at least 10 rows), each for the lease (60 seconds), marked with who took it."""
    ids = list(range(12_101, 12_101 + batch + 2))  # two more than a batch
    await people(app, emulator, ids)
    await announce(app, "Pelan")
    slow = await app_with(settings, emulator, clock, broadcast_rate=rate, broadcast_paid=False)
    task = asyncio.create_task(run_due(slow))
    for _wait in range(200):  # the process "dies" once its first delivery is recorded
        await asyncio.sleep(0.05)
        if (await statuses(app))["sent"]:
            break
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await slow.shutdown()
    rows = (
        await db.execute(
            select(Delivery.status, Delivery.due_at, Delivery.claimed_by).where(
                Delivery.status != "sent"
            )
        )
    ).all()
    sent = (await statuses(app))["sent"]
    assert 0 < sent < batch
    claimed = [(due, by) for status, due, by in rows if status == "claimed"]
    assert len(claimed) == batch - sent
    assert {due for due, _by in claimed} == {clock.now() + timedelta(seconds=60)}
    [worker] = {by for _due, by in claimed}
    prefix = f"{socket.gethostname()}:{os.getpid()}:"
    assert worker.startswith(prefix)
    assert re.fullmatch(r"[0-9a-f]{8}", worker.removeprefix(prefix))
    assert sorted(status for status, _due, _by in rows if status != "claimed") == [
        "pending",
        "pending",
    ]


# --- channels ----------------------------------------------------------------------------


async def test_a_sweep_claims_only_the_rows_of_its_channel(app, emulator, db, sweep):
    """A row naming another channel (WhatsApp, issue 17) is left as it was for a process
    that can send it: not claimed, not tried, not skipped."""
    await people(app, emulator, [CHAT, OTHER])
    await announce(app, "Dua saluran")
    await db.execute(update(Delivery).where(Delivery.chat_id == OTHER).values(channel="whatsapp"))
    await db.commit()
    await sweep()
    db.expire_all()
    rows = await db.execute(
        select(Delivery.chat_id, Delivery.channel, Delivery.status, Delivery.attempts)
        .where(Delivery.kind == "announcement")
        .order_by(Delivery.chat_id)
    )
    assert rows.all() == [(CHAT, "telegram", "sent", 0), (OTHER, "whatsapp", "pending", 0)]
    assert [body(m.text) for m in emulator.bot_messages(CHAT)] == ["Dua saluran"]
    assert emulator.bot_messages(OTHER) == []


# --- pacing ------------------------------------------------------------------------------


async def test_one_chats_messages_go_in_order_a_second_apart(app, emulator, clock, db):
    """Two announcements for one person: in the order they were queued, one second apart
    (Telegram's limit per chat), not more; another person's go out meanwhile."""
    await people(app, emulator, [CHAT, OTHER])
    await announce(app, "Satu")
    await announce(app, "Dua")
    await run_due(app)
    mine, theirs = sends(emulator, chat_id=CHAT), sends(emulator, chat_id=OTHER)
    assert [body(m.text) for m in emulator.bot_messages(CHAT)] == ["Satu", "Dua"]
    assert [body(m.text) for m in emulator.bot_messages(OTHER)] == ["Satu", "Dua"]
    assert 0.95 <= mine[1].at - mine[0].at < 1.5
    # The two chats side by side, not one after the other: each chat's first message
    # goes out before the other's second (a machine under load cannot change that).
    assert theirs[0].at < mine[1].at
    assert mine[0].at < theirs[1].at


async def test_a_low_rate_spaces_every_message(app, settings, emulator, clock, db):
    """At 5 messages a second: one every 0.2 seconds, whoever they go to. The k-th
    message cannot leave before k fifths of a second have passed since the sweep began
    (measured from the start: a first message that left late may be followed closely by
    the second, which still keeps its own slot). From the first message to the last: five
    slots, not ten (measured between sends, so the claim's database time, which a loaded
    machine stretches, does not count)."""
    ids = list(range(12_201, 12_207))
    await people(app, emulator, ids)
    await announce(app, "Pelan")
    slow = await app_with(settings, emulator, clock, broadcast_rate=5.0, broadcast_paid=False)
    started = time.monotonic()
    await run_due(slow)
    await slow.shutdown()
    times = [call.at - started for call in sends(emulator)]
    assert len(times) == 6
    assert [at >= 0.2 * k - 0.01 for k, at in enumerate(times)] == [True] * 6, times
    assert times[-1] - times[0] < 1.5


async def test_twenty_a_second_is_twenty_a_second(app, settings, emulator, clock, db):
    """The cap is a rate, not a trickle: 20 people at 20 a second take about a second."""
    ids = list(range(12_301, 12_321))
    await people(app, emulator, ids)
    await announce(app, "Cepat")
    capped = await app_with(settings, emulator, clock, broadcast_rate=20.0, broadcast_paid=False)
    await run_due(capped)
    await capped.shutdown()
    times = [call.at for call in sends(emulator)]
    assert len(times) == 20
    assert times[-1] - times[0] < 1.5


# --- stopping ----------------------------------------------------------------------------


async def test_a_stop_in_this_process_takes_effect_at_once(app, emulator, clock, db):
    """The officer's stop reached this process before its database row changed: nothing
    goes out, every row is cancelled."""
    await people(app, emulator, [CHAT, OTHER])
    announcement_id = await announce(app, "Batal")
    engine_of(app).stopped(announcement_id)
    await run_due(app)
    assert sends(emulator) == []
    assert await statuses(app) == {"cancelled": 2}
    errors = (await db.scalars(select(Delivery.error))).all()
    assert errors == ["stopped", "stopped"]


async def test_a_stop_by_another_process_is_seen_within_a_fifth_of_a_second(
    app, settings, emulator, clock, db
):
    """The officer pressed stop in another process: this one re-reads the stops every
    0.2 seconds, so at 20 messages a second at most a few more go out."""
    ids = list(range(12_401, 12_441))
    await people(app, emulator, ids)
    announcement_id = await announce(app, "Berhenti")
    slow = await slow_app(settings, emulator, clock, rate=20)
    task = asyncio.create_task(run_due(slow))
    await asyncio.sleep(0.5)
    async with services_of(app).sessions() as session, session.begin():
        item = await session.get(Announcement, announcement_id)
        assert await announcements.halt(session, item, clock.now()) == "stopped"
    stopped_at = time.monotonic()
    await task
    await slow.shutdown()
    late = [call for call in sends(emulator) if call.at > stopped_at + 0.45]
    assert late == []
    sent = sum(messages_to(emulator, chat, "Berhenti") for chat in ids)
    assert 0 < sent < 30
    assert await statuses(app) == {"sent": sent, "cancelled": len(ids) - sent}


async def test_a_cancel_that_races_the_start_is_seen_as_a_stop(app, settings, emulator, clock, db):
    """The officer cancelled a scheduled announcement in another process at the moment
    this one started it (the cancel still found it scheduled, so it wrote "cancelled"):
    the re-read of the stops takes "cancelled" as a stop as well."""
    ids = list(range(12_401, 12_441))
    await people(app, emulator, ids)
    announcement_id = await announce(app, "Batal")
    slow = await slow_app(settings, emulator, clock, rate=20)
    task = asyncio.create_task(run_due(slow))
    await asyncio.sleep(0.5)
    async with services_of(app).sessions() as session, session.begin():
        await session.execute(
            update(Announcement)
            .where(Announcement.id == announcement_id)
            .values(status="cancelled")
        )
    cancelled_at = time.monotonic()
    await task
    await slow.shutdown()
    assert [call for call in sends(emulator) if call.at > cancelled_at + 0.45] == []
    sent = sum(messages_to(emulator, chat, "Batal") for chat in ids)
    assert 0 < sent < 30


# --- case notices: files in order, follow-ups ------------------------------------------

REQUESTER, BU = 12_501, 12_580


async def test_a_notice_and_its_files_reach_the_officer_in_order(app, person, emulator, db):
    """The new-case notice (with its buttons), then each file as what it is: a photo, a
    voice note, a document, each captioned with the case reference."""
    await officer(app, person, BU, "jogosimo", locale="en")
    requester = await villager(person, REQUESTER)
    await ask_for_help(requester, files=("photo", "voice", "document"))
    engine_of(app).pacer.forget_chats()
    await run_due(app)
    calls = [
        call
        for call in emulator.calls
        if call.method.startswith("send") and call.params.get("chat_id") == BU
    ][-4:]
    assert [call.method for call in calls] == [
        "sendMessage",
        "sendPhoto",
        "sendVoice",
        "sendDocument",
    ]
    assert "reply_markup" in calls[0].params
    assert [
        call.params.get("photo") or call.params.get("voice") or call.params.get("document")
        for call in calls[1:]
    ] == ["p1", "v1", "d1"]
    assert [call.params["caption"] for call in calls[1:]] == [
        "DM-2026-000001: photo 1 of 1",
        "DM-2026-000001: voice note 1 of 1",
        "DM-2026-000001: document 1 of 1",
    ]
    # BROADCAST_PAID (on in the tests) covers every send of the engine.
    assert [call.params.get("allow_paid_broadcast") for call in calls] == [True] * 4
    assert [m.media for m in emulator.bot_messages(BU)[-3:]] == ["photo", "voice", "document"]
    statuses_of_notices = (
        await db.scalars(select(Delivery.status).where(Delivery.kind == "case_notice"))
    ).all()
    assert set(statuses_of_notices) == {"sent"}


async def test_a_requester_who_blocked_the_bot_is_marked_on_the_case(
    app, person, emulator, clock, db
):
    """A notice the requester can no longer get: the case is marked, the officer told."""
    bu = await officer(app, person, BU, "jogosimo", locale="en")
    requester = await villager(person, REQUESTER)
    await ask_for_help(requester)
    engine_of(app).pacer.forget_chats()
    await run_due(app)
    emulator.block(REQUESTER)
    await bu.tap(label("en", "button", "🙋 Claim"))
    engine_of(app).pacer.forget_chats()
    await run_due(app)  # the "an officer took your case" notice: blocked
    case = (await db.scalars(select(HelpRequest))).one()
    assert case.requester_unreachable is True
    assert (await row_of(db, User, REQUESTER)).unreachable_at == clock.now()
    engine_of(app).pacer.forget_chats()
    await run_due(app)
    assert "The requester blocked the bot." in emulator.bot_messages(BU)[-1].text


async def test_a_failing_follow_up_is_logged_and_the_batch_goes_on(
    app, emulator, clock, db, caplog
):
    """A follow-up step that breaks (here one registered for announcements) leaves the
    delivery recorded as sent, and every other recipient still gets the message."""
    await people(app, emulator, [CHAT, OTHER])

    async def broken(services, item) -> None:
        raise RuntimeError("follow-up broke")

    engine = engine_of(app)
    kind = engine.kinds["announcement"]
    engine.kinds = {**engine.kinds, "announcement": dataclasses.replace(kind, after_sent=broken)}
    await announce(app, "Halo")
    with caplog.at_level("ERROR", logger="desmigratif.delivery"):
        await run_due(app)
    assert await statuses(app) == {"sent": 2}
    ids = sorted((await db.scalars(select(Delivery.id))).all())
    assert sorted(
        record.getMessage().splitlines()[0]
        for record in caplog.records
        if record.name == "desmigratif.delivery"
    ) == [f"follow-up step failed: RuntimeError (delivery {i})" for i in ids]


# --- put off, stopped, in whose language -----------------------------------------------


async def test_a_reminder_in_quiet_hours_waits_for_their_end(app, emulator, clock, db):
    """09:00 in Jakarta, inside this person's quiet hours (08:00-10:30): the reminder is
    put back to 10:30, with no try counted and no error, and nothing is sent now."""
    await people(app, emulator, [CHAT])
    now = clock.now()
    async with services_of(app).sessions() as session, session.begin():
        user = await row_of(session, User, CHAT)
        user.quiet_start, user.quiet_end = 8 * 60, 10 * 60 + 30
        session.add(Checklist(person_id=user.person_id, created_at=now, updated_at=now))
        await deliveries.enqueue_many(
            session,
            [
                {
                    "kind": "reminder",
                    "person_id": user.person_id,
                    "due_at": now,
                    "attempts": 2,
                    "error": "x",
                }
            ],
        )
    assert await run_due(app) == 1
    assert await row(db) == ("pending", 2, None, now + timedelta(hours=1, minutes=30), None)
    assert [call for call in emulator.calls if call.params.get("chat_id") == CHAT] == []


async def test_stopping_one_announcement_leaves_the_other_going(app, emulator, clock, db):
    """Two announcements to the same people; the second is stopped in this process. The
    first still reaches everyone, the second no one, even after the engine re-reads the
    stops from the database (where the second is not stopped yet)."""
    await people(app, emulator, [CHAT, OTHER])
    first = await announce(app, "Pertama")
    second = await announce(app, "Kedua")
    engine_of(app).stopped(second)
    await run_due(app)
    rows = (
        await db.execute(select(Delivery.announcement_id, Delivery.chat_id, Delivery.status))
    ).all()
    assert sorted(rows) == [
        (first, CHAT, "sent"),
        (first, OTHER, "sent"),
        (second, CHAT, "cancelled"),
        (second, OTHER, "cancelled"),
    ]
    assert [body(m.text) for m in emulator.bot_messages(CHAT)] == ["Pertama"]


async def test_without_a_version_in_their_language_a_person_reads_indonesian(
    app, emulator, clock, db
):
    await people(app, emulator, [CHAT], locale="en")
    await people(app, emulator, [OTHER], locale="jv")
    await announce(app, texts={"id": "Halo", "jv": "Sugeng"})
    await run_due(app)
    # The frame (who sends it, how to stop announcements) in the person's own language.
    assert [m.text for m in emulator.bot_messages(CHAT)] == [
        "📢 Officer of Desa Jogosimo\n\nHalo\n\nTo stop receiving announcements, send /berhenti."
    ]
    assert [m.text for m in emulator.bot_messages(OTHER)] == [
        "📢 Petugas Desa Jogosimo\n\nSugeng\n\n"
        "Menawi boten kersa nampi wara-wara malih, sumangga ngintun /berhenti."
    ]


async def test_a_row_whose_person_is_gone_is_skipped_and_the_rest_go_out(app, emulator, clock, db):
    """A queued row whose recipient was erased (its chat emptied) is skipped as "erased";
    the people after it in the same batch still get the announcement in that sweep."""
    await people(app, emulator, [CHAT, OTHER])
    await announce(app, "Halo")
    await db.execute(update(Delivery).where(Delivery.chat_id == CHAT).values(chat_id=None))
    await db.commit()
    assert await run_due(app) == 2
    rows = (await db.execute(select(Delivery.chat_id, Delivery.status, Delivery.error))).all()
    assert sorted(rows, key=str) == sorted(
        [(None, "skipped", "erased"), (OTHER, "sent", None)], key=str
    )
    assert messages_to(emulator, OTHER, "Halo") == 1
    assert emulator.bot_messages(CHAT) == []


async def test_someone_who_withdrew_consent_is_skipped_with_the_reason(app, emulator, clock, db):
    """Consent withdrawn after the announcement was planned: nothing is sent to them."""
    await people(app, emulator, [CHAT, OTHER])
    await announce(app, "Halo")
    await db.execute(
        update(User).where(User.person_id == await person(db, CHAT)).values(consent="declined")
    )
    await db.commit()
    await run_due(app)
    assert (await row(db))[:3] == ("skipped", 0, "no consent")
    assert (await row(db, OTHER))[:3] == ("sent", 0, None)
    assert emulator.bot_messages(CHAT) == []


async def test_a_group_waits_three_seconds_a_person_one():
    """Telegram allows about 20 messages a minute into a group and one a second into a
    private chat: the pacer keeps both (the emulator answers 429 otherwise)."""
    from bot.delivery.pacer import CHAT_GAP, GROUP_GAP, Pacer

    assert (CHAT_GAP, GROUP_GAP) == (1.0, 3.0)
    pacer = Pacer(1000)
    for chat, gap in ((-100_123, GROUP_GAP), (4242, CHAT_GAP)):
        await pacer.wait_turn(chat)
        started = time.monotonic()
        await pacer.wait_turn(chat)
        assert gap - 0.05 <= time.monotonic() - started < gap + 0.5, chat


async def test_a_pause_asked_while_a_sender_waits_for_the_rate_cap_still_holds():
    """One message a second overall: the second sender waits about a second for its
    turn. Telegram asks for a pause in the meantime (another sender's RetryAfter): once
    its turn comes, it still waits out the pause, not only the rate cap."""
    from bot.delivery.pacer import Pacer

    pacer = Pacer(1)
    started = time.monotonic()
    await pacer.wait_turn(1)  # the one message of this second
    second = asyncio.create_task(pacer.wait_turn(2))
    await asyncio.sleep(0.1)
    assert not second.done()  # waiting for the rate cap
    pacer.pause(1.5)  # until 1.6 s
    await second
    assert 1.55 <= time.monotonic() - started < 2.2


@pytest.mark.parametrize(("remembered", "kept"), [(49_999, 50_000), (50_000, 2)])
async def test_the_pacer_forgets_chats_only_past_fifty_thousand(remembered, kept):
    """The pacer remembers when each chat last got a message. Past 50,000 chats it
    forgets those served longer ago than a group's gap (they wait for nothing any more),
    and keeps the recent ones, which still must wait their turn."""
    from bot.delivery.pacer import CHAT_GAP, GROUP_GAP, Pacer

    pacer = Pacer(1000)
    long_ago = time.monotonic() - GROUP_GAP - 1
    pacer._last = dict.fromkeys(range(100000, 100000 + remembered - 1), long_ago)
    await pacer.wait_turn(7)  # served just now
    await pacer.wait_turn(999_999)  # the 50,000th or the 50,001st chat remembered
    assert len(pacer._last) == kept
    if kept == 2:
        assert set(pacer._last) == {7, 999_999}
        started = time.monotonic()
        await pacer.wait_turn(7)  # its second still holds after the forgetting
        assert time.monotonic() - started >= CHAT_GAP - 0.05


# --- the officer's progress and report ---------------------------------------------------


async def test_two_announcements_finishing_in_one_sweep_are_both_closed(app, emulator, db, sweep):
    await people(app, emulator, [CHAT, OTHER])
    first, second = await announce(app, "Pertama"), await announce(app, "Kedua")
    await sweep()
    db.expire_all()
    done = (await db.execute(select(Announcement.id, Announcement.status))).all()
    assert sorted(done) == [(first, "done"), (second, "done")]


async def test_an_announcement_another_process_sent_is_closed_here(
    app, settings, emulator, clock, db, caplog
):
    """The process that sent the last rows stopped before closing the announcement: the
    next process's sweep closes it and reports, though it never showed its progress."""
    await people(app, emulator, [CHAT, OTHER])
    announcement_id = await announce(app, "Pertama")
    await run_due(app)
    await db.execute(
        update(Announcement).where(Announcement.id == announcement_id).values(status="running")
    )
    await db.commit()
    other = await app_with(settings, emulator, clock)
    await run_due(other)
    await other.shutdown()
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []
    db.expire_all()
    assert (await db.get(Announcement, announcement_id)).status == "done"
    reports = [m for m in emulator.bot_messages(OFFICER) if "selesai" in m.text]
    assert len(reports) == 2  # the first process's, and this one's


@pytest.mark.parametrize(
    ("description", "warned"),
    [
        ("Bad Request: message is not modified: specified new message content is the same", 0),
        ("Bad Request: message to edit not found", 2),  # the progress and the final figures
    ],
    ids=["unchanged", "gone"],
)
async def test_a_refused_progress_edit(app, emulator, sweep, caplog, description, warned):
    """Telegram refuses to edit the officer's progress message: an edit to the same
    figures is nothing to report; any other refusal is a warning. The report follows
    either way."""
    await people(app, emulator, [CHAT, OTHER])
    emulator.inject(
        "bad_request", chat_id=OFFICER, methods=["editMessageText"], description=description
    )
    await announce(app, "Pertama")
    await sweep()
    warnings = [r for r in caplog.records if r.getMessage().startswith("cannot update progress")]
    assert [r.levelname for r in warnings] == ["WARNING"] * warned
    reports = [m for m in emulator.bot_messages(OFFICER) if "selesai" in m.text]
    assert len(reports) == 1


async def test_progress_is_shown_at_most_every_three_seconds(app, settings, emulator, clock):
    """110 people at 25 a second: three batches (50, 50, 10) over about 4.4 s. The
    officer's progress message is edited after the first batch, then not again before
    three seconds have passed, then once more with the final figures."""
    from bot.delivery.engine import PROGRESS_EVERY_SECONDS

    await people(app, emulator, list(range(12_401, 12_511)))
    await announce(app, "Bertahap")
    paced = await app_with(settings, emulator, clock, broadcast_rate=25.0, broadcast_paid=False)
    started = time.monotonic()
    await run_due(paced)
    elapsed = time.monotonic() - started
    await paced.shutdown()
    edits = [
        call
        for call in emulator.calls
        if call.method == "editMessageText" and call.params.get("chat_id") == OFFICER
    ]
    intermediate = len(edits) - 1  # the last edit is the final figures
    assert 1 <= intermediate <= 1 + int(elapsed / PROGRESS_EVERY_SECONDS), (intermediate, elapsed)


@pytest.mark.parametrize("status", ["stopped", "cancelled"])
async def test_a_stop_written_just_after_the_last_check_still_holds(
    app, emulator, clock, db, sweep, status
):
    """Another process stops an announcement a moment after this engine last read the
    stops (it reads them again only every fifth of a second): the rows it claims next
    are not sent. Rendering them sees the stop (skipped); on a slow machine the re-read
    may come first (cancelled). Either way with the reason "stopped"."""
    await people(app, emulator, [CHAT, OTHER])
    await announce(app, "Pertama")
    later = await announce(app, "Kedua", at=clock.now() + timedelta(minutes=5))
    await sweep()  # "Pertama" goes out: the engine has just read the stops
    await db.execute(update(Announcement).where(Announcement.id == later).values(status=status))
    await db.commit()
    clock.advance(timedelta(minutes=5))
    await sweep()
    db.expire_all()
    rows = (
        await db.execute(
            select(Delivery.chat_id, Delivery.status, Delivery.error).where(
                Delivery.announcement_id == later
            )
        )
    ).all()
    assert {chat for chat, _s, _e in rows} == {CHAT, OTHER}
    assert {(s, e) for _c, s, e in rows} <= {("skipped", "stopped"), ("cancelled", "stopped")}
    assert [body(m.text) for m in emulator.bot_messages(CHAT)] == ["Pertama"]


@pytest.mark.parametrize("sends", [0, 2], ids=["nothing-sent", "two-sent"])
async def test_the_engine_gives_its_connection_back_at_shutdown(
    app, settings, emulator, clock, sends
):
    """Whether or not a sweep marked anything, shutting down closes the engine's one
    connection for marks (and does not fail when there is none)."""
    await people(app, emulator, [CHAT, OTHER][:sends])
    if sends:
        await announce(app, "Tutup")
    other = await app_with(settings, emulator, clock)
    assert await run_due(other) == sends
    marks = engine_of(other).marks
    assert (marks._connection is not None) == bool(sends)
    await other.shutdown()
    assert marks._connection is None


class _CloseFails(RuntimeError):
    pass


@pytest.mark.parametrize("close_fails", [False, True], ids=["closes", "close-fails-too"])
async def test_a_failed_mark_drops_its_connection_and_the_next_opens_anew(
    app, emulator, db, monkeypatch, close_fails
):
    """A mark whose statement fails: nothing of it is committed, its connection is
    closed and forgotten (even when closing fails too, the mark's own error is the one
    raised), and the next mark opens a fresh connection that works."""
    await people(app, emulator, [CHAT])
    chat_person = await person(db, CHAT)
    marks = engine_of(app).marks
    used: list[AsyncConnection] = []
    real_close = AsyncConnection.close

    async def close(connection: AsyncConnection) -> None:
        await real_close(connection)
        if close_fails and connection is used[0]:
            raise _CloseFails

    monkeypatch.setattr(AsyncConnection, "close", close)

    async def fails(connection) -> None:
        used.append(connection)
        await connection.execute(
            update(User).where(User.person_id == chat_person).values(locale="en")
        )
        raise ValueError("the statement failed")

    with pytest.raises(ValueError, match="the statement failed"):
        await marks.run(fails)
    assert marks._connection is None
    assert used[0].closed

    async def works(connection) -> None:
        used.append(connection)
        await connection.execute(
            update(User).where(User.person_id == chat_person).values(locale="jv")
        )

    await marks.run(works)
    assert used[1] is not used[0]
    assert not used[1].closed
    assert marks._connection is used[1]
    db.expire_all()
    assert await db.scalar(select(User.locale).where(User.person_id == chat_person)) == "jv"


@pytest.mark.parametrize("rows", [10, 11, 25], ids=["one-batch", "two", "three"])
async def test_a_sweep_counts_every_batch_it_handled(settings, emulator, clock, db, rows):
    """At 5 messages a second a batch is 10 rows: a sweep claims batch after batch until
    nothing is due, and says how many rows it handled in all (here rows whose recipient
    erased their data: skipped, nothing sent)."""
    slow = await app_with(settings, emulator, clock, broadcast_rate=5.0, broadcast_paid=False)
    assert engine_of(slow).batch == 10
    services = services_of(slow)
    async with services.sessions() as session, session.begin():
        await deliveries.enqueue_many(
            session,
            [
                {"kind": "reminder", "chat_id": None, "due_at": clock.now(), "payload": {}}
                for _ in range(rows)
            ],
        )
    try:
        assert await run_due(slow) == rows  # one sweep, ``batches`` claims of at most 10
    finally:
        await slow.shutdown()
    assert (await db.scalars(select(Delivery.status))).all() == ["skipped"] * rows
