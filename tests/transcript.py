"""Helpers for transcript tests: what the user should see, in their language."""

from __future__ import annotations

import functools
import re
from zoneinfo import ZoneInfo

from bot.catalogs import load
from bot.i18n import I18n
from bot.simulator import Reply

I18N = I18n("id", ZoneInfo("Asia/Jakarta"))


def tr(locale: str, message: str, context: str | None = None, **values: object) -> str:
    """The text a user with ``locale`` sees for the source ``message``."""
    translator = I18N.translator(locale)
    if context:
        text = translator.pgettext(context, message, **values)
    else:
        text = translator(message, **values)
    # Completeness is test_catalogs' job; some words are the same in every language (Menu).
    return text


@functools.cache
def _source_messages() -> tuple[str, ...]:
    return tuple(m.id for m in load("en") if m.id and isinstance(m.id, str) and not m.context)


def full_message(start: str) -> str:
    """The one source message that is ``start`` or begins with it (keeps tests short)."""
    messages = _source_messages()
    if start in messages:
        return start
    matches = [m for m in messages if m.startswith(start)]
    assert len(matches) == 1, f"{start!r} matches {len(matches)} messages"
    return matches[0]


def first_line(locale: str, message: str, **values: object) -> str:
    """The first line of a (possibly HTML) message, as a user sees it."""
    text = tr(locale, full_message(message), **values)
    return re.sub(r"<[^>]+>", "", text).splitlines()[0]


def sees(reply: Reply, locale: str, message: str, **values: object) -> None:
    expected = first_line(locale, message, **values)
    assert expected in reply.text, f"expected {expected!r} in:\n{reply.text}"


def label(locale: str, context: str, message: str, **values: object) -> str:
    return tr(locale, message, context, **values)


async def choose_language(person, name: str):
    """Tap a language button; the one Telegram pre-selected carries a ✓ in front."""
    labels = person.last_with_buttons().button_labels()
    return await person.tap(next(text for text in labels if text.removeprefix("✓ ") == name))
