"""The injected clock: everything that asks "what time is it" goes through here.

Tests and the simulator move time forward with :class:`ManualClock` (``:advance 3d``)
and watch scheduled work fall due; production uses :class:`SystemClock`.
All clocks return aware UTC datetimes; the database stores UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """Real time shifted by an offset that only ever grows (``advance``).

    Pass ``frozen=True`` for a clock that stands still except when advanced, which makes
    transcript tests reproducible.
    """

    def __init__(self, start: datetime | None = None, *, frozen: bool = False) -> None:
        real_now = datetime.now(UTC)
        self._frozen_at: datetime | None = (start or real_now) if frozen else None
        self._offset = timedelta(0) if frozen or start is None else start - real_now

    def now(self) -> datetime:
        base = self._frozen_at if self._frozen_at is not None else datetime.now(UTC)
        return base + self._offset

    def set(self, moment: datetime) -> None:
        """Jump to ``moment`` (scripts start at a fixed date so transcripts repeat)."""
        if self._frozen_at is not None:
            self._frozen_at, self._offset = moment, timedelta(0)
        else:
            self._offset = moment - datetime.now(UTC)

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta(0):
            raise ValueError("time only moves forward")
        self._offset += delta


def parse_duration(text: str) -> timedelta:
    """Parse ``90s``, ``15m``, ``2h``, ``3d`` or ``1w`` (also combined: ``1d12h``)."""
    units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
    total = timedelta(0)
    number = ""
    for char in text.strip().lower():
        if char.isdigit():
            number += char
        elif char in units and number:
            total += timedelta(**{units[char]: int(number)})
            number = ""
        else:
            raise ValueError(f"not a duration: {text!r} (try 30m, 2h, 3d)")
    if number or total == timedelta(0):
        raise ValueError(f"not a duration: {text!r} (try 30m, 2h, 3d)")
    return total
