"""``/status``: the requester's own help requests, adding information, confirming.

A requester sees only their own cases (every button re-checks the owner, so a forged
case id is refused). Officers' messages appear as "Officer of Desa …", never with the
officer's account. What the requester adds goes into the case and to the officer
handling it (or the area's officers while nobody has claimed it).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape
from typing import Any

from sqlalchemy import select
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import case_text
from bot.context import BotContext
from bot.delivery.cases import load_case, outcome_line
from bot.services import case_alerts, profiles
from bot.services import help_requests as cases
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
from handlers.help_description import attachment_of, message_body
from handlers.keyboards import keyboard
from handlers.screen import answer_query, button_number, pressed_on_page, show, with_notice
from storage.models import HelpEvent, HelpRequest, Officer

ADD_DIALOG = "help_add"
ROUTE_DIALOG = "help_route"
LISTED = 15
# The last messages on the requester's page, each cut short, so the page always fits one
# Telegram message (the officer sees them whole).
SHOWN_MESSAGES = 8
MESSAGE_ON_PAGE = 300
# How long after a request is closed thanks and loose words get an answer about it.
RECENTLY_CLOSED = timedelta(days=30)


async def _own_case(context: BotContext, case_id: int) -> HelpRequest | None:
    """The requester's own case, or None (someone else's, or a forged id)."""
    case = await load_case(context.db, case_id, lock=True)
    if case is None or case.requester_id != context.user.telegram_id:
        return None
    return case


@user_update
async def status(update: Update, context: BotContext) -> None:
    """``/status`` and the "My requests" buttons."""
    if in_step(context.user, ADD_DIALOG):
        end(context.user)
    await show_list(update, context, None)


async def show_list(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    found = await context.db.scalars(
        select(HelpRequest)
        .where(HelpRequest.requester_id == context.user.telegram_id)
        .order_by(HelpRequest.id.desc())
        .limit(LISTED)
    )
    mine = found.all()
    rows: list[list[tuple[str, str]]] = []
    if not mine:
        text = _("You have not sent any request for help. /tolong starts one.")
        if profiles.has_consent(context.user):
            rows.append([(_.pgettext("button", "🆘 Ask for help"), "hr:new")])
    else:
        lines = [_("<b>📨 Your requests</b>")]
        for case in mine:
            category = case_text.category(_, context.services, case.category)
            status = case_text.requester_status(_, case.status)
            lines.append(
                f"• <b>{case.reference}</b> · {category}\n  {status} · {_.date(case.created_at)}"
            )
            rows.append([(case.reference, f"hr:v:{case.id}")])
        text = "\n".join(lines)
    rows.append([(_.pgettext("button", "« Menu"), "menu:main")])
    await show(update, context, with_notice(notice, text), keyboard(rows))


async def show_case(
    update: Update, context: BotContext, case: HelpRequest, notice: str | None = None
) -> None:
    _ = context._
    services = context.services
    lines = [
        f"<b>{case.reference}</b> · {case_text.category(_, services, case.category)}",
        _("Sent on {date}", date=_.datetime(case.created_at)),
        case_text.requester_status(_, case.status),
    ]
    if case.level == "district":
        lines.append(_("Handled by the district manpower office officers."))
    if case.status in ("resolved", "closed"):
        outcome = (await cases.outcomes_of(context.db, [case.id])).get(case.id)
        if line := outcome_line(_, services, outcome, requester=True):
            lines.append(line)
    messages, _events = await cases.history(context.db, case.id)
    shown = [m for m in messages if m.author != "note"][-SHOWN_MESSAGES:]
    if shown:
        lines.append("")
        lines.append(_("<b>Messages</b>"))
    # Each officer's message is signed with their own office, as it was when relayed.
    writers = {m.author_id for m in shown if m.author == "officer" and m.author_id}
    found = await context.db.execute(
        select(Officer.telegram_id, Officer.area_id).where(Officer.telegram_id.in_(writers))
    )
    areas: dict[int, str] = dict(found.all())
    for message in shown:
        if message.author == "requester":
            who = _("You")
        else:
            office = case_text.office(services, areas.get(message.author_id or 0, case.village_id))
            who = _("Officer of {office}", office=office)
        body = message_body(context, message, limit=MESSAGE_ON_PAGE)
        lines.append(f"<b>{escape(who)}</b> ({_.datetime(message.created_at)}): {body}")
    text = "\n".join(lines)
    rows: list[list[tuple[str, str]]] = []
    if case.status in cases.OPEN:
        rows.append([(_.pgettext("button", "➕ Add information"), f"hr:add:{case.id}")])
    if case.status == "resolved":
        rows.append([(_.pgettext("button", "✅ Yes, close it"), f"hr:ok:{case.id}")])
    if case.status in ("resolved", "closed"):
        rows.append([(_.pgettext("button", "↩️ I still need help"), f"hr:re:{case.id}")])
    rows.append([(_.pgettext("button", "« My requests"), "hr:list")])
    await show(update, context, with_notice(notice, text), keyboard(rows))


@user_update
async def view(update: Update, context: BotContext) -> None:
    context.reply_as_new = not pressed_on_page(update, "hr:list")
    case = await _own_case(context, button_number(update, 2))
    if case is None:
        await expired(update, context)
        return
    await show_case(update, context, case)


# --- adding information ----------------------------------------------------------------


@user_update
async def add(update: Update, context: BotContext) -> None:
    context.reply_as_new = not pressed_on_page(update, "hr:list")
    case = await _own_case(context, button_number(update, 2))
    if case is None or case.status not in cases.OPEN:
        await expired(update, context)
        return
    begin(context.user, ADD_DIALOG, "info", {"case": case.id, "reference": case.reference})
    await ask_info(update, context, None)


@step(ADD_DIALOG, "info")
async def ask_info(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    data = context.user.dialog_data or {}
    text = _(
        "Write what you want to add to {reference}, or send a photo or a voice note. "
        "Everything goes to the officer handling it.",
        reference=data.get("reference", ""),
    )
    rows = [[(_.pgettext("button", "✔️ Done"), f"hr:v:{data.get('case', 0)}")]]
    await show(update, context, with_notice(notice, text), keyboard(rows))


async def _add_to_case(
    update: Update, context: BotContext, text: str | None, file: dict[str, str] | None
) -> None:
    _ = context._
    case_id = int((context.user.dialog_data or {}).get("case", 0))
    case = await _own_case(context, case_id)
    if case is None or case.status not in cases.OPEN:
        end(context.user)
        await show_list(update, context, _("That request is closed; nothing was added."))
        return
    refused = await _refusal(context, case, file)
    if refused is not None:
        context.reply_as_new = True
        await ask_info(update, context, refused)
        return
    notice = await _store_info(context, case, text, file)
    context.reply_as_new = True
    await ask_info(update, context, notice)


async def _refusal(
    context: BotContext, case: HelpRequest | None, file: dict[str, str] | None
) -> str | None:
    """Why this message cannot be added now (``MAX_MESSAGES_PER_HOUR`` over all the
    person's cases, ``MAX_FILES_PER_CASE``), or None. What was added before stays."""
    _ = context._
    services = context.services
    settings = services.settings
    again = await cases.next_message_at(
        context.db,
        context.user.telegram_id,
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


async def _store_info(
    context: BotContext, case: HelpRequest, text: str | None, file: dict[str, str] | None
) -> str:
    """The requester's message goes into the case and to the officer handling it; returns
    the confirmation, which says an officer is told only when one can be reached."""
    message = cases.add_message(
        context.db,
        case,
        author="requester",
        author_id=context.user.telegram_id,
        text=text,
        now=context.services.clock.now(),
        file_kind=file["kind"] if file else None,
        file_id=file["file_id"] if file else None,
    )
    case.requester_unreachable = False
    await context.db.flush()
    _ = context._
    if await _tell_officers(context, case, "message", message=message.id):
        return _("✅ Added to {reference}. The officer is told.", reference=case.reference)
    return _(
        "✅ Added. No officer can be reached right now: {reference} waits for the first "
        "officer. If someone is in danger, call the police on 110.",
        reference=case.reference,
    )


async def _tell_officers(context: BotContext, case: HelpRequest, event: str, **extra: Any) -> int:
    """Tells whoever answers for the case; returns how many of them can be reached."""
    services = context.services
    return await case_alerts.notify_holder(
        context.db,
        services.villages,
        case,
        event,
        admin_ids=services.settings.admin_ids,
        now=services.clock.now(),
        **extra,
    )


async def typed_info(update: Update, context: BotContext, text: str) -> None:
    await _add_to_case(update, context, text, None)


async def media_info(update: Update, context: BotContext) -> None:
    attachment = attachment_of(update)
    if attachment is None:
        await reprompt(
            update,
            context,
            context._("Here I can take text, a photo of a document or a voice note."),
        )
        return
    message = update.effective_message
    await _add_to_case(update, context, message.caption if message else None, attachment)


step(ADD_DIALOG, "info", on_text=typed_info, on_media=media_info)(ask_info)


# --- a message typed outside any dialog ---------------------------------------------------


async def _open_cases(context: BotContext) -> list[HelpRequest]:
    found = await context.db.scalars(
        select(HelpRequest)
        .where(
            HelpRequest.requester_id == context.user.telegram_id,
            HelpRequest.status.in_(cases.OPEN),
        )
        .order_by(HelpRequest.id.desc())
        .limit(LISTED)
    )
    return list(found.all())


async def to_a_case(
    update: Update, context: BotContext, text: str | None, file: dict[str, str] | None
) -> bool:
    """Outside any dialog, a requester's message goes to their open help request."""
    if not profiles.has_consent(context.user):
        return False
    return await take_loose_message(update, context, text, file)


async def take_loose_message(
    update: Update, context: BotContext, text: str | None, file: dict[str, str] | None
) -> bool:
    """Someone with open requests wrote outside any dialog: most likely an answer to an
    officer, typed without tapping Reply. It goes into the case (asking which one when
    there are several) rather than being answered with "use the buttons" and lost."""
    open_cases = await _open_cases(context)
    if not open_cases:
        return False
    if len(open_cases) == 1:
        await _added(update, context, open_cases[0], text, file)
        return True
    refused = await _refusal(context, None, file)  # the hourly limit: before asking which
    if refused is not None:
        await _outcome(update, context, refused, None)
        return True
    begin(context.user, ROUTE_DIALOG, "choose", {"text": text, "file": file})
    await ask_route(update, context, None)
    return True


async def after_closed(update: Update, context: BotContext, thanks: bool) -> bool:
    """Thanks or other words (not a new problem) from someone whose latest request was
    closed or resolved lately and who has none open: an answer in kind, never added to the
    closed request. False when there is no such request."""
    if not profiles.has_consent(context.user):
        return False
    case = (
        await context.db.scalars(
            select(HelpRequest)
            .where(HelpRequest.requester_id == context.user.telegram_id)
            .order_by(HelpRequest.id.desc())
            .limit(1)
        )
    ).first()
    if case is None or case.status not in ("resolved", "closed"):
        return False
    ended = case.closed_at or case.resolved_at
    if ended is None or context.services.clock.now() - ended > RECENTLY_CLOSED:
        return False
    _ = context._
    if thanks:
        notice = _(
            "You are welcome. We are glad {reference} is solved. If you ever need help "
            "again, just write to me.",
            reference=case.reference,
        )
    else:
        notice = _(
            "{reference} is closed, so this message did not go to the officers. If you "
            "still need help with it, open the request below. For a new problem, start a "
            "new request.",
            reference=case.reference,
        )
    rows = [
        [(_.pgettext("button", "📄 See my request"), f"hr:v:{case.id}")],
        [(_.pgettext("button", "🆘 Ask for help"), "hr:new")],
        [(_.pgettext("button", "« Menu"), "menu:main")],
    ]
    await show(update, context, notice, keyboard(rows), new=True)
    return True


async def _added(
    update: Update,
    context: BotContext,
    case: HelpRequest,
    text: str | None,
    file: dict[str, str] | None,
) -> None:
    _ = context._
    refused = await _refusal(context, case, file)
    if refused is not None:
        await _outcome(update, context, refused, case)
        return
    notice = await _store_info(context, case, text, file)
    await _outcome(update, context, notice, case)


async def _outcome(
    update: Update, context: BotContext, notice: str, case: HelpRequest | None
) -> None:
    """The outcome of a message sent outside any dialog (added, or why not), as a new
    message with the way to the request (to all of them when it was not chosen)."""
    _ = context._
    notice += "\n" + _("To do something else, send /menu.")
    rows = [
        [(_.pgettext("button", "📄 See my request"), f"hr:v:{case.id}")]
        if case is not None
        else [(_.pgettext("button", "📨 My requests"), "hr:list")],
        [(_.pgettext("button", "« Menu"), "menu:main")],
    ]
    await show(update, context, notice, keyboard(rows), new=True)


@step(ROUTE_DIALOG, "choose")
async def ask_route(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    rows = [
        [
            (
                f"{case.reference} · {case_text.category(_, context.services, case.category)}"[
                    :60
                ],
                f"hr:rt:{case.id}",
            )
        ]
        for case in await _open_cases(context)
    ]
    rows.append([(_.pgettext("button", "✖️ It is not for the officers"), "hr:rt:0")])
    text = _("Which of your requests is this message about? The officer handling it gets it.")
    await show(update, context, with_notice(notice, text), keyboard(rows))


async def _more_for_route(update: Update, context: BotContext, text: str) -> None:
    """More typed while choosing: kept together with what came before."""
    before = (context.user.dialog_data or {}).get("text") or ""
    context.user.dialog_data = {
        **(context.user.dialog_data or {}),
        "text": f"{before}\n\n{text}".strip(),
    }
    await ask_route(update, context, None)


step(ROUTE_DIALOG, "choose", on_text=_more_for_route)(ask_route)


@user_update
async def route(update: Update, context: BotContext) -> None:
    if not in_step(context.user, ROUTE_DIALOG, "choose"):
        await expired(update, context)
        return
    data = dict(context.user.dialog_data or {})
    case_id = button_number(update, 2)
    if case_id == 0:
        end(context.user)
        await go_home(update, context, notice=context._("All right: it was not sent."))
        return
    case = await _own_case(context, case_id)
    if case is None or case.status not in cases.OPEN:
        await expired(update, context)
        return
    end(context.user)
    await _added(update, context, case, data.get("text"), data.get("file"))


# --- resolved: confirm or reopen -------------------------------------------------------


@user_update
async def confirm(update: Update, context: BotContext) -> None:
    context.reply_as_new = not pressed_on_page(update, "hr:list")
    case = await _own_case(context, button_number(update, 2))
    if case is None or case.status != "resolved":
        await expired(update, context)
        return
    cases.confirm_resolved(
        context.db, case, context.user.telegram_id, context.services.clock.now()
    )
    await _tell_officers(context, case, "confirmed")
    await answer_query(update, context, context._("Thank you. The request is closed."))
    await show_case(update, context, case, context._("Thank you. The request is closed."))


@user_update
async def reopen(update: Update, context: BotContext) -> None:
    context.reply_as_new = not pressed_on_page(update, "hr:list")
    case = await _own_case(context, button_number(update, 2))
    if case is None or case.status not in ("resolved", "closed"):
        await expired(update, context)
        return
    now = context.services.clock.now()
    cases.reopen(context.db, case, context.user.telegram_id, now)
    if case.assigned_officer_id is not None:
        await case_alerts.plan_idle(
            context.db, case, now + context.services.help.deadlines.idle_after(case.urgent)
        )
    if await _tell_officers(context, case, "reopened"):
        notice = context._("The request is open again; the officer is told.")
    else:
        notice = context._(
            "The request is open again. No officer can be reached right now: it waits for "
            "the first officer. If someone is in danger, call the police on 110."
        )
    await show_case(update, context, case, notice)


# --- linking a family's request with the migrant's own ---------------------------------


@user_update
async def link_answer(update: Update, context: BotContext) -> None:
    """``hr:ln:<own case>:<family case>:y|n|x``: only valid when the bot asked exactly
    this. ``x``: "do not contact me here" (someone else may read the chat)."""
    context.reply_as_new = not pressed_on_page(update, "hr:list")
    _ = context._
    own = await _own_case(context, button_number(update, 2))
    family_id = button_number(update, 3)
    family = await load_case(context.db, family_id, lock=True) if family_id else None
    asked = (
        await context.db.scalars(
            select(HelpEvent).where(
                HelpEvent.request_id == (own.id if own else 0), HelpEvent.action == "link_asked"
            )
        )
    ).all()
    if (
        own is None
        or family is None
        or own.for_whom != "self"
        or family.for_whom != "family"
        or not any(event.detail.get("other") == family.id for event in asked)
    ):
        await expired(update, context)
        return
    answer = (update.callback_query.data or "")[-1:] if update.callback_query else ""
    now = context.services.clock.now()
    if answer == "x":
        await _no_contact(update, context, own, family, now)
        return
    if own.linked_request_id is not None or family.linked_request_id is not None:
        await show_case(update, context, own, _("These requests cannot be linked any more."))
        return
    agreed = answer == "y"
    if agreed:
        cases.link(context.db, family, own, context.user.telegram_id, now)
        notice = _("Thank you. The officers now see both requests together.")
    else:
        cases.log(context.db, own, context.user.telegram_id, "link_declined", now, other=family.id)
        notice = _("All right: the requests stay separate.")
    event = "linked" if agreed else "link_declined"
    holders = sorted({i for i in (family.assigned_officer_id, own.assigned_officer_id) if i})
    if holders:
        await case_alerts.notify(context.db, family, event, officers=holders, now=now)
    else:
        await _tell_officers(context, family, event)
    await show_case(update, context, own, notice)


async def _no_contact(
    update: Update, context: BotContext, own: HelpRequest, family: HelpRequest, now: datetime
) -> None:
    """Logged on both cases and told to who answers for them; the reply shows nothing
    about the request, and the question's buttons go away."""
    services = context.services
    officers: list[int] = []
    for case in (own, family):
        cases.log(context.db, case, context.user.telegram_id, "no_contact", now)
        officers += await case_alerts.holders(
            context.db, services.villages, case, admin_ids=services.settings.admin_ids
        )
    await case_alerts.notify(context.db, own, "no_contact", officers=officers, now=now)
    context.reply_as_new = False
    await show(
        update,
        context,
        context._("All right. The officers will not contact you here."),
        None,
    )


HANDLERS: Handlers = [
    CommandHandler("status", status, filters=filters.ChatType.PRIVATE),
    CallbackQueryHandler(status, pattern=r"^hr:list$"),
    CallbackQueryHandler(view, pattern=r"^hr:v:\d{1,10}$"),
    CallbackQueryHandler(add, pattern=r"^hr:add:\d{1,10}$"),
    CallbackQueryHandler(confirm, pattern=r"^hr:ok:\d{1,10}$"),
    CallbackQueryHandler(reopen, pattern=r"^hr:re:\d{1,10}$"),
    CallbackQueryHandler(route, pattern=r"^hr:rt:\d{1,10}$"),
    CallbackQueryHandler(link_answer, pattern=r"^hr:ln:\d{1,10}:\d{1,10}:[ynx]$"),
]
