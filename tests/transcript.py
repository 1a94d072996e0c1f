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
    # Plural messages are looked up by their singular form.
    ids = (
        m.id if isinstance(m.id, str) else m.id[0] for m in load("en") if m.id and not m.context
    )
    return tuple(ids)


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
    source = full_message(message)
    if not values:  # compare up to the first placeholder that was not given
        source_line = source.splitlines()[0]
        text = tr(locale, source)
        line = re.sub(r"<[^>]+>", "", text).splitlines()[0]
        return line.split("{", 1)[0] if "{" in source_line else line
    text = tr(locale, source, **values)
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
