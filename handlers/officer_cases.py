"""``/kasus`` (officer menu: 🗂 Help requests): the officers' queue and case pages.

An officer sees the cases of their area only (an admin sees all): every command, button
and typed answer re-checks the scope, so a forged ``cs:*`` button for a case elsewhere is
refused. Writing to the requester and changing the state need the case to be yours
(claim it, or have it reassigned to you); notes, reassigning and escalating are open to
every officer of the area. Each action is logged on the case by the service.

Dialog ``case`` holds what an officer is typing: ``write`` (to the requester), ``note``,
``escalate`` (the reason), ``link`` (the migrant's reference number), ``outcome`` (of the
case being resolved, in their own words).

✅ Resolved first asks for the outcome the requester is told (``cs:rs:<case>:<outcome id>``,
one of ``help.yaml``'s ``outcomes``, or ``typed``); only then is the case resolved.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from html import escape
from typing import Any

from sqlalchemy import select
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import case_text, ids, text_pages
from bot.context import BotContext
from bot.delivery.cases import load_case, outcome_line
from bot.services import case_alerts
from bot.services import help_requests as cases
from bot.services.erasure import FORMER_OFFICER
from bot.telegram_html import html_to_plain, telegram_length
from bot.text_pages import Entry
from handlers.announce import sender_scope
from handlers.common import (
    Handlers,
    begin,
    end,
    expired,
    go_home,
    in_step,
    reprompt,
    step,
    user_update,
)
from handlers.help_description import attachment_of, attachment_summary
from handlers.keyboards import LANGUAGE_NAMES, keyboard
from handlers.screen import (
    answer_query,
    button_number,
    button_telegram_id,
    button_value,
    pressed_on_page,
    show,
    with_notice,
)
from storage.models import HelpRequest, Officer, User

DIALOG = "case"
PER_SECTION = 8
REFERENCE = re.compile(r"DM-\d{4}-(\d{6,10})")
STATUS_BUTTONS = ("in_progress", "waiting", "resolved")
MAX_RELAYED = 3800
MAX_REASON = 500  # of an escalation reason
PAGE_ROOM = 4000  # of Telegram's 4,096 units for a case page (what happened: ~20 more)


def _ids(update: Update) -> list[str]:
    query = update.callback_query
    return (query.data or "").split(":") if query is not None else []


async def _scope(context: BotContext) -> tuple[bool, Collection[str] | None]:
    allowed, _area, scope = await sender_scope(context)
    return allowed, scope


async def case_in_scope(context: BotContext, case_id: int) -> HelpRequest | None:
    """The case when the current user is an officer (or admin) whose area covers it."""
    allowed, scope = await _scope(context)
    if not allowed:
        return None
    case = await load_case(context.db, case_id, lock=True)
    if case is None or not cases.visible_to(case, scope):
        return None
    return case


# --- the queue -------------------------------------------------------------------------


@user_update
async def queue(update: Update, context: BotContext) -> None:
    """``/kasus``, the officer menu's button and the case pages' « Queue; ``cs:q:<section>:
    <page>`` is one page of one section (a page past the end shows the last one: cases
    leave the queue while an officer pages through it)."""
    if in_step(context.user, DIALOG):
        end(context.user)
    parts = _ids(update)
    if len(parts) == 2 or not parts:
        await show_queue(update, context, None)
    elif parts[2] in cases.QUEUE_SECTIONS:
        await show_queue(update, context, None, parts[2], button_number(update, 3))
    else:
        await expired(update, context)


async def show_queue(
    update: Update,
    context: BotContext,
    notice: str | None,
    section: str | None = None,
    page: int = 0,
) -> None:
    """Every section's first cases with its true count, or one section a page at a time."""
    _ = context._
    allowed, scope = await _scope(context)
    if not allowed:
        await go_home(update, context, notice=_("Only officers can see help requests."))
        return
    services = context.services
    of = cases.QueueOf(
        context.user.telegram_id,
        scope,
        services.clock.now(),
        services.help.deadlines.idle_reminder,
    )
    counts = await cases.queue_counts(context.db, of)
    pages = text_pages.page_count(counts[section], PER_SECTION) if section else 1
    page = min(page, pages - 1)
    sections = await cases.queue(
        context.db,
        officer_id=of.officer_id,
        scope=scope,
        now=of.now,
        stale_after=of.stale_after,
        limit=PER_SECTION,
        offset=page * PER_SECTION,
        sections=[section] if section else cases.QUEUE_SECTIONS,
    )
    titles = {
        "unclaimed": _("🆕 Unclaimed in your area"),
        "mine": _("🙋 Yours"),
        "waiting": _("⏳ Waiting for the family"),
        "overdue": _(
            "⏰ No action for {days} days", days=services.help.deadlines.idle_reminder.days
        ),
    }
    lines = [_("<b>🗂 Help requests</b>")]
    if counts["urgent"]:  # all of them, also those on later pages: none is overlooked
        lines.append(_("🚨 Urgent and unclaimed: {count}", count=counts["urgent"]))
    rows: list[list[tuple[str, str]]] = []
    more: list[list[tuple[str, str]]] = []
    shown: set[int] = set()
    # Cases whose alert reached nobody: marked so the first officer or admin sees them.
    unrouted = await case_alerts.unrouted_among(
        context.db, [case.id for found in sections.values() for case in found]
    )
    if unrouted:
        lines.append(_("📭 No officer was alerted about these yet: please take them."))
    for key, found in sections.items():
        lines.append(f"\n<b>{titles[key]}</b>: {counts[key]}")
        if section:
            lines.append(_("Page {page} of {pages}", page=page + 1, pages=pages))
        for case in found:
            urgent = "🚨 " if case.urgent else ""
            urgent += "📭 " if case.id in unrouted else ""
            label = f"{urgent}{case.reference} · {case_text.category(_, services, case.category)}"
            lines.append("• " + escape(label))
            if case.id not in shown:
                shown.add(case.id)
                rows.append([(label[:60], f"cs:v:{case.id}")])
        if not section and counts[key] > len(found):
            lines.append(_("… and {count} more", count=counts[key] - len(found)))
            icon = titles[key].split(" ", 1)[0]  # 🆕 🙋 ⏳ ⏰: which section it pages
            more.append([(f"{icon} {_.pgettext('button', 'Next ▶️')}", f"cs:q:{key}:1")])
    if section:
        pager = []
        if page > 0:
            pager.append((_.pgettext("button", "◀️ Previous"), f"cs:q:{section}:{page - 1}"))
        if page < pages - 1:
            pager.append((_.pgettext("button", "Next ▶️"), f"cs:q:{section}:{page + 1}"))
        rows += [pager] if pager else []
        rows.append([(_.pgettext("button", "« Queue"), "cs:q")])
    else:
        if not shown:
            lines.append("\n" + _("Nothing waiting. Thank you!"))
        rows += more
        rows.append([(_.pgettext("button", "🔄 Refresh"), "cs:q")])
        rows.append([(_.pgettext("button", "« Officer menu"), "menu:officer")])
    await show(update, context, with_notice(notice, "\n".join(lines)), keyboard(rows))


# --- the case page -----------------------------------------------------------------------


async def _officer_name(context: BotContext, officer_id: int | None) -> str:
    _ = context._
    if officer_id is None:
        return _("nobody yet")
    if officer_id == context.user.telegram_id:
        return _("you")
    officer = await context.db.get(Officer, officer_id)
    area = case_text.office(context.services, officer.area_id) if officer else "–"
    return f"<code>{officer_id}</code> ({escape(area)})"


async def show_case(
    update: Update, context: BotContext, case: HelpRequest, notice: str | None = None
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
        lines.append(_("Requester: Telegram ID <code>{id}</code>", id=case.requester_id))
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
        update, context, with_notice(notice, "\n".join(lines)), keyboard(_buttons(context, case))
    )


async def _file_lines(context: BotContext, case: HelpRequest) -> list[str]:
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


def _buttons(context: BotContext, case: HelpRequest) -> list[list[tuple[str, str]]]:
    _ = context._
    mine = case.assigned_officer_id == context.user.telegram_id
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
async def view(update: Update, context: BotContext) -> None:
    case = await case_in_scope(context, button_number(update, 2))
    if case is None:
        await expired(update, context)
        return
    if in_step(context.user, DIALOG):
        end(context.user)
    context.reply_as_new = not pressed_on_page(update, "cs:q")
    await show_case(update, context, case)


async def open_from_link(update: Update, context: BotContext, case_id: int) -> bool:
    """``/start case_<id>`` from a group chat's button: the case page, if in scope."""
    case = await case_in_scope(context, case_id)
    if case is None:
        return False
    await show_case(update, context, case)
    return True


# --- actions ---------------------------------------------------------------------------


async def _tell_requester(
    context: BotContext, case: HelpRequest, event: str, **extra: Any
) -> None:
    await case_alerts.notify(
        context.db, case, event, requester=True, now=context.services.clock.now(), **extra
    )


@user_update
async def claim(update: Update, context: BotContext) -> None:
    _ = context._
    case = await case_in_scope(context, button_number(update, 2))
    if case is None:
        await expired(update, context)
        return
    now = context.services.clock.now()
    context.reply_as_new = not pressed_on_page(update, "cs:q")
    if case.assigned_officer_id == context.user.telegram_id:
        await show_case(update, context, case, _("You already handle this case."))
        return
    try:
        cases.claim(context.db, case, context.user.telegram_id, now)
    except cases.CaseError:
        await answer_query(update, context, _("Another officer has already claimed it."))
        await show_case(update, context, case, _("Another officer has already claimed it."))
        return
    await case_alerts.plan_idle(
        context.db, case, now + context.services.help.deadlines.idle_after(case.urgent)
    )
    await _tell_requester(context, case, "status")
    await show_case(
        update, context, case, _("✅ You handle this case now. The requester is told.")
    )


@user_update
async def set_status(update: Update, context: BotContext) -> None:
    _ = context._
    case = await case_in_scope(context, button_number(update, 2))
    target = button_value(update)
    # Only "in progress" reopens a finished case: a second tap on Resolved, or a stale
    # page's Waiting, must not bring it back.
    reopening = (
        case is not None and case.status in ("resolved", "closed") and target == "in_progress"
    )
    if (
        case is None
        or target not in STATUS_BUTTONS
        or (case.assigned_officer_id != context.user.telegram_id and not reopening)
    ):
        await expired(update, context)
        return
    if target == "resolved":  # not yet: the outcome for the requester first
        if not _may(context, case, "outcome"):
            await expired(update, context)
            return
        if in_step(context.user, DIALOG):
            end(context.user)
        context.reply_as_new = not pressed_on_page(update, "cs:q")
        await ask_outcome(update, context, case)
        return
    now = context.services.clock.now()
    deadlines = context.services.help.deadlines
    try:
        if reopening:
            cases.reopen(context.db, case, context.user.telegram_id, now)
        else:
            cases.set_status(context.db, case, context.user.telegram_id, target, now)
    except cases.CaseError:
        await expired(update, context)
        return
    if reopening:
        if case.assigned_officer_id is None:
            case.assigned_officer_id = context.user.telegram_id
        await case_alerts.plan_idle(context.db, case, now + deadlines.idle_after(case.urgent))
    await _tell_requester(context, case, "status")
    await show_case(update, context, case, _("Status changed. The requester is told."))


# --- resolving: the outcome for the requester ----------------------------------------------


async def ask_outcome(
    update: Update, context: BotContext, case: HelpRequest, notice: str | None = None
) -> None:
    """Asks which outcome the requester is told: a common one, or typed."""
    _ = context._
    text = _(
        "<b>{reference}</b>\nWhat is the outcome? The requester is told it, with the "
        "question whether their problem is solved.",
        reference=case.reference,
    )
    rows = [
        [(_(outcome.label), f"cs:rs:{case.id}:{outcome.id}")]
        for outcome in context.services.help.outcomes
    ]
    rows.append([(_.pgettext("button", "✏️ Something else: I type it"), f"cs:rs:{case.id}:typed")])
    rows.append([(_.pgettext("button", "« Back to the case"), f"cs:v:{case.id}")])
    await show(update, context, with_notice(notice, text), keyboard(rows))


@user_update
async def resolve_with(update: Update, context: BotContext) -> None:
    """``cs:rs:<case>:<outcome>``: resolves the case with a common outcome, or (``typed``)
    asks the officer to type it."""
    case = await case_in_scope(context, button_number(update, 2))
    chosen = button_value(update)
    known = chosen == "typed" or context.services.help.outcome(chosen) is not None
    if case is None or not known or not _may(context, case, "outcome"):
        await expired(update, context)
        return
    if chosen == "typed":
        begin(context.user, DIALOG, "outcome", {"case": case.id, "reference": case.reference})
        await ask_typed(update, context, None)
        return
    if in_step(context.user, DIALOG):
        end(context.user)
    await _resolve(update, context, case, outcome=chosen)


async def _resolve(
    update: Update,
    context: BotContext,
    case: HelpRequest,
    *,
    outcome: str | None = None,
    outcome_text: str | None = None,
) -> None:
    """Resolves the case with its outcome, plans the close-after check, tells the
    requester (who sees the outcome with the "is it solved?" question)."""
    now = context.services.clock.now()
    try:
        cases.resolve(
            context.db,
            case,
            context.user.telegram_id,
            now,
            outcome=outcome,
            outcome_text=outcome_text,
        )
    except cases.CaseError:
        await expired(update, context)
        return
    close_after = context.services.help.deadlines.close_after
    await case_alerts.plan_check(context.db, case, "close", now + close_after)
    await _tell_requester(context, case, "status")
    await show_case(update, context, case, context._("Status changed. The requester is told."))


@user_update
async def reassign_menu(update: Update, context: BotContext) -> None:
    _ = context._
    case = await case_in_scope(context, button_number(update, 2))
    if case is None or case.status not in cases.OPEN:
        await expired(update, context)
        return
    candidates = await _candidates(context, case)
    rows = [
        [
            (
                f"{o.telegram_id} · {case_text.office(context.services, o.area_id)}",
                f"cs:ra:{case.id}:{o.telegram_id}",
            )
        ]
        for o in candidates
        if o.telegram_id != case.assigned_officer_id
    ][:20]
    text = _("Assign {reference} to which officer?", reference=case.reference)
    if not rows:
        text = _("There is no other officer for this village.")
    rows.append([(_.pgettext("button", "« Back to the case"), f"cs:v:{case.id}")])
    await show(update, context, text, keyboard(rows))


async def _candidates(context: BotContext, case: HelpRequest) -> list[Officer]:
    """Officers whose area covers the case's village (the village's and the district's)."""
    areas = [
        case.village_id or "",
        case_alerts.district_of(context.services.villages, case.village_id) or "",
    ]
    found = await context.db.scalars(
        select(Officer).where(Officer.area_id.in_(areas)).order_by(Officer.telegram_id)
    )
    return list(found.all())


@user_update
async def reassign(update: Update, context: BotContext) -> None:
    _ = context._
    case = await case_in_scope(context, button_number(update, 2))
    target = button_telegram_id(update, 3)
    if case is None or case.status not in cases.OPEN:
        await expired(update, context)
        return
    if target not in {o.telegram_id for o in await _candidates(context, case)}:
        await expired(update, context)
        return
    now = context.services.clock.now()
    was_new = case.status == "new"
    cases.reassign(context.db, case, context.user.telegram_id, target, now)
    await case_alerts.notify(context.db, case, "assigned", officers=[target], now=now)
    if was_new:  # now someone holds it, as after a claim
        await _tell_requester(context, case, "status")
    await case_alerts.plan_idle(
        context.db, case, now + context.services.help.deadlines.idle_after(case.urgent)
    )
    await show_case(update, context, case, _("Reassigned. The officer is told."))


# --- typed actions: write, note, escalate, link ------------------------------------------


def _prompts(context: BotContext) -> dict[str, str]:
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
async def start_typing(update: Update, context: BotContext) -> None:
    parts = _ids(update)
    action = {"w": "write", "n": "note", "esc": "escalate", "ln": "link"}.get(
        parts[1] if len(parts) > 1 else ""
    )
    case = await case_in_scope(context, button_number(update, 2))
    if case is None or action is None or not _may(context, case, action):
        await expired(update, context)
        return
    begin(context.user, DIALOG, action, {"case": case.id, "reference": case.reference})
    context.reply_as_new = not pressed_on_page(update, "cs:q")  # Reply under a notice
    await ask_typed(update, context, None)


def _may(context: BotContext, case: HelpRequest, action: str) -> bool:
    if action == "outcome":  # resolving: only the holder of an open case
        return (
            case.assigned_officer_id == context.user.telegram_id
            and case.status in cases.OPEN
            and "resolved" in cases.TRANSITIONS[case.status]
        )
    if case.requester_id is None:
        return False
    if action == "write":
        return case.assigned_officer_id == context.user.telegram_id and case.status in cases.OPEN
    if action == "escalate":
        return case.status in cases.OPEN and case.level != "district"
    if action == "link":
        return (
            case.status in cases.OPEN and case.for_whom == "family" and not case.linked_request_id
        )
    return True


async def ask_typed(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    data = context.user.dialog_data or {}
    # Asked again after other input: an officer removed or moved since they started
    # typing no longer sees the case, not even its reference.
    if context.user.step and await _typed_case(update, context) is None:
        return
    text = (
        f"<b>{escape(str(data.get('reference', '')))}</b>\n"
        + _prompts(context)[context.user.step or "note"]
    )
    case_id = data.get("case", 0)
    rows = [[(_.pgettext("button", "✖️ Cancel"), f"cs:v:{case_id}")]]
    if context.user.step == "outcome":  # back to the common outcomes
        rows = [[(_.pgettext("button", "« Back"), f"cs:st:{case_id}:resolved")]]
    await show(update, context, with_notice(notice, text), keyboard(rows))


async def _typed_case(update: Update, context: BotContext) -> HelpRequest | None:
    case = await case_in_scope(context, int((context.user.dialog_data or {}).get("case", 0)))
    action = context.user.step or ""
    if case is None or not _may(context, case, action):
        end(context.user)
        await show_queue(update, context, context._("That case cannot take this any more."))
        return None
    return case


async def typed(update: Update, context: BotContext, text: str) -> None:
    await _typed_action(update, context, text, None)


async def typed_media(update: Update, context: BotContext) -> None:
    attachment = attachment_of(update)
    if attachment is None or context.user.step not in ("write", "note"):
        await reprompt(update, context, context._("Please type it as text."))
        return
    message = update.effective_message
    await _typed_action(update, context, message.caption if message else None, attachment)


async def _typed_action(
    update: Update, context: BotContext, text: str | None, file: dict[str, str] | None
) -> None:
    _ = context._
    case = await _typed_case(update, context)
    if case is None:
        return
    action = context.user.step or ""
    now = context.services.clock.now()
    officer_id = context.user.telegram_id
    if action == "outcome":
        await _typed_outcome(update, context, case, text or "")
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
        await ask_typed(update, context, notice)
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
        await ask_typed(update, context, notice)
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
            await _tell_requester(context, case, "message", message=message.id, office=office)
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
            admin_ids=context.services.settings.admin_ids,
            groups=context.services.settings.officer_groups,
            now=now,
            reason=reason,
        )
        await _tell_requester(context, case, "escalated")
        notice = _("⬆️ Escalated. The district officers are told.")
    else:
        result = await _ask_link(context, case, text or "")
        if result is not None:
            await ask_typed(update, context, result)
            return
        notice = _("🔗 The migrant is asked to agree. You are told of the answer.")
    end(context.user)
    context.reply_as_new = True
    await show_case(update, context, case, notice)


async def _typed_outcome(
    update: Update, context: BotContext, case: HelpRequest, text: str
) -> None:
    _ = context._
    words = " ".join(text.split())
    if len(words) > cases.MAX_OUTCOME:
        notice = _(
            "That is too long ({count} characters; at most {limit}). Please say it shorter: "
            "an internal note can hold the rest.",
            count=len(words),
            limit=cases.MAX_OUTCOME,
        )
        await ask_typed(update, context, notice)
        return
    end(context.user)
    context.reply_as_new = True
    await _resolve(update, context, case, outcome_text=words)


async def _ask_link(context: BotContext, family: HelpRequest, text: str) -> str | None:
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
    cases.log(context.db, own, context.user.telegram_id, "link_asked", now, other=family.id)
    cases.log(context.db, family, context.user.telegram_id, "link_requested", now, other=own.id)
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


# --- history and full text -----------------------------------------------------------------


@user_update
async def history(update: Update, context: BotContext) -> None:
    _ = context._
    case = await case_in_scope(context, button_number(update, 2))
    if case is None:
        await expired(update, context)
        return
    messages, events = await cases.history(context.db, case.id)
    entries = [
        Entry(
            f"{_.datetime(event.at)} · {_actor(context, event.actor_id, case)} · ",
            _action_label(context, event.action, event.detail),
        )
        for event in events
    ]
    authors = {
        "requester": _("Requester"),
        "officer": _("Officer → requester"),
        "note": _("Internal note"),
    }
    if messages:
        entries.append(Entry("\n" + _("<b>Messages</b>")))
    for message in messages:
        author = authors.get(message.author, message.author)
        kind = message.file_kind
        file = escape(attachment_summary(context, [{"kind": kind}])) if kind else ""
        after = f" {file}" if file and message.text else file
        entries.append(
            Entry(
                f"{_.datetime(message.created_at)} · <b>{author}</b>: ", message.text or "", after
            )
        )
    title = _("<b>History of {reference}</b>", reference=case.reference)
    pages = text_pages.pages(entries, title=title)
    page = button_number(update, 3)
    if page >= len(pages):  # forged, or the history lost entries since (erased data)
        await expired(update, context)
        return
    await _send_page(
        update, context, case, "h", [("text", m) for m in pages[page]], page, len(pages)
    )


def _actor(context: BotContext, actor_id: int | None, case: HelpRequest) -> str:
    _ = context._
    if actor_id is None:
        return _("the bot")
    if actor_id == FORMER_OFFICER:
        return _("former officer")
    if actor_id == case.requester_id:
        return _("requester")
    return f"<code>{actor_id}</code>"


def _action_label(context: BotContext, action: str, detail: dict[str, Any]) -> str:
    _ = context._
    status = case_text.officer_status
    labels = {
        "created": _("request sent"),
        "status": _(
            "status: {before} → {after}",
            before=status(_, str(detail.get("before"))),
            after=status(_, str(detail.get("after"))),
        )
        + _outcome_label(context, detail),
        "reopened": _("reopened"),
        "reassigned": _("reassigned to {id}", id=detail.get("after"))
        if detail.get("after") != FORMER_OFFICER
        else _("reassigned to a former officer"),
        "released": _("back in the queue: the officer who held it no longer covers it"),
        "escalated": _("escalated to the district: {reason}", reason=detail.get("reason", ""))
        if "hours" not in detail
        else _(
            "escalated to the district: nobody claimed it within {hours} hours",
            hours=detail["hours"],
        ),
        "message": _("message"),
        "note": _("internal note"),
        "unreachable": _("requester blocked the bot"),
        "linked": _("linked with request no. {id}", id=detail.get("other")),
        "link_asked": _("link with request no. {id} asked", id=detail.get("other")),
        "link_requested": _("link with request no. {id} asked", id=detail.get("other")),
        "link_declined": _("link with request no. {id} declined", id=detail.get("other")),
        "no_contact": _("the migrant asked not to be contacted in this chat"),
        "unrouted": _("no officer could be reached"),
        "routed": _("sent to the newly granted officer {id}", id=detail.get("officer")),
    }
    return labels.get(action, action)


def _outcome_label(context: BotContext, detail: dict[str, Any]) -> str:
    """`` · outcome: …`` after a status change that resolved the case (plain text: the
    history escapes it)."""
    _ = context._
    if words := detail.get("outcome_text"):
        return " · " + _("outcome (typed): {text}", text=words)
    if outcome_id := detail.get("outcome"):
        found = context.services.help.outcome(str(outcome_id))
        return " · " + _("outcome: {text}", text=_(found.text) if found else outcome_id)
    return ""


@user_update
async def full_text(update: Update, context: BotContext) -> None:
    """The whole description, split into messages, and every file as it was sent."""
    _ = context._
    case = await case_in_scope(context, button_number(update, 2))
    if case is None:
        await expired(update, context)
        return
    header = _("<b>{reference}: what happened</b>", reference=case.reference)
    pieces = [
        ("text", f"{header}\n{escape(piece)}") for piece in text_pages.cut(case.description or "–")
    ]
    messages, _events = await cases.history(context.db, case.id)
    files = [*(case.attachments or [])] + [
        {"kind": m.file_kind, "file_id": m.file_id} for m in messages if m.file_id and m.file_kind
    ]
    pieces += [
        (str(file["kind"]), str(file.get("file_id")))
        for file in files
        if file.get("kind") in ("photo", "voice", "document")
    ]
    per_page = text_pages.PER_PRESS
    page, pages = button_number(update, 3), text_pages.page_count(len(pieces), per_page)
    if page >= pages:  # forged
        await expired(update, context)
        return
    shown = pieces[page * per_page : (page + 1) * per_page]
    await _send_page(update, context, case, "f", shown, page, pages)


async def _send_page(
    update: Update,
    context: BotContext,
    case: HelpRequest,
    action: str,
    pieces: list[tuple[str, str]],
    page: int,
    pages: int,
) -> None:
    """One page of the full text (``f``) or the history (``h``): at most
    :data:`text_pages.PER_PRESS` messages (``("text", html)`` or ``(file kind, file id)``),
    the last with a More button while pages remain; after the last page, the case page."""
    _ = context._
    chat = context.user.telegram_id
    query = update.callback_query
    pressed = query.message if query is not None else None
    if pressed is not None and page > 0:  # only a More button asks for a later page
        context.replies.remove_buttons(chat, pressed.message_id)  # so old ones go away
    more = None
    if page + 1 < pages:
        label = _.pgettext("button", "More ▶️ ({page}/{pages})", page=page + 2, pages=pages)
        more = keyboard(
            [
                [(label, f"cs:{action}:{case.id}:{page + 1}")],
                [(_.pgettext("button", "« Back to the case"), f"cs:v:{case.id}")],
            ]
        )
    for number, (kind, content) in enumerate(pieces, start=1):
        markup = more if number == len(pieces) else None
        if kind == "text":
            context.replies.send(chat, content, markup)
        else:
            context.replies.send_file(kind, chat, content, case.reference, markup)  # type: ignore[arg-type]
    if more is None:
        context.reply_as_new = True
        await show_case(update, context, case)


HANDLERS: Handlers = [
    CommandHandler("kasus", queue, filters=filters.ChatType.PRIVATE),
    CallbackQueryHandler(
        queue, pattern=rf"^cs:q(:({'|'.join(cases.QUEUE_SECTIONS)}):\d{{1,4}})?$"
    ),
    CallbackQueryHandler(view, pattern=r"^cs:v:\d{1,10}$"),
    CallbackQueryHandler(claim, pattern=r"^cs:claim:\d{1,10}$"),
    CallbackQueryHandler(set_status, pattern=r"^cs:st:\d{1,10}:[a-z_]{1,12}$"),
    CallbackQueryHandler(resolve_with, pattern=r"^cs:rs:\d{1,10}:[a-z0-9_]{1,20}$"),
    CallbackQueryHandler(reassign_menu, pattern=r"^cs:ra:\d{1,10}$"),
    CallbackQueryHandler(reassign, pattern=r"^cs:ra:\d{1,10}:\d{1,15}$"),
    CallbackQueryHandler(start_typing, pattern=r"^cs:(w|n|esc|ln):\d{1,10}$"),
    CallbackQueryHandler(history, pattern=r"^cs:h:\d{1,10}(:\d{1,4})?$"),
    CallbackQueryHandler(full_text, pattern=r"^cs:f:\d{1,10}(:\d{1,4})?$"),
]
