"""Reminder due times, quiet hours and WIB/WITA/WIT at their boundaries (issue 14).

Every departure-anchored reminder and every expiry reminder is planned at 09:00 on its day
in the person's own time zone (WIB, WITA, WIT, or the zone of any destination country in
``checklist.yaml``): the planned UTC date and time is asserted exactly, and the row is sent
by the sweep at that minute, not one minute before. Quiet hours are checked at their first
and last minute, with the default window and the other windows a person can choose.
Announcement times typed with a zone give the exact UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.content.checklist import load_checklist
from bot.services.reminders import quiet_until
from bot.services.when import WhenError, parse_when
from storage.models import Announcement, Delivery, User
from tests.announcing import announce, body, officer, villager
from tests.conftest import START
from tests.people import row_of
from tests.test_checklist import set_up
from tests.test_reminders import departure_reminders, sweep_at
from tests.transcript import label

CONTENT = load_checklist()
DEPARTURE = date(2027, 3, 25)  # Berlin moves to summer time on 28 March 2027
EXPIRY = date(2027, 6, 15)  # the passport runs out

# The reminder's day, written out (not computed from the content): a departure reminder
# planned 6 days before instead of 7, or an expiry reminder a day late, fails here.
DAYS = {
    "d30": date(2027, 2, 23),
    "d14": date(2027, 3, 11),
    "d7": date(2027, 3, 18),
    "d1": date(2027, 3, 24),
    "a7": date(2027, 4, 1),
    "expiry90": date(2027, 3, 17),
    "expiry30": date(2027, 5, 16),
    "nudge": date(2026, 12, 8),  # a week after the checklist was filled in (1 Dec)
}
# Indonesia's zones, then every destination's, read from the content.
ZONES = [("WIB", "Asia/Jakarta"), ("WITA", "Asia/Makassar"), ("WIT", "Asia/Jayapura")] + [
    (country.name, country.timezone) for country in CONTENT.countries.values()
]
# 09:00 local in UTC, written out for Indonesia's zones and for a zone with summer time.
LITERAL = {
    "Asia/Jakarta": {key: datetime.combine(day, time(2, 0), UTC) for key, day in DAYS.items()},
    "Asia/Makassar": {key: datetime.combine(day, time(1, 0), UTC) for key, day in DAYS.items()},
    "Asia/Jayapura": {key: datetime.combine(day, time(0, 0), UTC) for key, day in DAYS.items()},
    "Europe/Berlin": {
        key: datetime.combine(day, time(8 if day < date(2027, 3, 28) else 7, 0), UTC)
        for key, day in DAYS.items()
    },
}


def nine_local(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(9, 0), ZoneInfo(zone)).astimezone(UTC)


def key_of(payload: dict) -> str:
    if "r" in payload:
        return str(payload["r"])
    if "expiry" in payload:
        return f"expiry{payload['days']}"
    return "nudge"


def test_the_tables_match_the_content():
    """The days above are those of the content's offsets; every destination is covered."""
    offsets = {r.id: r.offset_days for r in CONTENT.reminders.values()}
    assert offsets == {"d30": -30, "d14": -14, "d7": -7, "d1": -1, "a7": 7}
    assert CONTENT.expiry_reminder_days == (90, 30)
    for reminder_id, offset in offsets.items():
        assert DAYS[reminder_id] == DEPARTURE + timedelta(days=offset)
    for days in CONTENT.expiry_reminder_days:
        assert DAYS[f"expiry{days}"] == EXPIRY - timedelta(days=days)
    assert len(ZONES) == 3 + len(CONTENT.countries) >= 3 + 9
    assert set(LITERAL) <= {zone for _name, zone in ZONES}


async def _planned(db, chat_id: int) -> dict[str, tuple[datetime, str]]:
    db.expire_all()
    rows = await db.scalars(
        select(Delivery)
        .where(Delivery.chat_id == chat_id, Delivery.kind == "reminder")
        .order_by(Delivery.id)
    )
    return {key_of(row.payload): (row.due_at, row.status) for row in rows.all()}


async def _person_in(person, user_id: int, button: str):
    p = await villager(person, user_id, role="prospective")
    await p.say("/pengingat")
    await p.tap(label("id", "button", "🕒 Time zone"))
    reply = await p.tap(button)
    assert label("id", "", "Saved.") in reply.text
    await set_up(p, departure=DEPARTURE.strftime("%d-%m-%Y"))
    await p.tap("⬜ " + label("id", "", "Passport"))
    await p.tap(label("id", "button", "📅 Enter the expiry date"))
    await p.say(EXPIRY.strftime("%d-%m-%Y"))
    return p


@pytest.mark.parametrize(("name", "zone"), ZONES, ids=[zone for _name, zone in ZONES])
async def test_every_reminder_is_due_at_nine_local(person, clock, sweep, db, name, zone):
    button = name if name in ("WIB", "WITA", "WIT") else label("id", "", name)
    await _person_in(person, 3001, button)
    user = await row_of(db, User, 3001)
    assert user is not None
    assert user.timezone == zone
    expected = {key: nine_local(day, zone) for key, day in DAYS.items()}
    # Written out for WIB, WITA, WIT and Berlin (all in ZONES: test_the_tables_...).
    assert expected == LITERAL.get(zone, expected)
    assert await _pending(db, 3001) == expected
    # Each one goes at that minute, not one minute before (the sweep runs every minute).
    for key, due in sorted(expected.items(), key=lambda item: item[1]):
        await sweep_at(clock, sweep, due - timedelta(minutes=1))
        sent = await _sent(db, 3001, key)
        assert (await _pending(db, 3001))[key] == due
        await sweep_at(clock, sweep, due)
        assert await _sent(db, 3001, key) == sent + 1, key
        assert (await _pending(db, 3001)).get(key) != due


async def _pending(db, chat_id: int) -> dict[str, datetime]:
    db.expire_all()
    rows = await db.scalars(
        select(Delivery).where(Delivery.chat_id == chat_id, Delivery.status == "pending")
    )
    return {key_of(row.payload): row.due_at for row in rows.all()}


async def _sent(db, chat_id: int, key: str) -> int:
    """How many rows ``key`` were sent (a sent row's ``due_at`` is its lease, and the
    weekly nudge is planned anew each time)."""
    db.expire_all()
    rows = await db.scalars(
        select(Delivery).where(Delivery.chat_id == chat_id, Delivery.status == "sent")
    )
    return sum(key_of(row.payload) == key for row in rows.all())


# --- quiet hours: the first and last minute -------------------------------------------

QUIET = [
    # (window start, end in minutes; local time in Jayapura (WIT); quiet until, local)
    (21 * 60, 6 * 60, "2027-02-23 20:59", None),
    (21 * 60, 6 * 60, "2027-02-23 21:00", "2027-02-24 06:00"),
    (21 * 60, 6 * 60, "2027-02-23 23:59", "2027-02-24 06:00"),
    (21 * 60, 6 * 60, "2027-02-24 00:00", "2027-02-24 06:00"),
    (21 * 60, 6 * 60, "2027-02-24 05:59", "2027-02-24 06:00"),
    (21 * 60, 6 * 60, "2027-02-24 06:00", None),
    (22 * 60, 7 * 60, "2027-02-23 21:59", None),
    (22 * 60, 7 * 60, "2027-02-23 22:00", "2027-02-24 07:00"),
    (22 * 60, 7 * 60, "2027-02-24 06:59", "2027-02-24 07:00"),
    (22 * 60, 7 * 60, "2027-02-24 07:00", None),
    # A window that does not span midnight.
    (13 * 60 + 30, 14 * 60 + 15, "2027-02-23 13:29", None),
    (13 * 60 + 30, 14 * 60 + 15, "2027-02-23 13:30", "2027-02-23 14:15"),
    (13 * 60 + 30, 14 * 60 + 15, "2027-02-23 14:14", "2027-02-23 14:15"),
    (13 * 60 + 30, 14 * 60 + 15, "2027-02-23 14:15", None),
    # No quiet hours at all.
    (0, 0, "2027-02-24 00:00", None),
    (0, 0, "2027-02-24 03:00", None),
]


def _local(text: str, zone: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(zone))


@pytest.mark.parametrize(
    ("start", "end", "at", "until"),
    QUIET,
    ids=[
        f"{s // 60:02d}{s % 60:02d}-{e // 60:02d}{e % 60:02d}@{at[-5:]}" for s, e, at, _ in QUIET
    ],
)
def test_quiet_until_at_the_edges(start, end, at, until):
    user = User(person_id=1, timezone="Asia/Jayapura", quiet_start=start, quiet_end=end)
    now = _local(at, "Asia/Jayapura").astimezone(UTC)
    wake = quiet_until(user, now, "Asia/Jakarta")
    assert wake == (None if until is None else _local(until, "Asia/Jayapura"))


def test_quiet_hours_use_the_persons_zone_not_the_default():
    # 21:30 in Jakarta is 23:30 in Jayapura: quiet in both, waking at 06:00 of each zone.
    now = datetime(2027, 2, 23, 14, 30, tzinfo=UTC)
    wit = User(person_id=1, timezone="Asia/Jayapura", quiet_start=21 * 60, quiet_end=6 * 60)
    default = User(person_id=2, timezone=None, quiet_start=21 * 60, quiet_end=6 * 60)
    assert quiet_until(wit, now, "Asia/Jakarta") == datetime(2027, 2, 23, 21, 0, tzinfo=UTC)
    assert quiet_until(default, now, "Asia/Jakarta") == datetime(2027, 2, 23, 23, 0, tzinfo=UTC)
    # 20:30 in Jakarta is 22:30 in Jayapura: quiet there only.
    now = datetime(2027, 2, 23, 13, 30, tzinfo=UTC)
    assert quiet_until(wit, now, "Asia/Jakarta") == datetime(2027, 2, 23, 21, 0, tzinfo=UTC)
    assert quiet_until(default, now, "Asia/Jakarta") is None


# Through the dialog: the bot is down when the 30-day reminder falls due (23 Feb 09:00)
# and its sweep first runs at ``back`` (local time): sent then, or held until the end.
HELD = [
    # (zone button, quiet-hours button or None for the default, back, sent or due at)
    ("WIB", None, "2027-02-23 20:59", None),
    ("WIB", None, "2027-02-23 21:00", "2027-02-24 06:00"),
    ("WIB", None, "2027-02-24 05:59", "2027-02-24 06:00"),
    ("WIB", None, "2027-02-24 06:00", None),
    ("WIT", "22:00–07:00", "2027-02-23 21:59", None),
    ("WIT", "22:00–07:00", "2027-02-23 22:00", "2027-02-24 07:00"),
    ("WIT", "22:00–07:00", "2027-02-24 06:59", "2027-02-24 07:00"),
    ("WIT", "22:00–07:00", "2027-02-24 07:00", None),
]
ZONE_OF = {"WIB": "Asia/Jakarta", "WIT": "Asia/Jayapura"}


@pytest.mark.parametrize(
    ("zone", "window", "back", "held_until"),
    HELD,
    ids=[f"{z}-{w or 'default'}@{b[-5:]}" for z, w, b, _ in HELD],
)
async def test_a_late_reminder_waits_for_the_end_of_quiet_hours(
    person, emulator, clock, sweep, db, zone, window, back, held_until
):
    p = await villager(person, 3002, role="prospective")
    await p.say("/pengingat")
    await p.tap(label("id", "button", "🕒 Time zone"))
    await p.tap(zone)
    if window is not None:
        await p.tap(label("id", "button", "🌙 Quiet hours"))
        reply = await p.tap(window)
        assert window in reply.text
    await set_up(p, departure=DEPARTURE.strftime("%d-%m-%Y"))
    tz = ZoneInfo(ZONE_OF[zone])
    assert (await _planned(db, 3002))["d30"] == (nine_local(DAYS["d30"], ZONE_OF[zone]), "pending")
    before = len(departure_reminders(emulator, 3002))
    await sweep_at(clock, sweep, _local(back, ZONE_OF[zone]).astimezone(UTC))
    due, status = (await _planned(db, 3002))["d30"]
    if held_until is None:
        assert status == "sent"
        assert len(departure_reminders(emulator, 3002)) == before + 1
    else:
        wake = _local(held_until, ZONE_OF[zone]).astimezone(UTC)
        assert (due, status) == (wake, "pending")
        assert len(departure_reminders(emulator, 3002)) == before
        await sweep_at(clock, sweep, wake - timedelta(minutes=1))
        assert (await _planned(db, 3002))["d30"][1] == "pending"
        await sweep_at(clock, sweep, wake)
        assert (await _planned(db, 3002))["d30"][1] == "sent"
        assert len(departure_reminders(emulator, 3002)) == before + 1
        assert due.astimezone(tz).strftime("%H:%M") == held_until[-5:]


# --- WIB, WITA, WIT typed with an announcement's time ----------------------------------

TYPED = [
    ("24-12-2026 08:00", datetime(2026, 12, 24, 1, 0, tzinfo=UTC)),  # WIB unless written
    ("24-12-2026 08:00 WIB", datetime(2026, 12, 24, 1, 0, tzinfo=UTC)),
    ("24-12-2026 08:00 WITA", datetime(2026, 12, 24, 0, 0, tzinfo=UTC)),
    ("24-12-2026 08:00 WIT", datetime(2026, 12, 23, 23, 0, tzinfo=UTC)),
    ("24-12-2026 08:00 wit", datetime(2026, 12, 23, 23, 0, tzinfo=UTC)),
    ("24/12/2026 8.00 Wita", datetime(2026, 12, 24, 0, 0, tzinfo=UTC)),
    ("24-12-2026 08:00WIT", datetime(2026, 12, 23, 23, 0, tzinfo=UTC)),
    ("24 Desember 2026 07:00 WIT", datetime(2026, 12, 23, 22, 0, tzinfo=UTC)),
    ("24-12-2026 00:30 WIB", datetime(2026, 12, 23, 17, 30, tzinfo=UTC)),
    # "besok" counts from today in the zone written: 1 Dec 09:00 WIB is 11:00 WIT.
    ("besok 08:00 WIT", datetime(2026, 12, 1, 23, 0, tzinfo=UTC)),
    ("besok 08:00 WITA", datetime(2026, 12, 2, 0, 0, tzinfo=UTC)),
    ("besok jam 8.00", datetime(2026, 12, 2, 1, 0, tzinfo=UTC)),
    # The first minute still ahead (now is 1 Dec 2026 09:00 WIB = 10:00 WITA = 11:00 WIT).
    ("01-12-2026 11:01 WIT", datetime(2026, 12, 1, 2, 1, tzinfo=UTC)),
    ("01-12-2026 10:01 WITA", datetime(2026, 12, 1, 2, 1, tzinfo=UTC)),
]


@pytest.mark.parametrize(("typed", "utc"), TYPED, ids=[t for t, _ in TYPED])
def test_announcement_time_with_its_zone(typed, utc):
    assert parse_when(typed, now=START) == utc


PAST = ["01-12-2026 11:00 WIT", "01-12-2026 10:00 WITA", "01-12-2026 09:00 WIB"]


@pytest.mark.parametrize("typed", PAST)
def test_now_in_any_zone_is_already_past(typed):
    with pytest.raises(WhenError) as error:
        parse_when(typed, now=START)
    assert error.value.reason == "past"


# Through the officer's dialog: the time typed is stored as the exact UTC moment.
DIALOG = [
    ("24-12-2026 08:00 WIB", datetime(2026, 12, 24, 1, 0, tzinfo=UTC)),
    ("24-12-2026 08:00 WITA", datetime(2026, 12, 24, 0, 0, tzinfo=UTC)),
    ("24-12-2026 08:00 WIT", datetime(2026, 12, 23, 23, 0, tzinfo=UTC)),
]


@pytest.mark.parametrize(("typed", "utc"), DIALOG, ids=[t[-4:].strip() for t, _ in DIALOG])
async def test_scheduled_announcement_stores_the_exact_utc(
    app, person, emulator, clock, sweep, db, typed, utc
):
    await villager(person, 3003, role="family")
    bu = await officer(app, person, 3090, "jogosimo")
    await announce(bu, "Info", when=typed)
    await bu.tap(label("id", "button", "Send"))
    announcement = (await db.scalars(select(Announcement))).one()
    assert announcement.scheduled_at == utc
    # Not one minute before; at that minute.
    await sweep_at(clock, sweep, utc - timedelta(minutes=1))
    assert "Info" not in [body(m.text) for m in emulator.bot_messages(3003)]
    await sweep_at(clock, sweep, utc)
    assert [body(m.text) for m in emulator.bot_messages(3003)].count("Info") == 1
