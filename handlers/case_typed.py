"""What an officer types about a case: a message to the requester, a note, the reason
for an escalation, a linked reference number, an outcome in their own words.
"""

from __future__ import annotations

from html import escape

from bot import case_text, ids
from bot.conversation import Event, Turn
from bot.services import case_alerts
from bot.services import help_requests as cases
from bot.telegram_html import telegram_length
from handlers.case_actions import resolve_case, tell_requester
from handlers.case_page import show_case
from handlers.case_queue import (
    DIALOG,
    MAX_REASON,
    MAX_RELAYED,
    REFERENCE,
    button_ids,
    case_in_scope,
    may,
    show_queue,
)
from handlers.common import begin, end, step, user_update
from handlers.help_description import attachment_of
from handlers.keyboards import keyboard
from handlers.navigation import expired, reprompt
from handlers.screen import (
    button_number,
    pressed_on_page,
    show,
    with_notice,
)
from storage.models import HelpRequest, User

# --- typed actions: write, note, escalate, link ------------------------------------------


def _prompts(context: Turn) -> dict[str, str]:
    _ = context._
    return {
        "write": _(
            "Write your message to the requester (text, a photo or a voice note). They see it "
            "as from the officer of your office, not from your own account."
        ),
        "note": _("Write an internal note. The requester never sees it."),
        "escalate": _("Why should the district take this case? One or two sentences."),
        "link": _(
            "Type the reference number of the migrant's own request (for example "
            "DM-2026-000123). The migrant is asked to agree before the requests are linked."
        ),
        "outcome": _(
            "Type the outcome for the requester in a sentence or two (at most {limit} "
            "characters). They see it with the question whether their problem is solved.",
            limit=cases.MAX_OUTCOME,
        ),
    }


@user_update
async def start_typing(event: Event, context: Turn) -> None:
    parts = button_ids(event)
    action = {"w": "write", "n": "note", "esc": "escalate", "ln": "link"}.get(
        parts[1] if len(parts) > 1 else ""
    )
    case = await case_in_scope(context, button_number(event, 2))
    if case is None or action is None or not may(context, case, action):
        await expired(event, context)
        return
    begin(context.user, DIALOG, action, {"case": case.id, "reference": case.reference})
    context.reply_as_new = not pressed_on_page(event, "cs:q")  # Reply under a notice
    await ask_typed(event, context, None)


async def ask_typed(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    data = context.user.dialog_data or {}
    # Asked again after other input: an officer removed or moved since they started
    # typing no longer sees the case, not even its reference.
    if context.user.step and await _typed_case(event, context) is None:
        return
    text = (
        f"<b>{escape(str(data.get('reference', '')))}</b>\n"
        + _prompts(context)[context.user.step or "note"]
    )
    case_id = data.get("case", 0)
    rows = [[(_.pgettext("button", "✖️ Cancel"), f"cs:v:{case_id}")]]
    if context.user.step == "outcome":  # back to the common outcomes
        rows = [[(_.pgettext("button", "« Back"), f"cs:st:{case_id}:resolved")]]
    await show(event, context, with_notice(notice, text), keyboard(rows))


async def _typed_case(event: Event, context: Turn) -> HelpRequest | None:
    case = await case_in_scope(context, int((context.user.dialog_data or {}).get("case", 0)))
    action = context.user.step or ""
    if case is None or not may(context, case, action):
        end(context.user)
        await show_queue(event, context, context._("That case cannot take this any more."))
        return None
    return case


async def typed(event: Event, context: Turn, text: str) -> None:
    await _typed_action(event, context, text, None)


async def typed_media(event: Event, context: Turn) -> None:
    attachment = attachment_of(event)
    if attachment is None or context.user.step not in ("write", "note"):
        await reprompt(event, context, context._("Please type it as text."))
        return
    await _typed_action(event, context, event.caption, attachment)


async def _typed_action(
    event: Event, context: Turn, text: str | None, file: dict[str, str] | None
) -> None:
    _ = context._
    case = await _typed_case(event, context)
    if case is None:
        return
    action = context.user.step or ""
    now = context.services.clock.now()
    officer_id = context.user.person_id
    if action == "outcome":
        await _typed_outcome(event, context, case, text or "")
        return
    # Counted as Telegram counts (an emoji may count twice), so it always fits.
    if action == "write" and telegram_length(text or "") > MAX_RELAYED:
        # The requester gets it under a header in one message (Telegram: 4,096 characters).
        notice = _(
            "That is too long for one message ({count} characters; at most {limit}). "
            "Please send it in two parts.",
            count=telegram_length(text or ""),
            limit=MAX_RELAYED,
        )
        await ask_typed(event, context, notice)
        return
    reason = " ".join((text or "").split())
    if action == "escalate" and len(reason) > MAX_REASON:
        # Said, not cut without a word (issue 14): the rest would be lost.
        notice = _(
            "That is too long ({count} characters; at most {limit}). Please say it shorter: "
            "an internal note can hold the rest.",
            count=len(reason),
            limit=MAX_REASON,
        )
        await ask_typed(event, context, notice)
        return
    if action in ("write", "note"):
        message = cases.add_message(
            context.db,
            case,
            author="officer" if action == "write" else "note",
            author_id=officer_id,
            text=text,
            now=now,
            file_kind=file["kind"] if file else None,
            file_id=file["file_id"] if file else None,
        )
        await context.db.flush()
        if action == "write":
            office = case_text.office(
                context.services, context.officer.area_id if context.officer else case.village_id
            )
            await tell_requester(context, case, "message", message=message.id, office=office)
            notice = _("✅ Sent to the requester.")
        else:
            notice = _("✅ Note saved.")
    elif action == "escalate":
        reason = reason or "–"
        cases.escalate(context.db, case, officer_id, reason, now)
        await case_alerts.alert_officers(
            context.db,
            context.services.villages,
            case,
            "escalated",
            admin_ids=await context.services.admins(context.db),
            groups=context.services.settings.officer_groups,
            now=now,
            reason=reason,
        )
        await tell_requester(context, case, "escalated")
        notice = _("⬆️ Escalated. The district officers are told.")
    else:
        result = await _ask_link(context, case, text or "")
        if result is not None:
            await ask_typed(event, context, result)
            return
        notice = _("🔗 The migrant is asked to agree. You are told of the answer.")
    end(context.user)
    context.reply_as_new = True
    await show_case(event, context, case, notice)


async def _typed_outcome(event: Event, context: Turn, case: HelpRequest, text: str) -> None:
    _ = context._
    words = " ".join(text.split())
    if len(words) > cases.MAX_OUTCOME:
        notice = _(
            "That is too long ({count} characters; at most {limit}). Please say it shorter: "
            "an internal note can hold the rest.",
            count=len(words),
            limit=cases.MAX_OUTCOME,
        )
        await ask_typed(event, context, notice)
        return
    end(context.user)
    context.reply_as_new = True
    await resolve_case(event, context, case, outcome_text=words)


async def _ask_link(context: Turn, family: HelpRequest, text: str) -> str | None:
    """Asks the migrant's consent; returns a reason to ask again when it cannot."""
    _ = context._
    match = REFERENCE.search(text.upper())
    own = await case_in_scope(context, ids.row_id(match.group(1)) or 0) if match else None
    if own is None or own.id == family.id or match is None or own.reference != match.group(0):
        return _("No request with that reference number in your area. Example: DM-2026-000123")
    if own.for_whom != "self" or own.requester_id is None or own.linked_request_id:
        return _("That request is not a migrant's own request, or it is linked already.")
    migrant = await context.db.get(User, own.requester_id)
    if migrant is None or migrant.unreachable_at is not None:
        return _("The migrant cannot be reached through the bot now (they blocked it).")
    now = context.services.clock.now()
    # Logged on the migrant's case: the only one whose requester may answer.
    cases.log(context.db, own, context.user.person_id, "link_asked", now, other=family.id)
    cases.log(context.db, family, context.user.person_id, "link_requested", now, other=own.id)
    await case_alerts.notify(
        context.db,
        own,
        "link_ask",
        requester=True,
        now=now,
        other=family.id,
        other_reference=family.reference,
    )
    return None


for _action in ("write", "note", "escalate", "link", "outcome"):
    step(DIALOG, _action, on_text=typed, on_media=typed_media)(ask_typed)
