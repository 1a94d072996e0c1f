"""How a screen's choices are laid out on a channel: stated once, degraded by rule.

A screen lists its choices once (an id, a label, and the group they belong with: the
yes/no pair, one row of a quiz's answers). Each channel has a :class:`Profile` of its
limits, and :func:`lay_out` turns the choices into what that channel can show:

- **Telegram**: rows of inline buttons. A group is one row, split when it has more
  buttons than a row holds; a choice without a group has a row of its own. An id longer
  than the callback data Telegram accepts, or more buttons than a keyboard holds, is a
  programming error: it is refused here, before a person ever taps anything.
- **WhatsApp**: up to three reply buttons when there are at most three choices and every
  label fits a button (no two the same); otherwise a list message, ten rows a page.
  Beyond ten, a page holds fewer choices and "back"/"more" rows that open the
  neighbouring page. A label too long for a row is shortened with an ellipsis, and given
  whole as the row's description.

Limits: Telegram's ``callback_data`` is 1-64 bytes, an inline keyboard 100 buttons and 8 a
row (PTB's ``InlineKeyboardMarkupLimit``); WhatsApp's reply buttons are at most 3 with
titles of 20 characters, its lists at most 10 rows with titles of 24 characters and
descriptions of 72, and the button that opens a list has 20 (``platform-facts.md`` §7).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from bot.conversation.choices import Choice

__all__ = [
    "TELEGRAM",
    "WHATSAPP",
    "Choice",
    "Keyboard",
    "LayoutError",
    "ListPage",
    "Profile",
    "Row",
    "lay_out",
    "page_asked",
    "pages_of",
    "shorten",
]

ELLIPSIS = "…"
PAGE_PREFIX = "page:"  # the id of a "back"/"more" row: the page it opens


@dataclass(frozen=True)
class Profile:
    """What one channel can show of a set of choices."""

    name: str
    id_max_bytes: int
    per_row: int  # buttons in one row (Telegram)
    buttons_max: int  # Telegram: in a keyboard; WhatsApp: reply buttons
    button_label_max: int | None  # characters (None: the channel wraps them)
    list_rows_max: int | None = None  # None: the channel has no list messages
    row_label_max: int = 0
    row_description_max: int = 0
    list_button_max: int = 0


TELEGRAM = Profile("telegram", id_max_bytes=64, per_row=8, buttons_max=100, button_label_max=None)
WHATSAPP = Profile(
    "whatsapp",
    id_max_bytes=200,  # a list row's id (a reply button's may be 256)
    per_row=1,
    buttons_max=3,
    button_label_max=20,
    list_rows_max=10,
    row_label_max=24,
    row_description_max=72,
    list_button_max=20,
)


@dataclass(frozen=True)
class Keyboard:
    """Rows of buttons (Telegram's inline keyboard, WhatsApp's reply buttons in one row)."""

    rows: tuple[tuple[Choice, ...], ...]


@dataclass(frozen=True)
class Row:
    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class ListPage:
    """One page of a WhatsApp list message: the button that opens it and its rows."""

    button: str
    rows: tuple[Row, ...]
    page: int
    pages: int


class LayoutError(ValueError):
    """Choices no layout can show on the channel (a programming error, not a person's)."""


def shorten(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, an ellipsis showing where it was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def lay_out(
    choices: Sequence[Choice],
    profile: Profile,
    *,
    page: int = 0,
    open_label: str = "",
    more: str = "",
    back: str = "",
) -> Keyboard | ListPage:
    """The choices as ``profile``'s channel shows them (for a list, page ``page``).

    ``open_label`` names the button that opens a list; ``more`` and ``back`` label the
    rows that page through one. They are the screen's words, already translated."""
    _check(choices, profile)
    if profile.list_rows_max is None:
        return Keyboard(_rows(choices, profile.per_row))
    labels = [choice.label for choice in choices]
    if (
        len(choices) <= profile.buttons_max
        and len(set(labels)) == len(labels)  # WhatsApp refuses two buttons of one title
        and all(
            profile.button_label_max is None or len(label) <= profile.button_label_max
            for label in labels
        )
    ):
        return Keyboard((tuple(choices),))
    return _list_page(choices, profile, page, open_label=open_label, more=more, back=back)


def pages_of(count: int, per_page: int) -> list[range]:
    """Which choices each page of a list holds. All on one page when they fit; else the
    first page keeps a row for "more", the last one for "back", the others for both."""
    if count <= per_page:
        return [range(count)]
    if per_page < 3:
        raise LayoutError(f"a page of {per_page} rows cannot page through {count} choices")
    spans = [range(per_page - 1)]
    start = per_page - 1
    while count - start > per_page - 1:  # what is left does not fit on a last page
        spans.append(range(start, start + per_page - 2))
        start += per_page - 2
    spans.append(range(start, count))
    return spans


def page_asked(choice_id: str) -> int | None:
    """The page a "back"/"more" row opens, or None for any other id."""
    number = choice_id.removeprefix(PAGE_PREFIX)
    if number == choice_id or not number.isdigit():
        return None
    return int(number)


def _check(choices: Sequence[Choice], profile: Profile) -> None:
    if not choices:
        raise LayoutError("a screen with a layout needs at least one choice")
    ids = [choice.id for choice in choices if choice.url is None]
    if len(set(ids)) != len(ids):
        raise LayoutError(f"two choices share an id: {ids}")
    for choice in choices:
        if choice.url is not None:
            continue  # a link: nothing comes back
        size = len(choice.id.encode("utf-8"))
        if not 1 <= size <= profile.id_max_bytes:
            raise LayoutError(
                f"{profile.name}: the id {choice.id!r} is {size} bytes "
                f"(1 to {profile.id_max_bytes} allowed)"
            )
        if choice.id.startswith(PAGE_PREFIX):
            raise LayoutError(f"{choice.id!r}: ids starting {PAGE_PREFIX!r} page lists")
    if profile.list_rows_max is None and len(choices) > profile.buttons_max:
        raise LayoutError(
            f"{profile.name}: {len(choices)} buttons (at most {profile.buttons_max})"
        )


def _rows(choices: Sequence[Choice], per_row: int) -> tuple[tuple[Choice, ...], ...]:
    rows: list[tuple[Choice, ...]] = []

    # Consecutive choices of one group share rows; a choice without a group is alone.
    def key(choice: Choice) -> str:
        return choice.group if choice.group is not None else "\0" + choice.id

    for _group, members in groupby(choices, key=key):
        together = list(members)
        rows.extend(
            tuple(together[start : start + per_row]) for start in range(0, len(together), per_row)
        )
    return tuple(rows)


def _list_page(
    choices: Sequence[Choice],
    profile: Profile,
    page: int,
    *,
    open_label: str,
    more: str,
    back: str,
) -> ListPage:
    assert profile.list_rows_max is not None
    spans = pages_of(len(choices), profile.list_rows_max)
    page = min(max(page, 0), len(spans) - 1)  # a stale "more" after the list shrank
    rows = [_row(choices[index].id, choices[index].label, profile) for index in spans[page]]
    if page > 0:
        rows.insert(0, _row(f"{PAGE_PREFIX}{page - 1}", back, profile))
    if page < len(spans) - 1:
        rows.append(_row(f"{PAGE_PREFIX}{page + 1}", more, profile))
    button = shorten(open_label, profile.list_button_max)
    return ListPage(button, tuple(rows), page, len(spans))


def _row(choice_id: str, label: str, profile: Profile) -> Row:
    title = shorten(label, profile.row_label_max)
    description = "" if title == label else shorten(label, profile.row_description_max)
    return Row(choice_id, title, description)
