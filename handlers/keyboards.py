"""Screens' choices. Each carries a stable id (``ob:role:family``), never translated text."""

from __future__ import annotations

from collections.abc import Sequence

from bot.content import Villages
from bot.conversation.choices import Choices, Row
from bot.i18n import Translator

# Each language is named in itself, so anyone can find their own.
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "jv": "Basa Jawa", "en": "English"}


def keyboard(rows: Sequence[Row]) -> Choices:
    """Rows of ``(label, id)`` (or of :class:`~bot.conversation.choices.Choice` for a
    link): each row is a group the channel keeps together."""
    return Choices.rows(rows)


def choice(yes: tuple[str, str], no: tuple[str, str]) -> Choices:
    """Two answers, one a row: ``(label, id)`` each."""
    return keyboard([[yes], [no]])


def language_keyboard(prefix: str, current: str | None = None) -> Choices:
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


def role_keyboard(_: Translator, prefix: str) -> Choices:
    return keyboard([[(label, f"{prefix}:{role}")] for role, label in role_labels(_).items()])


def village_keyboard(
    _: Translator, villages: Villages, prefix: str, preselected: str | None = None
) -> Choices:
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
