"""Reading a date and time an officer types: ``24-12-2026 08:00``, ``24/12/2026 8.00 WITA``.

Times are in WIB unless WITA or WIT is written after them. The result is UTC.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
LATEST = timedelta(days=366)
PATTERN = re.compile(
    r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})[ ,]+(\d{1,2})[:.](\d{2})\s*(WIB|WITA|WIT)?\s*$",
    re.IGNORECASE,
)


class WhenError(ValueError):
    """``reason`` is ``format``, ``past`` or ``far``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_when(text: str, *, now: datetime, default_zone: str = "Asia/Jakarta") -> datetime:
    match = PATTERN.match(text)
    if match is None:
        raise WhenError("format")
    day, month, year, hour, minute, zone = match.groups()
    tz = ZoneInfo(ZONES[zone.upper()] if zone else default_zone)
    try:
        local = datetime(int(year), int(month), int(day), int(hour), int(minute), tzinfo=tz)
    except ValueError:
        raise WhenError("format") from None
    moment = local.astimezone(now.tzinfo)
    if moment <= now:
        raise WhenError("past")
    if moment - now > LATEST:
        raise WhenError("far")
    return moment
