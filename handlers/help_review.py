"""The help request's review: everything answered, to check, edit, add to (typed text
and files are added to it) and send. Sending stores the case, its notices and its
deadlines, and commits them before the person sees the reference number.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from bot import case_text
from bot.context import Services
from bot.conversation import Event, Turn
from bot.services import case_alerts
from bot.services import help_requests as cases
from handlers.common import end, goto, step
from handlers.help_description import attachment_of, attachment_summary, files_full, too_long
from handlers.help_steps import (
    DIALOG,
    answers,
    cancel_row,
    contacts_text,
    may_open,
    my_requests_row,
    too_many_open,
)
from handlers.keyboards import keyboard
from handlers.navigation import ask, at_step, reprompt
from handlers.screen import button_value, show, with_notice
from storage.models import HelpRequest

log = logging.getLogger("desmigratif.cases")


def _draft(context: Turn) -> cases.Draft:
    data = answers(context)
    category = str(data.get("category") or "other")
    last_contact = data.get("last_contact_range") if data.get("for_whom") == "family" else None
    return cases.Draft(
        category=category,
        for_whom=str(data.get("for_whom") or "self"),
        description=str(data.get("description") or ""),
        danger_now=bool(data.get("danger")),
        subject={k: str(v) for k, v in (data.get("subject") or {}).items()} or None,
        attachments=tuple(data.get("attachments") or ()),
        urgent_by_content=context.services.help.lost_contact_urgent(category, last_contact),
    )


async def ask_review(
    event: Event, context: Turn, notice: str | None, *, refused: bool = False
) -> None:
    _ = context._
    services = context.services
    draft = _draft(context)
    lines = [_("<b>Please check your request</b>")]
    urgent = " · " + _("🚨 URGENT") if draft.urgent else ""
    lines.append(case_text.category(_, services, draft.category) + urgent)
    if draft.for_whom == "self":
        lines.append(_("For: me"))
    else:
        lines.append(_("For: a family member"))
    lines += case_text.subject_lines(_, draft.subject, phones=True)
    description = draft.description
    if description:
        shown = case_text.summary(description, case_text.DESCRIPTION_ON_PAGE)
        lines.append(_("What happened: {text}", text=shown))
        if case_text.cut(description, case_text.DESCRIPTION_ON_PAGE) != description:
            lines.append(
                _("({count} characters in all: everything is sent)", count=len(description))
            )
    if draft.attachments:
        lines.append(
            _("Files: {files}", files=attachment_summary(context, list(draft.attachments)))
        )
    rows = [
        [(_.pgettext("button", "✅ Send to the officers"), "hr:send")],
        [(_.pgettext("button", "✏️ Edit"), "hr:edit")],
        cancel_row(context),
    ]
    if refused:  # too many open requests: their requests first; the draft stays
        rows.insert(0, my_requests_row(context))
    await show(event, context, with_notice(notice, "\n".join(lines)), keyboard(rows))


async def ask_edit(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    rows = [
        [(_.pgettext("button", "What happened (category)"), "hr:ed:category")],
        [(_.pgettext("button", "Who needs help (details)"), "hr:ed:subject")],
        [(_.pgettext("button", "The description (rewrite it)"), "hr:ed:description")],
        [(_.pgettext("button", "« Back to the request"), "hr:ed:review")],
    ]
    await show(
        event, context, with_notice(notice, _("What do you want to change?")), keyboard(rows)
    )


@at_step(DIALOG, "review")
async def edit(event: Event, context: Turn) -> None:
    goto(context.user, "edit")
    await ask_edit(event, context, None)


@at_step(DIALOG, "edit")
async def edit_part(event: Event, context: Turn) -> None:
    part = button_value(event)
    if part == "category":
        goto(context.user, "category", editing=True)
        await ask(event, context)
    elif part == "subject":
        goto(context.user, "for_whom", editing=True)
        await ask(event, context)
    elif part == "description":
        goto(context.user, "description", description="", attachments=[], editing=False)
        await ask(event, context)
    else:
        goto(context.user, "review", editing=False)
        await ask_review(event, context, None)


@at_step(DIALOG, "review")
async def send(event: Event, context: Turn) -> None:
    """Stores the case, its notices and deadlines, commits, and only then answers."""
    _ = context._
    services = context.services
    now = services.clock.now()
    user = context.user
    draft = _draft(context)
    # Checked again here: an officer (or the person, from an old message) may have
    # reopened a request while this one was being written.
    if not await may_open(context):
        notice = too_many_open(context, urgent=draft.urgent)
        await ask_review(event, context, notice, refused=True)
        return
    case = await cases.create(
        context.db,
        requester_id=user.person_id,
        village_id=user.village_id,
        draft=draft,
        now=now,
    )
    reached = await case_alerts.alert_officers(
        context.db,
        services.villages,
        case,
        "new",
        admin_ids=await services.admins(context.db),
        groups=services.settings.officer_groups,
        now=now,
    )
    deadlines = services.help.deadlines
    await case_alerts.plan_new(
        context.db,
        case,
        urgent_realert=deadlines.urgent_realert,
        urgent_escalate=deadlines.urgent_escalate,
        normal_escalate=deadlines.normal_escalate,
        now=now,
    )
    end(user, finished=True)
    cases.drop_draft(user)
    rows = [my_requests_row(context), [(_.pgettext("button", "« Menu"), "menu:main")]]
    # The reference number is shown only after the case is committed (commit, then
    # talk). If Telegram keeps failing, the delivery engine retries the confirmation
    # with its backoff.
    text = case_text.saved(_, case, reached=bool(reached))
    if not reached:  # nobody was told: the emergency contacts too
        text += "\n\n" + contacts_text(context)
    await show(
        event,
        context,
        text,
        keyboard(rows),
        if_lost=functools.partial(_confirm_later, services, case.id, reached=bool(reached)),
    )


async def _confirm_later(services: Services, case_id: int, *, reached: bool) -> None:
    log.warning("confirmation of case %s failed; queued for delivery", case_id)
    async with services.sessions() as session, session.begin():
        case = await session.get(HelpRequest, case_id)
        if case is not None:  # the same truth as the lost answer: who was told, or nobody
            await case_alerts.notify(
                session, case, "created", requester=True, now=services.clock.now(), reached=reached
            )


# --- additions at the review -------------------------------------------------------------


async def _review_again(event: Event, context: Turn, notice: str, **changes: Any) -> None:
    goto(context.user, "review", editing=False, **changes)
    await ask_review(event, context, notice)


async def review_text(event: Event, context: Turn, text: str) -> None:
    """Typed at the review: added to the description (refused whole when too long)."""
    before = str((context.user.dialog_data or {}).get("description") or "")
    limit = context.services.settings.max_description_chars
    joined = cases.add_to_description(before, text, limit)
    if joined is None:
        await _review_again(event, context, too_long(context, before, text))
        return
    await _review_again(event, context, context._("Added to your request."), description=joined)


async def review_media(event: Event, context: Turn) -> None:
    """A photo, voice note or document at the review: added to the files (its caption to
    the description); anything else gets the calm answer of the description step."""

    _ = context._
    attachment = attachment_of(event)
    if attachment is None:
        await reprompt(
            event, context, _("Here I can take text, a photo of a document or a voice note.")
        )
        return
    settings = context.services.settings
    data = context.user.dialog_data or {}
    attachments = list(data.get("attachments") or [])
    if (refused := files_full(context, attachments)) is not None:
        await _review_again(event, context, refused)
        return
    changes: dict[str, Any] = {"attachments": [*attachments, attachment]}
    if caption := event.caption:
        before = str(data.get("description") or "")
        joined = cases.add_to_description(before, caption, settings.max_description_chars)
        if joined is None:  # the file with its caption, or nothing: never half of it
            await _review_again(event, context, too_long(context, before, caption))
            return
        changes["description"] = joined
    await _review_again(event, context, _("Added to your request."), **changes)


# The review and the edit menu take typed text and files.
step(DIALOG, "review", on_text=review_text, on_media=review_media)(ask_review)
step(DIALOG, "edit", on_text=review_text, on_media=review_media)(ask_edit)
