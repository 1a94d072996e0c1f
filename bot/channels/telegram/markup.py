"""A screen's choices as Telegram shows them: rows of inline buttons (laid out by
:func:`bot.channels.layout.lay_out` with the Telegram profile)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.layout import TELEGRAM, Keyboard, lay_out
from bot.conversation.choices import Choice, Choices


def _button(choice: Choice) -> InlineKeyboardButton:
    if choice.url is not None:
        return InlineKeyboardButton(choice.label, url=choice.url)
    return InlineKeyboardButton(choice.label, callback_data=choice.id)


def inline_keyboard(choices: Choices) -> InlineKeyboardMarkup:
    """An empty set of choices is an empty keyboard: an edit with it removes the buttons."""
    if not choices.items:
        return InlineKeyboardMarkup([])
    laid_out = lay_out(choices.items, TELEGRAM)
    assert isinstance(laid_out, Keyboard)  # Telegram has no list messages
    return InlineKeyboardMarkup([[_button(choice) for choice in row] for row in laid_out.rows])


def reply_markup(stored: Sequence[dict[str, Any]]) -> InlineKeyboardMarkup:
    """The keyboard of choices stored with a recorded reply (:mod:`bot.replies`)."""
    return inline_keyboard(Choices.from_json(stored))
