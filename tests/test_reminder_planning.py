"""Planning reminders at the edges: one due the very minute the checklist is saved, sent
once and only once; what a person who cannot have reminders is planned."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import services_of
from bot.services import reminders
from storage.models import ChecklistMark, Delivery, User
from storage.repositories import deliveries
from tests.announcing import villager
from tests.conftest import START
from tests.people import person as person_id
from tests.people import row_of, telegram_person
from tests.test_checklist import set_up
from tests.test_reminders import departure_reminders, sweep_at
from tests.transcript import label

# START is 1 Dec 2026 09:00 WIB: with a departure on 31 Dec, the 30-day reminder is due
# at that very minute.
DUE_NOW = "31-12-2026"
D30_AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
LAST_INSTANT = START + timedelta(seconds=59, microseconds=999_999)  # of that minute


async def _rows(db, chat_id: int) -> list[tuple[dict, str, datetime]]:
    db.expire_all()
    found = await db.execute(
        select(Delivery.payload, Delivery.status, Delivery.due_at)
        .where(Delivery.chat_id == chat_id, Delivery.kind == "reminder")
        .order_by(Delivery.due_at, Delivery.id)
    )
    return [tuple(row) for row in found.all()]


async def _tick(p, title: str) -> None:
    await p.say("/persiapan")
    await p.tap("⬜ " + label("id", "", title))
    reply = await p.tap(label("id", "button", "✅ Mark as done"))
    assert "✅ " + label("id", "", title) in reply.buttons


async def _tick_all(p, count: int = 20) -> None:
    """Tick every item of the person's checklist (``count`` of them)."""
    reply = await p.say("/persiapan")
    open_items = [b for b in reply.buttons if b.startswith("⬜ ")]
    assert len(open_items) == count
    for button in open_items:
        await p.say("/persiapan")
        await p.tap(button)
        reply = await p.tap(label("id", "button", "✅ Mark as done"))
    assert label("id", "", "Progress: {done} / {total}", done=count, total=count) in reply.text


@pytest.mark.parametrize(
    ("saved_at", "planned"),
    [
        # Edge: a second before, it lies ahead.
        (START - timedelta(seconds=1), True),
        # Edge: saved at 09:00:00, it is due now and still planned.
        (START, True),
        # Edge: the last instant of that minute.
        (LAST_INSTANT, True),
        # Edge: a minute later, its moment has passed.
        (START + timedelta(minutes=1), False),
    ],
    ids=["08:59:59", "09:00:00", "09:00:59", "09:01:00"],
)
async def test_a_reminder_due_the_minute_the_checklist_is_saved_is_planned(
    person, clock, db, saved_at, planned
):
    """Someone who fills in the checklist at 09:00 on the 30-day reminder's day would
    otherwise never hear "about 30 days left" (passport and work visa)."""
    p = await villager(person, 5001, role="prospective")
    clock.set(saved_at)
    await set_up(p, departure=DUE_NOW)
    d30 = [({"r": "d30"}, "pending", D30_AT)] if planned else []
    assert await _rows(db, 5001) == [
        *d30,
        ({"nudge": 1}, "pending", datetime(2026, 12, 8, 2, 0, tzinfo=UTC)),
        ({"r": "d14"}, "pending", datetime(2026, 12, 17, 2, 0, tzinfo=UTC)),
        ({"r": "d7"}, "pending", datetime(2026, 12, 24, 2, 0, tzinfo=UTC)),
        ({"r": "d1"}, "pending", datetime(2026, 12, 30, 2, 0, tzinfo=UTC)),
        ({"r": "a7"}, "pending", datetime(2027, 1, 7, 2, 0, tzinfo=UTC)),
    ]


@pytest.mark.parametrize("ticked_at", [START, LAST_INSTANT], ids=["0s", "59s"])
async def test_a_reminder_due_now_goes_once_even_if_a_tick_replans_that_minute(
    person, emulator, clock, sweep, db, ticked_at
):
    """The sweep sends it at once; ticking another item in the same minute re-plans the
    person's reminders, and "about 30 days left" must not come a second time."""
    p = await villager(person, 5002, role="prospective")
    await set_up(p, departure=DUE_NOW)
    await sweep()
    assert len(departure_reminders(emulator, 5002)) == 1
    clock.set(ticked_at)
    await _tick(p, "KTP and family card (KK)")
    await sweep()
    assert len(departure_reminders(emulator, 5002)) == 1
    assert await _rows(db, 5002) == [
        ({"r": "d30"}, "sent", D30_AT + timedelta(minutes=1)),  # due_at: the sender's lease
        ({"nudge": 1}, "pending", datetime(2026, 12, 8, 2, 0, tzinfo=UTC)),
        ({"r": "d14"}, "pending", datetime(2026, 12, 17, 2, 0, tzinfo=UTC)),
        ({"r": "d7"}, "pending", datetime(2026, 12, 24, 2, 0, tzinfo=UTC)),
        ({"r": "d1"}, "pending", datetime(2026, 12, 30, 2, 0, tzinfo=UTC)),
        ({"r": "a7"}, "pending", datetime(2027, 1, 7, 2, 0, tzinfo=UTC)),
    ]


async def test_a_reminder_being_sent_is_not_planned_again(app, person, clock, db):
    """A tick while the sweep is sending the 30-day reminder (claimed, not yet sent)
    re-plans that minute: it must not be queued a second time."""
    p = await villager(person, 5003, role="prospective")
    await set_up(p, departure=DUE_NOW)
    services = services_of(app)
    async with services.sessions() as session, session.begin():
        claimed = await deliveries.claim_due(
            session, now=START, lease_until=START + timedelta(minutes=1), worker="w", limit=10
        )
        assert [row[5] for row in claimed] == [{"r": "d30"}]
        user = await row_of(session, User, 5003)
        planned = await reminders.plan(
            session, user, services.checklist, now=START, default_zone="Asia/Jakarta"
        )
    assert [row["payload"] for row in planned] == [
        {"r": "d14"},
        {"r": "d7"},
        {"r": "d1"},
        {"r": "a7"},
        {"nudge": 1},
    ]
    assert (await _rows(db, 5003))[0] == ({"r": "d30"}, "claimed", D30_AT + timedelta(minutes=1))


async def test_the_nudge_and_a_departure_reminder_due_together_go_once_each(
    person, emulator, clock, sweep, db
):
    """The weekly nudge re-plans the person's reminders right after it is sent; a
    departure reminder due the same minute (here 8 Dec, 30 days before 7 Jan) must not
    come twice."""
    p = await villager(person, 5004, role="prospective")
    await set_up(p, departure="07-01-2027")
    due = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
    await sweep_at(clock, sweep, due)
    await sweep()
    assert len(departure_reminders(emulator, 5004)) == 1
    assert sum(t.startswith("📝") for t in (m.text for m in emulator.bot_messages(5004))) == 1
    lease = due + timedelta(minutes=1)  # a sent row's due_at is the sender's lease
    assert await _rows(db, 5004) == [
        ({"r": "d30"}, "sent", lease),
        ({"nudge": 1}, "sent", lease),
        ({"nudge": 1}, "pending", datetime(2026, 12, 15, 2, 0, tzinfo=UTC)),
        ({"r": "d14"}, "pending", datetime(2026, 12, 24, 2, 0, tzinfo=UTC)),
        ({"r": "d7"}, "pending", datetime(2026, 12, 31, 2, 0, tzinfo=UTC)),
        ({"r": "d1"}, "pending", datetime(2027, 1, 6, 2, 0, tzinfo=UTC)),
        ({"r": "a7"}, "pending", datetime(2027, 1, 14, 2, 0, tzinfo=UTC)),
    ]


# --- re-planning many people at once (content changes, bench/reminders.py) -------------

LATER = datetime(2027, 2, 20, 2, 0, tzinfo=UTC)  # 20 Feb 2027, 09:00 WIB


async def _pending(db) -> dict[int, list[tuple[dict, datetime]]]:
    db.expire_all()
    found = await db.execute(
        select(Delivery.chat_id, Delivery.payload, Delivery.due_at)
        .where(Delivery.kind == "reminder", Delivery.status == "pending")
        .order_by(Delivery.chat_id, Delivery.due_at, Delivery.id)
    )
    pending: dict[int, list[tuple[dict, datetime]]] = {}
    for chat_id, payload, due_at in found.all():
        pending.setdefault(chat_id, []).append((payload, due_at))
    return pending


async def test_plan_many_replans_each_person_as_their_own_plan_would(
    app, person, emulator, clock, sweep, db
):
    """A content change re-plans everyone in batches: each person in the batch gets the
    reminders of their own checklist, ticks, expiry dates and time zone, from now on;
    nobody is planned twice, and people outside the batch keep what they had."""
    wib = await villager(person, 5101, role="prospective")
    await set_up(wib, departure="15-03-2027")
    await wib.tap("⬜ " + label("id", "", "Passport"))
    await wib.tap(label("id", "button", "📅 Enter the expiry date"))
    await wib.say("15-06-2027")
    for title in ("Passport", "Work visa, not tourist visa"):
        await _tick(wib, title)
    wit = await villager(person, 5102, role="prospective")
    await wit.say("/pengingat")
    await wit.tap(label("id", "button", "🕒 Time zone"))
    await wit.tap("WIT")
    await set_up(wit, departure="01-04-2027")
    off = await villager(person, 5103, role="prospective")
    await set_up(off, departure="15-03-2027")
    await off.say("/pengingat")
    await off.tap(label("id", "button", "🔕 Turn reminders off"))
    declined = await villager(person, 5104, role="prospective", consent=False)
    await declined.say("/persiapan")
    await villager(person, 5105, role="prospective")  # no checklist
    done = await villager(person, 5108, role="prospective")
    # G to G: no agency, so no agency licence to check (19 items, not 20).
    await set_up(done, scheme="g2g", departure="15-03-2027")
    await done.tap("⬜ " + label("id", "", "Passport"))
    await done.tap(label("id", "button", "📅 Enter the expiry date"))
    await done.say("15-06-2027")
    await _tick_all(done, 19)
    outside = await villager(person, 5106, role="prospective")
    await set_up(outside, departure="15-03-2027")
    before = (await _pending(db))[5106]

    clock.set(LATER)
    services = services_of(app)
    async with services.sessions() as session, session.begin():
        planned = await reminders.plan_many(
            session,
            [
                *[await person_id(session, t) for t in (5101, 5102, 5103, 5104, 5105)],
                await telegram_person(session, 5107),  # a person who never used the bot
                await person_id(session, 5108),
            ],
            services.checklist,
            now=LATER,
            default_zone="Asia/Jakarta",
        )
    wib_at = lambda day: datetime(2027, *day, 2, 0, tzinfo=UTC)  # noqa: E731
    wit_at = lambda day: datetime(2027, *day, 0, 0, tzinfo=UTC)  # noqa: E731
    assert planned == 7 + 6 + 2
    assert await _pending(db) == {
        # The 30-day reminder (13 Feb) has passed, and its items are ticked anyway.
        5101: [
            ({"nudge": 1}, wib_at((2, 27))),
            ({"r": "d14"}, wib_at((3, 1))),
            ({"r": "d7"}, wib_at((3, 8))),
            ({"r": "d1"}, wib_at((3, 14))),
            ({"expiry": "passport", "days": 90}, wib_at((3, 17))),
            ({"r": "a7"}, wib_at((3, 22))),
            ({"expiry": "passport", "days": 30}, wib_at((5, 16))),
        ],
        # 09:00 in Jayapura: 00:00 UTC; the 30-day one is on 2 March.
        5102: [
            ({"nudge": 1}, wit_at((2, 27))),
            ({"r": "d30"}, wit_at((3, 2))),
            ({"r": "d14"}, wit_at((3, 18))),
            ({"r": "d7"}, wit_at((3, 25))),
            ({"r": "d1"}, wit_at((3, 31))),
            ({"r": "a7"}, wit_at((4, 8))),
        ],
        # Every item of their own checklist is done (the agency licence is not one of
        # them): no nudge, only the passport's expiry is left.
        5108: [
            ({"expiry": "passport", "days": 90}, wib_at((3, 17))),
            ({"expiry": "passport", "days": 30}, wib_at((5, 16))),
        ],
        5106: before,
    }
    assert before[0] == ({"nudge": 1}, datetime(2026, 12, 8, 2, 0, tzinfo=UTC))


async def test_plan_many_does_not_queue_again_what_went_this_minute(
    app, person, emulator, clock, sweep, db
):
    """Re-planning everyone the minute a reminder went out must not send it twice; who
    has not had it yet still gets it."""
    sent = await villager(person, 5201, role="prospective")
    await set_up(sent, departure=DUE_NOW)
    await sweep()
    assert len(departure_reminders(emulator, 5201)) == 1
    waiting = await villager(person, 5202, role="prospective")
    await set_up(waiting, departure=DUE_NOW)
    services = services_of(app)
    async with services.sessions() as session, session.begin():
        planned = await reminders.plan_many(
            session,
            [await person_id(session, 5201), await person_id(session, 5202)],
            services.checklist,
            now=START,
            default_zone="Asia/Jakarta",
        )
    assert planned == 5 + 6
    await sweep()
    assert len(departure_reminders(emulator, 5201)) == 1
    assert len(departure_reminders(emulator, 5202)) == 1
    later = [{"nudge": 1}, {"r": "d14"}, {"r": "d7"}, {"r": "d1"}, {"r": "a7"}]
    pending = await _pending(db)
    assert [payload for payload, _due in pending[5201]] == later
    assert [payload for payload, _due in pending[5202]] == later


EARLY = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # 06:00 WIB, 08:00 WIT on 1 Dec


@pytest.mark.parametrize(
    ("zone", "nudge_at"),
    [
        # 06:00 in Jakarta is still 30 November in UTC: the week counts from 1 December.
        ("WIB", datetime(2026, 12, 8, 2, 0, tzinfo=UTC)),
        # 08:00 in Jayapura, the same.
        ("WIT", datetime(2026, 12, 8, 0, 0, tzinfo=UTC)),
    ],
)
async def test_the_weekly_nudge_counts_from_the_persons_own_today(
    person, clock, db, zone, nudge_at
):
    """Early in the morning in Indonesia it is still yesterday in UTC: the nudge must
    come a week after the person's own today, not a day early."""
    p = await villager(person, 5301, role="prospective")
    await p.say("/pengingat")
    await p.tap(label("id", "button", "🕒 Time zone"))
    await p.tap(zone)
    clock.set(EARLY)
    await set_up(p, departure="15-03-2027")
    [nudge] = [row for row in await _rows(db, 5301) if row[0] == {"nudge": 1}]
    assert nudge == ({"nudge": 1}, "pending", nudge_at)


async def test_no_nudge_once_every_item_is_done(person, db):
    """Someone who has ticked their whole checklist is not told items are still open."""
    p = await villager(person, 5302, role="prospective")
    await set_up(p, departure="15-06-2027")
    assert len(await _rows(db, 5302)) == 6  # five departure reminders and the nudge
    await _tick_all(p)
    # Every departure reminder asks about items that are done now: none is left either.
    assert await _rows(db, 5302) == []


async def test_an_expiry_date_of_an_item_no_longer_in_the_checklist_is_not_reminded(person, db):
    """An item taken out of checklist.yaml keeps its stored mark (with the expiry date the
    person once entered); re-planning must not list a reminder about a document the
    bot can no longer name."""
    p = await villager(person, 5401, role="prospective")
    await set_up(p, departure="15-03-2027")
    db.add(
        ChecklistMark(
            person_id=await person_id(db, 5401),
            item_id="retired_permit",
            expires_on=date(2027, 6, 15),
        )
    )
    await db.commit()
    await _tick(p, "KTP and family card (KK)")  # re-plans
    assert [row[0] for row in await _rows(db, 5401)] == [
        {"nudge": 1},
        {"r": "d30"},
        {"r": "d14"},
        {"r": "d7"},
        {"r": "d1"},
        {"r": "a7"},
    ]
