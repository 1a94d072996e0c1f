"""The pre-departure checklist (``checklist.yaml``): items, groups, countries, sectors and
departure-anchored reminders, validated when the bot starts.

Every user-facing text in the file is an English source string translated through the
gettext catalogs (``bot.content.extract`` feeds them to ``make messages``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from bot.content.loading import load_yaml
from bot.content.villages import SLUG

CHECKLIST_FILE = Path(__file__).with_name("checklist.yaml")
SCHEMES = ("p3mi", "g2g", "ukps", "unsure")
Group = Literal[
    "documents",
    "health",
    "training",
    "agreements",
    "insurance",
    "before_flight",
    "after_arrival",
]
GROUPS: tuple[str, ...] = get_args(Group)  # the checklist's order of groups
Scope = Literal["all"] | list[str]
# Texts may name the Indonesian office in the person's destination country; nothing else
# is formatted into them (see ``_placeholders``).
OFFICE = "{office}"
OFFICE_KINDS = ("KBRI", "KJRI", "KDEI")  # embassy, consulate, the office in Taiwan


def _placeholders(text: str, allowed: tuple[str, ...]) -> str:
    """``text`` if its only curly braces are the ``allowed`` placeholders."""
    rest = text
    for placeholder in allowed:
        rest = rest.replace(placeholder, "")
    if "{" in rest or "}" in rest:
        found = re.findall(r"\{[^{}]*\}?", rest) or ["{"]
        hint = f"only {', '.join(allowed)}" if allowed else "none"
        raise ValueError(f"unknown placeholder {found[0]!r} (allowed: {hint})")
    return text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Country(_Strict):
    id: str = Field(pattern=SLUG)
    name: str = Field(min_length=2, max_length=40)
    timezone: str
    # The office's own name (not translated), e.g. "KDEI Taipei"; its kind is the first word.
    office: str = Field(pattern=rf"^({'|'.join(OFFICE_KINDS)}) [A-Z][A-Za-z ]+$", max_length=40)
    source: str = Field(min_length=3)

    @property
    def office_kind(self) -> str:
        return self.office.split(" ", 1)[0]

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class Sector(_Strict):
    id: str = Field(pattern=SLUG)
    name: str = Field(min_length=2, max_length=40)


class Item(_Strict):
    id: str = Field(pattern=SLUG)
    group: Group
    title: str = Field(min_length=3, max_length=48)
    why: str = Field(min_length=10)
    where: str = Field(min_length=5)
    cost: Literal["free", "paid", "check"]
    cost_note: str = Field(min_length=5)
    legal_basis: str | None = None
    warning: str = Field(min_length=10)
    schemes: Scope = "all"
    destinations: Scope = "all"
    sectors: Scope = "all"
    expiry: bool = False
    source: str = Field(min_length=3)

    @field_validator("title", "cost_note")
    @classmethod
    def _plain(cls, value: str) -> str:
        return _placeholders(value, ())

    @field_validator("why", "where", "warning")
    @classmethod
    def _may_name_the_office(cls, value: str) -> str:
        return _placeholders(value, (OFFICE,))

    @model_validator(mode="after")
    def _free_items_cite_the_law(self) -> Item:
        if self.cost == "free" and not self.legal_basis:
            raise ValueError("a free item must name its legal basis")
        return self

    def applies(self, scheme: str | None, country: str | None, sector: str | None) -> bool:
        return all(
            scope == "all" or value is None or value in scope
            for scope, value in (
                (self.schemes, scheme),
                (self.destinations, country),
                (self.sectors, sector),
            )
        )


class Reminder(_Strict):
    id: str = Field(pattern=SLUG)
    offset_days: int = Field(ge=-120, le=60)
    items: list[str] = Field(default_factory=list)
    text: str = Field(min_length=10)
    source: str = Field(min_length=3)

    @field_validator("text")
    @classmethod
    def _may_name_the_office(cls, value: str) -> str:
        return _placeholders(value, (OFFICE,))


class _ChecklistFile(_Strict):
    version: Literal[1]
    countries: list[Country] = Field(min_length=1)
    sectors: list[Sector] = Field(min_length=1)
    items: list[Item] = Field(min_length=5)
    reminders: list[Reminder] = Field(min_length=1)
    expiry_reminder_days: list[int] = Field(min_length=1)
    nudge_days: int = Field(ge=7)

    @model_validator(mode="after")
    def _references(self) -> _ChecklistFile:
        for kind, entries in (
            ("country", self.countries),
            ("sector", self.sectors),
            ("item", self.items),
            ("reminder", self.reminders),
        ):
            ids = [entry.id for entry in entries]
            duplicates = {i for i in ids if ids.count(i) > 1}
            if duplicates:
                raise ValueError(f"duplicate {kind} id {sorted(duplicates)[0]!r}")
        known = {
            "schemes": set(SCHEMES),
            "destinations": {c.id for c in self.countries},
            "sectors": {s.id for s in self.sectors},
        }
        for item in self.items:
            for field, allowed in known.items():
                scope = getattr(item, field)
                if scope != "all" and not set(scope) <= allowed:
                    wrong = sorted(set(scope) - allowed)
                    raise ValueError(f"item {item.id!r}: unknown {field} {wrong}")
        item_ids = {item.id for item in self.items}
        for reminder in self.reminders:
            if not set(reminder.items) <= item_ids:
                wrong = sorted(set(reminder.items) - item_ids)
                raise ValueError(f"reminder {reminder.id!r}: unknown items {wrong}")
        return self


class Checklist:
    """The validated checklist with look-ups."""

    def __init__(self, data: _ChecklistFile) -> None:
        self.countries = {c.id: c for c in data.countries}
        self.sectors = {s.id: s for s in data.sectors}
        self.items = {i.id: i for i in data.items}
        self.reminders = {r.id: r for r in data.reminders}
        self.expiry_reminder_days = tuple(sorted(data.expiry_reminder_days, reverse=True))
        self.nudge_days = data.nudge_days

    def items_for(self, scheme: str | None, country: str | None, sector: str | None) -> list[Item]:
        """The user's checklist, in group order, then file order."""
        chosen = [i for i in self.items.values() if i.applies(scheme, country, sector)]
        return sorted(chosen, key=lambda item: GROUPS.index(item.group))


def load_checklist(path: Path = CHECKLIST_FILE) -> Checklist:
    return Checklist(load_yaml(path, _ChecklistFile))
