"""Help requests' content (``help.yaml``): categories, emergency contacts, deadlines, the
answers to "when did you last hear from them?" that make a lost contact urgent, and the
common outcomes an officer gives when resolving a case.

The categories must be exactly the ones the case service knows (a case's category is a
stored id); contacts carry their source, and only verified numbers belong here.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

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
    # Show the emergency contacts before the request goes on, without making it urgent.
    contacts_first: bool = False
    source: str = Field(min_length=3)

    @property
    def shows_contacts(self) -> bool:
        """Whether the emergency contacts come first (every urgent category, and those
        marked ``contacts_first``)."""
        return self.urgent or self.contacts_first


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


Duration = Annotated[timedelta, BeforeValidator(_duration)]


class Deadlines(_Strict):
    urgent_realert: Duration
    urgent_escalate: Duration
    normal_escalate: Duration
    idle_reminder: Duration
    urgent_idle_reminder: Duration
    close_after: Duration

    @model_validator(mode="after")
    def _order(self) -> Deadlines:
        if self.urgent_realert >= self.urgent_escalate:
            raise ValueError("urgent_realert must come before urgent_escalate")
        if self.urgent_idle_reminder > self.idle_reminder:
            raise ValueError("urgent_idle_reminder must not come after idle_reminder")
        return self

    def idle_after(self, urgent: bool) -> timedelta:
        """How long a held case may go without action before its officer is reminded."""
        return self.urgent_idle_reminder if urgent else self.idle_reminder


class LastContactRange(_Strict):
    """One answer to "when did you last hear from them?", from ``start`` ago onwards."""

    id: str = Field(pattern=r"^[a-z0-9]{1,12}$")
    label: str = Field(min_length=3, max_length=30)
    start: Duration = Field(alias="from")


class Outcome(_Strict):
    """A common outcome of a resolved case: the officer's button, the requester's line."""

    id: str = Field(pattern=r"^[a-z0-9_]{1,20}$")
    label: str = Field(min_length=3, max_length=30)
    text: str = Field(min_length=3, max_length=160)
    source: str = Field(min_length=3)


class HelpContent(_Strict):
    version: int = Field(ge=1, le=1)
    categories: list[Category]
    contacts: list[Contact] = Field(min_length=1)
    deadlines: Deadlines
    lost_contact_urgent_after: Duration
    lost_contact_source: str = Field(min_length=3)
    last_contact_ranges: list[LastContactRange] = Field(min_length=2)
    outcomes: list[Outcome] = Field(min_length=1, max_length=12)

    @model_validator(mode="after")
    def _ranges(self) -> HelpContent:
        starts = [r.start for r in self.last_contact_ranges]
        if starts[0] != timedelta(0) or starts != sorted(set(starts)):
            raise ValueError("last_contact_ranges must start at 0d and go up, each once")
        if len({r.id for r in self.last_contact_ranges}) != len(starts):
            raise ValueError("last_contact_ranges: repeated id")
        if self.lost_contact_urgent_after not in starts[1:]:
            raise ValueError(
                "lost_contact_urgent_after must be where a range starts (after the first)"
            )
        return self

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

    @model_validator(mode="after")
    def _outcome_ids(self) -> HelpContent:
        ids = [outcome.id for outcome in self.outcomes]
        if len(set(ids)) != len(ids) or "typed" in ids:
            raise ValueError("outcomes: repeated id, or the reserved id 'typed'")
        return self

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def outcome(self, outcome_id: str | None) -> Outcome | None:
        return next((o for o in self.outcomes if o.id == outcome_id), None)

    def last_contact_range(self, range_id: str | None) -> LastContactRange | None:
        return next((r for r in self.last_contact_ranges if r.id == range_id), None)

    def lost_contact_urgent(self, category_id: str, range_id: str | None) -> bool:
        """A "lost contact" request is urgent once the last news is at least
        ``lost_contact_urgent_after`` old (by the range the requester chose)."""
        chosen = self.last_contact_range(range_id)
        return (
            category_id == "lost_contact"
            and chosen is not None
            and chosen.start >= self.lost_contact_urgent_after
        )


def load_help(path: Path = HELP_FILE) -> HelpContent:
    return load_yaml(path, HelpContent)
