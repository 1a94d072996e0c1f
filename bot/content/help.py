"""Help requests' content (``help.yaml``): categories, emergency contacts and deadlines.

The categories must be exactly the ones the case service knows (a case's category is a
stored id); contacts carry their source, and only verified numbers belong here.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.content.loading import load_yaml
from bot.services.help_requests import CATEGORIES, URGENT_CATEGORIES

HELP_FILE = Path(__file__).with_name("help.yaml")
DURATION = re.compile(r"^(\d+)([mhd])$")
UNITS = {"m": "minutes", "h": "hours", "d": "days"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(_Strict):
    id: str
    label: str = Field(min_length=3, max_length=48)
    urgent: bool
    source: str = Field(min_length=3)


class Contact(_Strict):
    id: str
    name: str = Field(min_length=3, max_length=80)
    number: str | None = Field(default=None, pattern=r"^[0-9+][0-9 -]{1,20}$")
    abroad: str | None = Field(default=None, pattern=r"^\+[0-9 -]{6,20}$")
    whatsapp: str | None = Field(default=None, pattern=r"^[0-9+][0-9 -]{6,20}$")
    link: str | None = Field(default=None, pattern=r"^https://")
    note: str = Field(min_length=3, max_length=160)
    source: str = Field(min_length=3)

    @model_validator(mode="after")
    def _reachable(self) -> Contact:
        if not (self.number or self.link):
            raise ValueError("a contact needs a number or a link")
        return self


def _duration(value: object) -> timedelta:
    match = DURATION.match(str(value).strip())
    if match is None:
        raise ValueError(f"{value!r} is not a duration like 30m, 2h or 3d")
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


class Deadlines(_Strict):
    urgent_realert: timedelta
    urgent_escalate: timedelta
    normal_escalate: timedelta
    idle_reminder: timedelta
    close_after: timedelta

    @field_validator("*", mode="before")
    @classmethod
    def _parse(cls, value: object) -> timedelta:
        return _duration(value)

    @model_validator(mode="after")
    def _order(self) -> Deadlines:
        if self.urgent_realert >= self.urgent_escalate:
            raise ValueError("urgent_realert must come before urgent_escalate")
        return self


class HelpContent(_Strict):
    version: int = Field(ge=1, le=1)
    categories: list[Category]
    contacts: list[Contact] = Field(min_length=1)
    deadlines: Deadlines

    @model_validator(mode="after")
    def _known_categories(self) -> HelpContent:
        ids = [category.id for category in self.categories]
        if sorted(ids) != sorted(CATEGORIES):
            missing = sorted(set(CATEGORIES) - set(ids))
            extra = sorted(set(ids) - set(CATEGORIES))
            raise ValueError(
                f"categories must be {list(CATEGORIES)}: missing {missing}, "
                f"unknown or repeated {extra or sorted(ids)}"
            )
        urgent = {category.id for category in self.categories if category.urgent}
        if urgent != URGENT_CATEGORIES:
            raise ValueError(f"urgent categories must be {sorted(URGENT_CATEGORIES)}")
        return self

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)


def load_help(path: Path = HELP_FILE) -> HelpContent:
    return load_yaml(path, HelpContent)
