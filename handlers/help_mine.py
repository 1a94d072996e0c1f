"""A requester's own cases: finding one (the owner is re-checked on every button), what
they add to it, and telling its officers.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.conversation import Turn
from bot.services import case_alerts
from bot.services import help_requests as cases
from bot.services.help_requests import load_case
from storage.models import HelpRequest

ADD_DIALOG = "help_add"
ROUTE_DIALOG = "help_route"
LISTED = 15
# The last messages on the requester's page, each cut short, so the page always fits one
# Telegram message (the officer sees them whole).
SHOWN_MESSAGES = 8
MESSAGE_ON_PAGE = 300
# How long after a request is closed thanks and loose words get an answer about it.
RECENTLY_CLOSED = timedelta(days=30)


async def own_case(context: Turn, case_id: int) -> HelpRequest | None:
    """The requester's own case, or None (someone else's, or a forged id)."""
    case = await load_case(context.db, case_id, lock=True)
    if case is None or case.requester_id != context.user.person_id:
        return None
    return case


async def refusal(
    context: Turn, case: HelpRequest | None, file: dict[str, str] | None
) -> str | None:
    """Why this message cannot be added now (``MAX_MESSAGES_PER_HOUR`` over all the
    person's cases, ``MAX_FILES_PER_CASE``), or None. What was added before stays."""
    _ = context._
    services = context.services
    settings = services.settings
    again = await cases.next_message_at(
        context.db,
        context.user.person_id,
        limit=settings.max_messages_per_hour,
        now=services.clock.now(),
    )
    if again is not None:
        return _.ngettext(
            "⏳ Not added: you can add at most {n} message an hour to your requests. You "
            "can add more from {time}. Everything you sent before is kept.",
            "⏳ Not added: you can add at most {n} messages an hour to your requests. You "
            "can add more from {time}. Everything you sent before is kept.",
            settings.max_messages_per_hour,
            time=_.datetime(again),
        )
    if (
        case is not None
        and file is not None
        and await cases.requester_files(context.db, case) >= settings.max_files_per_case
    ):
        return _.ngettext(
            "⚠️ That file was not added to {reference}: a request can have at most {n} file "
            "in all. Please write it in words instead, or ask the officer what they need.",
            "⚠️ That file was not added to {reference}: a request can have at most {n} files "
            "in all. Please write it in words instead, or ask the officer what they need.",
            settings.max_files_per_case,
            reference=case.reference,
        )
    return None


async def store_info(
    context: Turn, case: HelpRequest, text: str | None, file: dict[str, str] | None
) -> str:
    """The requester's message goes into the case and to the officer handling it; returns
    the confirmation, which says an officer is told only when one can be reached."""
    message = cases.add_message(
        context.db,
        case,
        author="requester",
        author_id=context.user.person_id,
        text=text,
        now=context.services.clock.now(),
        file_kind=file["kind"] if file else None,
        file_id=file["file_id"] if file else None,
    )
    case.requester_unreachable = False
    await context.db.flush()
    _ = context._
    if await tell_officers(context, case, "message", message=message.id):
        return _("✅ Added to {reference}. The officer is told.", reference=case.reference)
    return _(
        "✅ Added. No officer can be reached right now: {reference} waits for the first "
        "officer. If someone is in danger, call the police on 110.",
        reference=case.reference,
    )


async def tell_officers(context: Turn, case: HelpRequest, event: str, **extra: Any) -> int:
    """Tells whoever answers for the case; returns how many of them can be reached."""
    services = context.services
    return await case_alerts.notify_holder(
        context.db,
        services.villages,
        case,
        event,
        admin_ids=await services.admins(context.db),
        now=services.clock.now(),
        **extra,
    )
