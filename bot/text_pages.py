"""Long texts as pages of messages, sent a page per press of a button.

Telegram takes 4,096 characters per message (UTF-16 units, counted after the HTML is
parsed) and, in one chat, about a message a second before it answers 429. So a long
description or case history is cut into messages and the messages into pages: one press
sends one page, and a "More" button the next. Raw text is cut first and escaped after,
so a cut never falls inside an HTML tag or entity; the pieces of a cut text joined
together give the text back exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from bot.telegram_html import html_to_plain, telegram_length

# Visible characters per message: Telegram's 4,096 less room for a header line.
MESSAGE = 3500
# Messages per press: a short burst, which Telegram lets through in one chat (its FAQ:
# "avoid more than one message per second", short bursts allowed), and what an officer
# reads before deciding whether to read on. A 240,000-character text would otherwise be
# 69 messages at once; a description as long as one may now be written (4,000
# characters: two messages) with three photos still comes in one press.
PER_PRESS = 5


def visible(html: str) -> int:
    """What Telegram counts against its limit: the text after parsing, in UTF-16 units."""
    return telegram_length(html_to_plain(html))


def _fit(text: str, start: int, size: int) -> int:
    """The furthest end such that ``text[start:end]`` is at most ``size`` UTF-16 units."""
    end = min(len(text), start + size)
    while (over := telegram_length(text[start:end]) - size) > 0:
        end -= (over + 1) // 2  # a character is one or two units
    return max(end, start + 1)


def cut(text: str, size: int = MESSAGE) -> list[str]:
    """Raw ``text`` in pieces of at most ``size`` units, each ending at a line end or a
    space (kept, so ``"".join(pieces) == text``) unless a word fills half a message."""
    pieces: list[str] = []
    start = 0
    while start < len(text):
        end = _fit(text, start, size)
        if end < len(text):
            half = start + (end - start) // 2
            for separator in ("\n", " "):
                found = text.rfind(separator, half, end)
                if found != -1:
                    end = found + 1
                    break
        pieces.append(text[start:end])
        start = end
    return pieces


@dataclass(frozen=True)
class Entry:
    """One line of a paged text: markup (short, never cut) around a raw text that is cut
    when the line is longer than a message, and escaped here."""

    before: str
    text: str = ""
    after: str = ""

    @property
    def html(self) -> str:
        return f"{self.before}{escape(self.text)}{self.after}"


Message = tuple[str, int]  # HTML, and its visible length


def _add(messages: list[Message], entry: Entry, size: int) -> list[Message]:
    """``messages`` with ``entry`` on a line of the last one, or after it."""
    *done, (last, used) = messages or [("", 0)]
    line = entry.html
    length = visible(line)  # lines are whole tags: their lengths add up
    if last and used + 1 + length <= size:
        return [*done, (f"{last}\n{line}", used + 1 + length)]
    done = [*done, (last, used)] if last else done
    if length <= size:
        return [*done, (line, length)]
    # Longer than a message: only its text is cut, so the markup stays whole.
    room = size - visible(entry.before) - visible(entry.after)
    pieces = [escape(piece) for piece in cut(entry.text, room)]
    pieces[0] = entry.before + pieces[0]
    pieces[-1] += entry.after
    return done + [(piece, visible(piece)) for piece in pieces if html_to_plain(piece).strip()]


def pages(
    entries: Sequence[Entry],
    *,
    title: str,
    size: int = MESSAGE,
    per_page: int = PER_PRESS,
) -> list[list[str]]:
    """The entries as pages of at most ``per_page`` messages, each page starting with
    ``title`` and holding whole entries (only an entry longer than a whole page, which
    Telegram's limit on what people send rules out, runs on to the next page)."""
    top: list[Message] = [(title, visible(title))]
    done: list[list[Message]] = []
    page: list[Message] = []
    for entry in entries:
        grown = _add(page or top, entry, size)
        if page and len(grown) > per_page:
            done.append(page)
            grown = _add(top, entry, size)
        while len(grown) > per_page:
            done.append(grown[:per_page])
            grown = grown[per_page:]
        page = grown
    done.append(page or top)
    return [[html for html, _length in messages] for messages in done]


def page_count(items: int, per_page: int) -> int:
    """How many pages ``items`` fill (at least one, so an empty list still has a page)."""
    return max(1, -(-items // per_page))
