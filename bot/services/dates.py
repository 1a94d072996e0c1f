"""Reading dates people type: ``15-03-2027``, ``15/3/2027``, ``15.3.27``, ``15 Maret 2027``,
``Maret 2027`` / ``03-2027`` / ``Maret`` (a month only), ``akhir Maret`` (a part of a month),
and words relative to today: ``besok``, ``lusa``, ``minggu depan``, ``bulan depan`` and their
Javanese forms (``sesuk``, ``benjing``, ``minggu ngajeng``, ``wulan ngajeng``), in Indonesian,
Javanese or English month names.

:func:`parse_day` returns the date, whether only the month was given and whether the date was
worked out from words (then the screen names the day it assumed). Impossible dates (31-02),
past ones and ones too far ahead raise :class:`DateError` with a ``reason`` the caller turns
into a message. Relative words count from ``today``: the caller passes the injected clock's
date in the person's time zone.

Why not ``dateparser`` (which has Indonesian): measured here (1.4.3, from PyPI), it imports
in 50 ms, but with ``languages=["id"]`` it returns nothing for ``lusa``, ``minggu depan`` and
``akhir Maret``, turns ``bulan depan`` into a day (so "the month only" is lost, which the
checklist needs), and has no Javanese. It would add two dependencies (``regex``, ``tzlocal``)
for a small part of what is needed here, so the forms are read from the tables below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

# Indonesian, Javanese (Latin script, with and without è/é) and English names and short forms.
MONTHS: dict[str, int] = {}
for number, names in enumerate(
    [
        "januari january jan",
        "februari pebruari february feb peb",
        "maret march mar",
        "april apr",
        "mei may",
        "juni june jun",
        "juli july jul",
        "agustus august agt agu aug",
        "september sèptèmber septèmber sep sept",
        "oktober october okt oct",
        "november nopember nopèmber novèmber nov nop",
        "desember december désèmber dèsèmber des dec",
    ],
    start=1,
):
    for name in names.split():
        MONTHS[name] = number

# Words for a day counted from today: word -> (unit, how many, why the word is here).
# A "months" word names a whole month (like "Maret 2027"), the others one day.
RELATIVE: dict[str, tuple[Literal["days", "months"], int, str]] = {
    "hari ini": ("days", 0, "id: today"),
    "dinten menika": ("days", 0, "jv krama: today"),
    "dina iki": ("days", 0, "jv ngoko: today"),
    "besok": ("days", 1, "id: tomorrow"),
    "besuk": ("days", 1, "id/jv: tomorrow, as many in Kebumen spell 'besok'"),
    "sesuk": ("days", 1, "jv ngoko: tomorrow"),
    "benjing": ("days", 1, "jv krama: tomorrow"),
    "mbenjing": ("days", 1, "jv krama: tomorrow, the other common spelling"),
    "lusa": ("days", 2, "id and jv ngoko: the day after tomorrow"),
    "samenjing": ("days", 2, "jv krama: the day after tomorrow"),
    "minggu depan": ("days", 7, "id: next week; the same weekday a week from today"),
    "pekan depan": ("days", 7, "id (formal): next week"),
    "minggu ngajeng": ("days", 7, "jv krama: next week ('ngajeng' = ahead)"),
    "minggu ngarep": ("days", 7, "jv ngoko: next week"),
    "bulan depan": ("months", 1, "id: next month"),
    "wulan ngajeng": ("months", 1, "jv krama: next month"),
    "wulan ngarep": ("months", 1, "jv ngoko: next month"),
    "sasi ngarep": ("months", 1, "jv ngoko: next month ('sasi' = month)"),
}

# A part of a month before a month name ("akhir Maret"): word -> (day, why). 0 = last day.
MONTH_PART: dict[str, tuple[int, str]] = {
    "akhir": (0, "id: the end of the month"),
    "pungkasan": (0, "jv krama: the end of the month"),
    "pungkasaning": (0, "jv krama: 'the end of' (pungkasaning Maret)"),
    "awal": (1, "id: the start of the month"),
    "wiwitan": (1, "jv: the start of the month"),
    "tengah": (15, "id/jv: the middle of the month"),
    "pertengahan": (15, "id: the middle of the month"),
}

# Day names for announcements ("Jumat 19.00" = the next Friday): name -> Monday=0 .. Sunday=6.
WEEKDAYS: dict[str, int] = {}
for number, names in enumerate(
    [
        "senin senen",  # id / jv
        "selasa slasa",
        "rabu rebo",
        "kamis kemis",
        "jumat jum'at jemuwah jumuwah",
        "sabtu setu",
        "minggu ahad",
    ]
):
    for name in names.split():
        WEEKDAYS[name] = number

_NUMERIC = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{2}|\d{4})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{4})$")
_WORDS = re.compile(r"^(?:(\d{1,2})\s+)?([a-zèé]+)\.?(?:\s+(\d{2}|\d{4}))?$")
_PART = re.compile(r"^([a-z]+)\s+(?:bulan\s+|wulan\s+|sasi\s+)?([a-zèé]+)\.?(?:\s+(\d{4}))?$")


class DateError(ValueError):
    """``reason``: ``format``, ``impossible``, ``past`` or ``far``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Day:
    """``value``; ``month_only``: only a month was given; ``assumed``: the day was worked out
    (month only, a part of a month or a relative word), so the screen should name it."""

    value: date
    month_only: bool = False
    assumed: bool = False


def clean(text: str) -> str:
    return " ".join(text.strip().lower().replace(",", " ").replace("’", "'").split())


def _year(text: str) -> int:
    year = int(text)
    return 2000 + year if year < 100 else year


def month_end(value: date) -> date:
    following = date(value.year + value.month // 12, value.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _coming_year(month: int, today: date) -> int:
    """The year of the next ``month`` that has not ended yet (this month counts)."""
    return today.year if month >= today.month else today.year + 1


def _month_day(year: int, month: int, which: Literal["first", "last"]) -> date:
    first = date(year, month, 1)
    return first if which == "first" else month_end(first)


def _read(cleaned: str, today: date, which: Literal["first", "last"]) -> Day:
    if (relative := RELATIVE.get(cleaned)) is not None:
        unit, amount, _reason = relative
        if unit == "days":
            return Day(today + timedelta(days=amount), assumed=True)
        index = today.year * 12 + today.month - 1 + amount
        return Day(_month_day(index // 12, index % 12 + 1, which), True, True)
    if match := _NUMERIC.match(cleaned):
        day, month, year = int(match.group(1)), int(match.group(2)), _year(match.group(3))
        return Day(_make(year, month, day))
    if match := _MONTH_YEAR.match(cleaned):
        month, year = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise DateError("impossible")
        return Day(_month_day(year, month, which), True, True)
    if (match := _PART.match(cleaned)) and match.group(1) in MONTH_PART:
        month_number = MONTHS.get(match.group(2))
        if month_number is None:
            raise DateError("format")
        day = MONTH_PART[match.group(1)][0]
        year = int(match.group(3)) if match.group(3) else _coming_year(month_number, today)
        first = date(year, month_number, 1)
        return Day(month_end(first) if day == 0 else first.replace(day=day), assumed=True)
    if match := _WORDS.match(cleaned):
        month_number = MONTHS.get(match.group(2))
        if month_number is None:
            raise DateError("format")
        if match.group(1) is None:
            year = _year(match.group(3)) if match.group(3) else _coming_year(month_number, today)
            return Day(_month_day(year, month_number, which), True, True)
        day = int(match.group(1))
        if match.group(3):
            year = _year(match.group(3))
        else:  # "15 Maret": the next 15 March from today on
            passed = (month_number, day) < (today.month, today.day)
            year = today.year + 1 if passed else today.year
        return Day(_make(year, month_number, day))
    raise DateError("format")


def _make(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateError("impossible") from None


def parse_day(
    text: str,
    *,
    today: date,
    max_years: int = 3,
    allow_past: bool = False,
    month_day: Literal["first", "last"] = "first",
) -> Day:
    """``month_day``: the day a month-only date stands for. A departure given as a month
    counts from its first day (reminders come early enough); an expiry given as a month means
    "valid through that month", so its last day."""
    day = _read(clean(text), today, month_day)
    last_day = month_end(day.value) if day.month_only else day.value
    if not allow_past and last_day < today:
        raise DateError("past")
    if day.value.year > today.year + max_years:
        raise DateError("far")
    return day
