"""Numbers that come from outside: deep-link payloads, button data, typed arguments.

Only ASCII digits count: ``"²".isdigit()`` is true but ``int("²")`` fails, and
``int("١٢")`` (Arabic-Indic) is 12, so neither ``isdigit`` nor ``\\d`` is a check. A
number must also fit its column: PostgreSQL (asyncpg) refuses a row id beyond a 32-bit
INTEGER with an error where a missing row was meant, and a Telegram id has at most 52
significant bits (https://core.telegram.org/bots/api#user). Anything else is ``None``,
which callers answer like a row that does not exist (an expired button, the usage text).
"""

from __future__ import annotations

import re

ROW_ID_MAX = 2**31 - 1  # INTEGER primary keys
TELEGRAM_ID_MAX = 2**52 - 1  # BIGINT columns holding Telegram user and chat ids
_DIGITS = re.compile(r"[0-9]{1,16}")


def number(text: str | None, maximum: int = ROW_ID_MAX) -> int | None:
    """``text`` as a non-negative number of ASCII digits not above ``maximum``, else None."""
    if text is None or _DIGITS.fullmatch(text) is None:
        return None
    value = int(text)
    return value if value <= maximum else None


def row_id(text: str | None) -> int | None:
    """A table's id (case, announcement, quiz round), or None."""
    return number(text, ROW_ID_MAX)


def telegram_id(text: str | None) -> int | None:
    """A Telegram user id, or None."""
    return number(text, TELEGRAM_ID_MAX)
