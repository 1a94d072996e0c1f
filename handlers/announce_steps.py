"""The announcement dialog's answers and rules: who may announce to whom, the way back
through the steps, and the limits of a text.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from bot.conversation import Event, Turn
from bot.services.announcements import MAX_CAPTION, MAX_TEXT, Audience
from handlers.common import end, is_admin, load_officer
from handlers.navigation import go_home

DIALOG = "announce"
PICKS = ("villages", "roles", "locales")
EDITABLE = ("text", "versions", "audience", "when")
KEPT_SHOWN = 24  # characters of a text or time on its "Keep" button (a date and time fits)

# "« Back": the step before each step (None: no Back; the pick has its Done, the edit
# list its "« Back to the preview").
BACK: dict[str, str] = {
    "photo": "text",
    "versions": "photo",
    "version": "versions",
    "audience": "versions",
    "when": "audience",
    "when_typed": "when",
    "preview": "when",
}


def before(step_name: str, data: dict[str, Any]) -> str | None:
    """The step "« Back" leads to from ``step_name``; while editing, the edit list."""
    if data.get("editing") and step_name in EDITABLE:
        return "edit"
    return BACK.get(step_name)


# --- who may announce, to whom -----------------------------------------------------------


async def sender_scope(context: Turn) -> tuple[bool, str | None, Collection[str] | None]:
    """``(allowed, area_id, village_ids)``; admins have no limit (``None``)."""
    if is_admin(context):
        return True, None, None
    officer = await load_officer(context)
    if officer is None:
        return False, None, None
    area = context.services.villages.area(officer.area_id)
    return area is not None, officer.area_id, area.village_ids if area else frozenset()


def answers(context: Turn) -> dict[str, Any]:
    return dict(context.user.dialog_data or {})


def back_rows(context: Turn) -> list[list[tuple[str, str]]]:
    """« Back, where the current step has a step before it."""
    here = context.user.step or ""
    if before(here, answers(context)) is None:
        return []
    return [[(context._.pgettext("button", "« Back"), f"an:back:{here}")]]


def keep_row(context: Turn, answer: str, data: str) -> list[tuple[str, str]]:
    short = answer if len(answer) <= KEPT_SHOWN else answer[: KEPT_SHOWN - 1].rstrip() + "…"
    return [(context._.pgettext("button", "Keep: {answer} ▶️", answer=short), data)]


def audience_of(context: Turn) -> Audience:
    return Audience.from_json(answers(context).get("audience"))


async def refuse(event: Event, context: Turn) -> None:

    end(context.user)
    await go_home(event, context, notice=context._("Only officers can send announcements."))


def too_long(context: Turn, length: int, *, photo: bool) -> str | None:
    """Why a text of ``length`` visible characters cannot be sent, or None if it can.

    With a photo the text is its caption, which Telegram limits to 1024 characters; both
    limits keep room for the sender line and the /berhenti line recipients also get.
    """
    _ = context._
    limit = MAX_CAPTION if photo else MAX_TEXT
    if length <= limit:
        return None
    if photo:
        return _(
            "With a photo the text can have at most {limit} characters; this one has {count}.",
            count=_.number(length),
            limit=_.number(limit),
        )
    return _(
        "This text has {count} characters; an announcement can have at most {limit}.",
        count=_.number(length),
        limit=_.number(limit),
    )
