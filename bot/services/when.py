"""Reading a date and time an officer types: ``24-12-2026 08:00``, ``24/12/2026 8.00 WITA``,
``24 Desember 2026 08:00``, ``besok 08:00``, ``lusa jam 9.30``, ``Jumat 19.00`` (the next
Friday: today when 19:00 is still ahead), with Indonesian or Javanese day names
(``Jemuwah``, ``Setu``, ``Minggu``/``Ahad``, ``Senin``, ``Selasa``, ``Rebo``, ``Kemis``).

Times are in WIB unless WITA or WIT is written after them; words such as ``besok`` count from
today in that zone. The date part is read by :mod:`bot.services.dates`. The result is UTC.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.dates import WEEKDAYS, DateError, clean, parse_day

ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
LATEST = timedelta(days=366)
# The all-digits form (also what the simulator's ``:clock`` takes).
PATTERN = re.compile(
    r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})[ ,]+(\d{1,2})[:.](\d{2})\s*(WIB|WITA|WIT)?\s*$",
    re.IGNORECASE,
)
# Any date words, then the time ("jam"/"pukul"/"pkl" id, "tabuh" jv: "at ... o'clock").
WITH_TIME = re.compile(
    r"^(?P<day>.+?)[ ,]+(?:(?:jam|pukul|pkl\.?|tabuh)\s*)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})"
    r"\s*(?P<zone>wib|wita|wit)?$"
)
# "hari Jumat", "dinten Jemuwah", "dina Setu": the word for "day" before a day name.
DAY_WORD = re.compile(r"^(?:hari|dinten|dina)\s+")


class WhenError(ValueError):
    """``reason`` is ``format``, ``past`` or ``far``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_when(text: str, *, now: datetime, default_zone: str = "Asia/Jakarta") -> datetime:
    match = WITH_TIME.match(clean(text))
    if match is None:
        raise WhenError("format")
    zone = match.group("zone")
    tz = ZoneInfo(ZONES[zone.upper()] if zone else default_zone)
    try:
        at = time(int(match.group("hour")), int(match.group("minute")))
    except ValueError:
        raise WhenError("format") from None
    today = now.astimezone(tz).date()
    day_text = match.group("day")
    if (weekday := WEEKDAYS.get(DAY_WORD.sub("", day_text))) is not None:
        day = today + timedelta(days=(weekday - today.weekday()) % 7)
        if datetime.combine(day, at, tz) <= now:  # that day's time has passed: next week
            day += timedelta(days=7)
    else:
        day = _day(day_text, today)
    moment = datetime.combine(day, at, tz).astimezone(now.tzinfo)
    if moment <= now:
        raise WhenError("past")
    if moment - now > LATEST:
        raise WhenError("far")
    return moment


def _day(text: str, today: date) -> date:
    try:
        day = parse_day(text, today=today, allow_past=True, max_years=2)
    except DateError as exc:
        raise WhenError("far" if exc.reason == "far" else "format") from None
    if day.month_only:  # an announcement needs a day, not a month
        raise WhenError("format")
    return day.value
