"""Reading dates people type: ``15-03-2027``, ``15/3/2027``, ``15.3.27``, ``15 Maret 2027``,
``Maret 2027`` (a month only), in Indonesian, Javanese or English month names.

:func:`parse_day` returns the date and whether only the month was given (then the date is
the month's first day). Impossible dates (31-02), past ones and ones too far ahead raise
:class:`DateError` with a ``reason`` the caller turns into a message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

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

_NUMERIC = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{2}|\d{4})$")
_WORDS = re.compile(r"^(?:(\d{1,2})\s+)?([a-zèé]+)\.?\s+(\d{2}|\d{4})$")


class DateError(ValueError):
    """``reason``: ``format``, ``impossible``, ``past`` or ``far``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Day:
    value: date
    month_only: bool = False


def _year(text: str) -> int:
    year = int(text)
    return 2000 + year if year < 100 else year


def parse_day(text: str, *, today: date, max_years: int = 3, allow_past: bool = False) -> Day:
    cleaned = " ".join(text.strip().lower().replace(",", " ").split())
    month_only = False
    if match := _NUMERIC.match(cleaned):
        day, month, year = int(match.group(1)), int(match.group(2)), _year(match.group(3))
    elif match := _WORDS.match(cleaned):
        month_number = MONTHS.get(match.group(2))
        if month_number is None:
            raise DateError("format")
        month, year = month_number, _year(match.group(3))
        month_only = match.group(1) is None
        day = 1 if month_only else int(match.group(1))
    else:
        raise DateError("format")
    try:
        value = date(year, month, day)
    except ValueError:
        raise DateError("impossible") from None
    last_day_of_month = value if not month_only else _month_end(value)
    if not allow_past and last_day_of_month < today:
        raise DateError("past")
    if value.year > today.year + max_years:
        raise DateError("far")
    return Day(value, month_only)


def _month_end(value: date) -> date:
    following = date(value.year + value.month // 12, value.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)
