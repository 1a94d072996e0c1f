"""Who a user is: language, role, village, consent (erasing it all: :mod:`bot.services.erasure`).

Roles a person may choose for themselves. Officers are not self-selected: they are granted
an area by an admin (see :mod:`bot.services.officers`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from storage.models import User

if TYPE_CHECKING:
    pass

ROLES = ("prospective", "abroad", "family")
CONSENT_GIVEN = "given"
CONSENT_DECLINED = "declined"
MAX_VILLAGE_NAME = 60


def is_registered(user: User) -> bool:
    """Onboarding finished: consent answered either way."""
    return user.consent in (CONSENT_GIVEN, CONSENT_DECLINED)


def has_consent(user: User) -> bool:
    return user.consent == CONSENT_GIVEN


def set_locale(user: User, locale: str, now: datetime) -> None:
    user.locale = locale
    user.updated_at = now


def give_consent(
    user: User,
    *,
    role: str | None,
    village_id: str | None,
    other_village: str | None,
    now: datetime,
) -> None:
    if role is not None and role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    user.consent = CONSENT_GIVEN
    user.consent_at = now
    user.role = role
    user.village_id = village_id
    user.other_village = other_village
    user.updated_at = now


def decline_consent(user: User, now: datetime) -> None:
    """Keep only what is needed to keep talking: the id, the language, the refusal."""
    user.consent = CONSENT_DECLINED
    user.consent_at = now
    user.role = user.village_id = user.other_village = None
    user.dialog_data = None
    user.help_draft = user.help_draft_at = None  # an unsent help request goes too
    user.updated_at = now


def set_village(
    user: User, village_id: str | None, other_village: str | None, now: datetime
) -> None:
    user.village_id = village_id
    user.other_village = other_village
    user.updated_at = now


def set_role(user: User, role: str, now: datetime) -> None:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    user.role = role
    user.updated_at = now


def set_announcements(user: User, *, off: bool, now: datetime) -> None:
    user.announcements_off = off
    user.updated_at = now


def clean_village_name(text: str) -> str | None:
    """A typed village name, tidied; None when it is not a usable name."""
    name = " ".join(text.split())
    if not name or len(name) > MAX_VILLAGE_NAME or not any(ch.isalpha() for ch in name):
        return None
    return name
