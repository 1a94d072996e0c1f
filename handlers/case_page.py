"""A case's page: what happened, who holds it, its files, and the buttons for what the
officer may do with it.
"""

from __future__ import annotations

from html import escape

from bot import case_text
from bot.case_text import outcome_line
from bot.conversation import Event, Turn
from bot.services import help_requests as cases
from bot.telegram_html import html_to_plain, telegram_length
from handlers import whois
from handlers.case_queue import DIALOG, PAGE_ROOM, case_in_scope
from handlers.common import end, in_step, user_update
from handlers.help_description import attachment_summary
from handlers.keyboards import LANGUAGE_NAMES, keyboard
from handlers.navigation import expired
from handlers.screen import (
    button_number,
    pressed_on_page,
    show,
    with_notice,
)
from storage.models import HelpRequest, Officer, User

# --- the case page -----------------------------------------------------------------------


async def _officer_name(context: Turn, officer_id: int | None) -> str:
    _ = context._
    if officer_id is None:
        return _("nobody yet")
    if officer_id == context.user.person_id:
        return _("you")
    officer = await context.db.get(Officer, officer_id)
    area = case_text.office(context.services, officer.area_id) if officer else "–"
    return f"<code>{await whois.address(context, officer_id)}</code> ({escape(area)})"


async def show_case(
    event: Event, context: Turn, case: HelpRequest, notice: str | None = None
) -> None:
    _ = context._
    services = context.services
    lines = case_text.heading(_, services, case)
    lines.append(case_text.officer_status(_, case.status))
    lines.append(
        _("Handled by: {who}", who=await _officer_name(context, case.assigned_officer_id))
    )
    lines.append(_("Sent on {date}", date=_.datetime(case.created_at)))
    if case.requester_id is None:
        lines.append(_("The requester erased their data: only the outline of the case is kept."))
    else:
        requester = await context.db.get(User, case.requester_id)
        shown = await whois.address(context, case.requester_id)
        lines.append(_("Requester: Telegram ID <code>{id}</code>", id=shown))
        if requester is not None:
            language = LANGUAGE_NAMES.get(requester.locale, requester.locale)
            lines.append(_("Requester's language: {language}", language=language))
        if requester is not None and requester.unreachable_at is not None:
            lines.append(_("⚠️ The requester blocked the bot: messages cannot reach them now."))
    lines.append(case_text.for_whom(_, case))
    lines += case_text.subject_lines(_, case.subject, phones=True, officer=True)
    described = len(lines)  # the description goes here, in what room the rest leaves
    lines += await _file_lines(context, case)
    if case.status in ("resolved", "closed"):
        outcome = (await cases.outcomes_of(context.db, [case.id])).get(case.id)
        if line := outcome_line(_, services, outcome, requester=False):
            lines.append(line)
    if case.linked_request_id:
        linked = await context.db.get(HelpRequest, case.linked_request_id)
        reference = linked.reference if linked is not None else case.linked_request_id
        lines.append(_("🔗 Linked with request no. {id}", id=reference))
    if case.description:
        # Telegram shows 4,096 units at most: answers at their limit in emoji (which count
        # twice) leave less room for the description (issue 14); "Full text" has it all.
        rest = telegram_length(html_to_plain(with_notice(notice, "\n".join(lines))))
        room = max(200, min(case_text.DESCRIPTION_ON_PAGE, PAGE_ROOM - rest))
        text = case_text.summary(case.description, room)
        lines.insert(described, _("What happened: {text}", text=text))
    await show(
        event, context, with_notice(notice, "\n".join(lines)), keyboard(_buttons(context, case))
    )


async def _file_lines(context: Turn, case: HelpRequest) -> list[str]:
    """Every file on the case, counted by kind: the requester's (sent with the request
    and added since) and the officers' (to the requester, and with internal notes)."""
    _ = context._
    messages, _events = await cases.history(context.db, case.id)
    theirs = [*(case.attachments or [])]
    ours: list[dict[str, str]] = []
    for message in messages:
        if message.file_id and message.file_kind:
            (theirs if message.author == "requester" else ours).append({"kind": message.file_kind})
    lines = []
    if theirs:
        lines.append(_("Files: {files}", files=attachment_summary(context, theirs)))
    if ours:
        lines.append(_("Files from officers: {files}", files=attachment_summary(context, ours)))
    return lines


def _buttons(context: Turn, case: HelpRequest) -> list[list[tuple[str, str]]]:
    _ = context._
    mine = case.assigned_officer_id == context.user.person_id
    i = case.id
    rows: list[list[tuple[str, str]]] = []
    if case.status == "new":
        rows.append([(_.pgettext("button", "🙋 Claim"), f"cs:claim:{i}")])
    if mine and case.status in cases.OPEN and case.requester_id is not None:
        rows.append([(_.pgettext("button", "✉️ Write to the requester"), f"cs:w:{i}")])
    if case.requester_id is not None:
        rows.append([(_.pgettext("button", "📝 Internal note"), f"cs:n:{i}")])
    if mine:
        labels = {
            "in_progress": _.pgettext("button", "🔧 In progress"),
            "waiting": _.pgettext("button", "⏳ Waiting for the requester"),
            "resolved": _.pgettext("button", "✅ Resolved"),
        }
        allowed = cases.TRANSITIONS.get(case.status, frozenset())
        if case.status in cases.OPEN:
            row = [(label, f"cs:st:{i}:{s}") for s, label in labels.items() if s in allowed]
            rows += [[button] for button in row]
    if case.status in ("resolved", "closed") and case.requester_id is not None:
        rows.append([(_.pgettext("button", "↩️ Reopen"), f"cs:st:{i}:in_progress")])
    if case.status in cases.OPEN:
        rows.append([(_.pgettext("button", "👥 Reassign"), f"cs:ra:{i}")])
        if case.level != "district":
            rows.append([(_.pgettext("button", "⬆️ Escalate to the district"), f"cs:esc:{i}")])
        if case.for_whom == "family" and case.linked_request_id is None:
            rows.append([(_.pgettext("button", "🔗 Link migrant's own request"), f"cs:ln:{i}")])
    rows.append(
        [
            (_.pgettext("button", "📜 History"), f"cs:h:{i}"),
            (_.pgettext("button", "📄 Full text and files"), f"cs:f:{i}"),
        ]
    )
    rows.append([(_.pgettext("button", "« Queue"), "cs:q")])
    return rows


@user_update
async def view(event: Event, context: Turn) -> None:
    case = await case_in_scope(context, button_number(event, 2))
    if case is None:
        await expired(event, context)
        return
    if in_step(context.user, DIALOG):
        end(context.user)
    context.reply_as_new = not pressed_on_page(event, "cs:q")
    await show_case(event, context, case)


async def open_from_link(event: Event, context: Turn, case_id: int) -> bool:
    """``/start case_<id>`` from a group chat's button: the case page, if in scope."""
    case = await case_in_scope(context, case_id)
    if case is None:
        return False
    await show_case(event, context, case)
    return True
