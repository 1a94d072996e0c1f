"""Inline keyboards. Buttons carry stable ids (``ob:role:family``), never translated text."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content import Villages
from bot.i18n import Translator

# Each language is named in itself, so anyone can find their own.
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "jv": "Basa Jawa", "en": "English"}


def keyboard(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Rows of ``(label, callback_data)``."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def choice(yes: tuple[str, str], no: tuple[str, str]) -> InlineKeyboardMarkup:
    """Two answers, one a row: ``(label, callback_data)`` each."""
    return keyboard([[yes], [no]])


def language_keyboard(prefix: str, current: str | None = None) -> InlineKeyboardMarkup:
    return keyboard(
        [
            [(("✓ " if code == current else "") + name, f"{prefix}:{code}")]
            for code, name in LANGUAGE_NAMES.items()
        ]
    )


def role_labels(_: Translator) -> dict[str, str]:
    return {
        "prospective": _.pgettext("role", "Planning to work abroad"),
        "abroad": _.pgettext("role", "Working abroad now"),
        "family": _.pgettext("role", "Family of a migrant worker"),
    }


def role_keyboard(_: Translator, prefix: str) -> InlineKeyboardMarkup:
    return keyboard([[(label, f"{prefix}:{role}")] for role, label in role_labels(_).items()])


def village_keyboard(
    _: Translator, villages: Villages, prefix: str, preselected: str | None = None
) -> InlineKeyboardMarkup:
    rows: list[list[tuple[str, str]]] = []
    if (village := villages.village(preselected)) is not None:
        rows.append([(f"✅ {village.name} ({village.kecamatan})", f"{prefix}:{village.id}")])
    rows += [
        [(f"{v.name} ({v.kecamatan})", f"{prefix}:{v.id}")]
        for v in villages.villages.values()
        if v.id != preselected
    ]
    rows.append([(_.pgettext("button", "Another village…"), f"{prefix}:other")])
    return keyboard(rows)
