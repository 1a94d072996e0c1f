"""Dates and times people type: the pure readers (exact dates for a fixed today, both edges)
and the same words through the real app (checklist departure and expiry, announcements)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.services.dates import DateError, Day, parse_day
from bot.services.when import WhenError, parse_when
from storage.models import Announcement, Checklist, ChecklistMark
from tests.announcing import announce, officer, villager
from tests.people import person as person_id
from tests.people import row_of
from tests.test_checklist import set_up
from tests.transcript import I18N, label, sees

SUNDAY = date(2027, 1, 31)  # the last day of January: "bulan depan" must not skip February


def d(month: int, day: int, year: int = 2027) -> date:
    return date(year, month, day)


DAYS = [
    # text, today, month_day, expected Day
    ("besok", SUNDAY, "first", Day(d(2, 1), assumed=True)),
    ("Besok", SUNDAY, "first", Day(d(2, 1), assumed=True)),
    ("sesuk", SUNDAY, "first", Day(d(2, 1), assumed=True)),
    ("benjing", SUNDAY, "first", Day(d(2, 1), assumed=True)),
    ("lusa", SUNDAY, "first", Day(d(2, 2), assumed=True)),
    ("samenjing", SUNDAY, "first", Day(d(2, 2), assumed=True)),
    ("hari ini", SUNDAY, "first", Day(SUNDAY, assumed=True)),
    ("minggu depan", SUNDAY, "first", Day(d(2, 7), assumed=True)),
    ("minggu ngajeng", SUNDAY, "first", Day(d(2, 7), assumed=True)),
    ("bulan depan", SUNDAY, "first", Day(d(2, 1), True, True)),
    ("bulan depan", SUNDAY, "last", Day(d(2, 28), True, True)),
    ("wulan ngajeng", SUNDAY, "first", Day(d(2, 1), True, True)),
    ("wulan  ngajeng", date(2026, 12, 31), "last", Day(d(1, 31), True, True)),
    ("akhir Maret", SUNDAY, "first", Day(d(3, 31), assumed=True)),
    ("akhir Februari 2028", SUNDAY, "first", Day(d(2, 29, 2028), assumed=True)),
    ("pungkasan Maret", SUNDAY, "first", Day(d(3, 31), assumed=True)),
    ("awal April", SUNDAY, "first", Day(d(4, 1), assumed=True)),
    ("akhir Januari", SUNDAY, "first", Day(SUNDAY, assumed=True)),  # today still counts
    ("akhir Januari", d(2, 1), "first", Day(d(1, 31, 2028), assumed=True)),
    ("Maret 2027", SUNDAY, "first", Day(d(3, 1), True, True)),
    ("Maret 2027", SUNDAY, "last", Day(d(3, 31), True, True)),
    ("03-2027", SUNDAY, "first", Day(d(3, 1), True, True)),
    ("3/2027", SUNDAY, "last", Day(d(3, 31), True, True)),
    ("Maret", SUNDAY, "first", Day(d(3, 1), True, True)),
    ("Januari", SUNDAY, "first", Day(d(1, 1), True, True)),  # this month has not ended
    ("Sèptèmber 2027", SUNDAY, "first", Day(d(9, 1), True, True)),
    ("15 Maret", SUNDAY, "first", Day(d(3, 15))),
    ("15 Januari", SUNDAY, "first", Day(d(1, 15, 2028))),
    ("15-03-2027", SUNDAY, "first", Day(d(3, 15))),
    ("15/3/2027", SUNDAY, "first", Day(d(3, 15))),
    ("15.3.27", SUNDAY, "first", Day(d(3, 15))),
    ("15 Maret 27", SUNDAY, "first", Day(d(3, 15))),
    ("15 Maret 2027", SUNDAY, "first", Day(d(3, 15))),
]


@pytest.mark.parametrize(("text", "today", "month_day", "expected"), DAYS)
def test_parse_day(text, today, month_day, expected):
    assert parse_day(text, today=today, month_day=month_day) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("30-01-2027", "past"),
        ("Desember 2026", "past"),
        ("12-2026", "past"),
        ("31-02-2027", "impossible"),
        ("13-2027", "impossible"),
        ("15-03-2099", "far"),
        ("besok pagi", "format"),
        ("akhir", "format"),
        ("akhir minggu", "format"),
        ("Minggu", "format"),  # a day name is for announcements only
        ("2027", "format"),
    ],
)
def test_parse_day_refuses(text, reason):
    with pytest.raises(DateError) as caught:
        parse_day(text, today=SUNDAY)
    assert caught.value.reason == reason


FRIDAY_18 = datetime(2027, 1, 29, 11, 0, tzinfo=UTC)  # Friday 29 January, 18:00 WIB
FRIDAY_1930 = datetime(2027, 1, 29, 12, 30, tzinfo=UTC)  # 19:30 WIB
SATURDAY_0030 = datetime(2027, 1, 29, 17, 30, tzinfo=UTC)  # already Saturday 00:30 in WIB


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=UTC)


WHENS = [
    ("Jumat 19.00", FRIDAY_18, utc(1, 29, 12)),  # still ahead today
    ("Jumat 19.00", FRIDAY_1930, utc(2, 5, 12)),  # passed: next Friday
    ("Jumat 19.00", utc(1, 29, 12), utc(2, 5, 12)),  # that very minute: next Friday too
    ("Jumat 19.00", utc(1, 29, 11, 59), utc(1, 29, 12)),  # a minute before: today
    ("Jemuwah 19.00", FRIDAY_18, utc(1, 29, 12)),
    ("hari Jumat jam 19.00", FRIDAY_18, utc(1, 29, 12)),
    ("Jum'at 19:00", FRIDAY_1930, utc(2, 5, 12)),
    ("Jumat 19.00 WIT", FRIDAY_18, utc(2, 5, 10)),  # 19:00 WIT today was 17:00 WIB
    ("Sabtu 08:00", FRIDAY_18, utc(1, 30, 1)),
    ("Setu 08:00", FRIDAY_18, utc(1, 30, 1)),
    ("Minggu 08:00", FRIDAY_18, utc(1, 31, 1)),
    ("Ahad 08:00", FRIDAY_18, utc(1, 31, 1)),
    ("Senin 08:00", FRIDAY_18, utc(2, 1, 1)),
    ("Senen 08:00", FRIDAY_18, utc(2, 1, 1)),
    ("Selasa 08:00", FRIDAY_18, utc(2, 2, 1)),
    ("Rabu 08:00", FRIDAY_18, utc(2, 3, 1)),
    ("Rebo 08:00", FRIDAY_18, utc(2, 3, 1)),
    ("Kamis 08:00", FRIDAY_18, utc(2, 4, 1)),
    ("Kemis 08:00", FRIDAY_18, utc(2, 4, 1)),
    ("besok 08:00", FRIDAY_18, utc(1, 30, 1)),
    ("sesuk 08.00", FRIDAY_18, utc(1, 30, 1)),
    ("benjing tabuh 08.00", FRIDAY_18, utc(1, 30, 1)),
    ("besok 08:00", SATURDAY_0030, utc(1, 31, 1)),  # "tomorrow" in WIB, not in UTC
    ("lusa pukul 09:30 WITA", FRIDAY_18, utc(1, 31, 1, 30)),
    ("hari ini 20:00", FRIDAY_18, utc(1, 29, 13)),
    ("24 Desember 2027 08:00", FRIDAY_18, datetime(2027, 12, 24, 1, 0, tzinfo=UTC)),
    ("24-12-2027 08:00", FRIDAY_18, datetime(2027, 12, 24, 1, 0, tzinfo=UTC)),
    ("30/1/2027 8.00 WITA", FRIDAY_18, utc(1, 30, 0)),
    ("30-01-2028 18:00", FRIDAY_18, datetime(2028, 1, 30, 11, 0, tzinfo=UTC)),  # 366 days
]


@pytest.mark.parametrize(("text", "now", "expected"), WHENS)
def test_parse_when(text, now, expected):
    assert parse_when(text, now=now) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("hari ini 17:00", "past"),
        ("29-01-2027 08:00", "past"),
        ("28 Januari 2027 20:00", "past"),
        ("02-02-2028 08:00", "far"),
        ("24-12-2030 08:00", "far"),  # beyond the years a date may be ahead at all
        ("30-01-2028 18:01", "far"),  # 366 days and a minute ahead
        ("Maret 2027 08:00", "format"),  # a month is not a day
        ("besok 25:00", "format"),
        ("besok", "format"),
        ("31-02-2027 08:00", "format"),
        ("Jumad 19.00", "format"),
    ],
)
def test_parse_when_refuses(text, reason):
    with pytest.raises(WhenError) as caught:
        parse_when(text, now=FRIDAY_18)
    assert caught.value.reason == reason
    assert str(caught.value) == reason  # what the log shows


# --- through the app; the clock stands at Tuesday 1 December 2026, 09:00 WIB ---------------


def long_date(locale: str, value: date, fmt: str = "long") -> str:
    return I18N.translator(locale).date(value, fmt)


@pytest.mark.parametrize(("locale", "words"), [("id", "bulan depan"), ("jv", "wulan ngajeng")])
async def test_departure_next_month(person, db, locale, words):
    p = await villager(person, 931, locale=locale, role="prospective")
    reply = await set_up(p, locale, departure=words)
    sees(reply, locale, "Your checklist is ready.")
    sees(
        reply,
        locale,
        "You gave the month only: the reminders count from {date}, its first day.",
        date=long_date(locale, date(2027, 1, 1)),
    )
    plan = await row_of(db, Checklist, 931)
    assert (plan.departure_on, plan.departure_approx) == (date(2027, 1, 1), True)


@pytest.mark.parametrize(("locale", "words"), [("id", "minggu depan"), ("jv", "minggu ngajeng")])
async def test_departure_next_week_names_the_day(person, db, locale, words):
    p = await villager(person, 932, locale=locale, role="prospective")
    reply = await set_up(p, locale, departure=words)
    sees(
        reply,
        locale,
        "Departure date taken as {date}.",
        date=long_date(locale, date(2026, 12, 8), "full"),
    )
    plan = await row_of(db, Checklist, 932)
    assert (plan.departure_on, plan.departure_approx) == (date(2026, 12, 8), False)


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_expiry_given_as_a_month_runs_to_its_last_day(person, db, locale):
    p = await villager(person, 933, locale=locale, role="prospective")
    await set_up(p, locale)
    await p.tap("⬜ " + label(locale, "", "Passport"))
    reply = await p.tap(label(locale, "button", "📅 Enter the expiry date"))
    sees(reply, locale, "Until when is it valid ({item})?", item=label(locale, "", "Passport"))
    reply = await p.say("Maret 2027")
    sees(
        reply,
        locale,
        "You gave the month only: I count it as valid until {date}, its last day.",
        date=long_date(locale, date(2027, 3, 31)),
    )
    assert (
        await db.get(ChecklistMark, (await person_id(db, 933), "passport"))
    ).expires_on == date(2027, 3, 31)


@pytest.mark.parametrize(
    ("locale", "words", "scheduled"),
    [
        ("id", "besok 08:00", datetime(2026, 12, 2, 1, 0, tzinfo=UTC)),
        ("jv", "sesuk 08.00", datetime(2026, 12, 2, 1, 0, tzinfo=UTC)),
        ("id", "Jumat 19.00", datetime(2026, 12, 4, 12, 0, tzinfo=UTC)),
        ("jv", "Jemuwah 19.00", datetime(2026, 12, 4, 12, 0, tzinfo=UTC)),
    ],
)
async def test_announcement_in_words(app, person, db, locale, words, scheduled):
    await villager(person, 934)
    bu = await officer(app, person, 935, "kebumen", locale=locale)
    reply = await announce(bu, "Info", locale=locale, when="Jumat 08.00 WITA kemarin")
    sees(reply, locale, "I could not read that date and time.")
    sees(reply, locale, "Type the date and time like this: 24-12-2026 08:00, besok 08:00")
    reply = await bu.say(words)
    sees(reply, locale, "<b>Preview above.</b>")
    await bu.tap(label(locale, "button", "Send"))
    announcement = (await db.scalars(select(Announcement))).one()
    assert announcement.scheduled_at == scheduled
