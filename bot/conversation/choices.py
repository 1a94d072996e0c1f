"""A screen's choices, stated once: what a person can tap, grouped the way they belong
together. How they look (inline buttons, reply buttons, a list) is the channel's
business (:mod:`bot.channels.layout`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Choice:
    """One thing a person can choose: ``id`` comes back when they choose it. A choice
    with a ``url`` opens that link instead (a share link, a chat with the bot)."""

    id: str
    label: str
    group: str | None = None  # choices of one group are shown together (a row)
    url: str | None = None


Row = Sequence["tuple[str, str] | Choice"]


@dataclass(frozen=True)
class Choices:
    """The choices of one screen, in order. Built from rows: each row is a group."""

    items: tuple[Choice, ...]

    @classmethod
    def rows(cls, rows: Sequence[Row]) -> Choices:
        """Rows of ``(label, id)`` pairs or :class:`Choice` (for links)."""
        items: list[Choice] = []
        for number, row in enumerate(rows):
            group = str(number)
            for entry in row:
                if isinstance(entry, Choice):
                    items.append(Choice(entry.id, entry.label, group, entry.url))
                else:
                    label, choice_id = entry
                    items.append(Choice(choice_id, label, group))
        return cls(tuple(items))

    def to_json(self) -> list[dict[str, Any]]:
        return [
            {key: value for key, value in vars(item).items() if value is not None}
            for item in self.items
        ]

    @classmethod
    def from_json(cls, data: Sequence[dict[str, Any]]) -> Choices:
        return cls(
            tuple(
                Choice(str(item["id"]), str(item["label"]), item.get("group"), item.get("url"))
                for item in data
            )
        )


def link(label: str, url: str) -> Choice:
    """A choice that opens ``url``."""
    return Choice(url, label, url=url)
