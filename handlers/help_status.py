"""``/status``: the requester's own help requests, adding information, confirming.

A requester sees only their own cases (every button re-checks the owner, so a forged
case id is refused). Officers' messages appear as "Officer of Desa …", never with the
officer's account. What the requester adds goes into the case and to the officer
handling it (or the area's officers while nobody has claimed it).
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from sqlalchemy import select

from bot import case_text
from bot.case_text import outcome_line
from bot.conversation import Event, Turn, routes
from bot.conversation.routes import Route
from bot.services import case_alerts, profiles
from bot.services import help_requests as cases
from bot.services.help_requests import load_case
from handlers.common import end, in_step, user_update
from handlers.help_additions import add
from handlers.help_description import message_body
from handlers.help_loose import route
from handlers.help_mine import (
    ADD_DIALOG,
    LISTED,
    MESSAGE_ON_PAGE,
    SHOWN_MESSAGES,
    own_case,
    tell_officers,
)
from handlers.keyboards import keyboard
from handlers.navigation import MY_REQUESTS, expired, screen
from handlers.screen import answer_query, button_number, pressed_on_page, show, with_notice
from storage.models import HelpEvent, HelpRequest, Officer


@user_update
async def status(event: Event, context: Turn) -> None:
    """``/status`` and the "My requests" buttons."""
    if in_step(context.user, ADD_DIALOG):
        end(context.user)
    await show_list(event, context, None)


@screen(MY_REQUESTS)
async def show_list(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    found = await context.db.scalars(
        select(HelpRequest)
        .where(HelpRequest.requester_id == context.user.person_id)
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
    await show(event, context, with_notice(notice, text), keyboard(rows))


async def show_case(
    event: Event, context: Turn, case: HelpRequest, notice: str | None = None
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
        select(Officer.person_id, Officer.area_id).where(Officer.person_id.in_(writers))
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
    await show(event, context, with_notice(notice, text), keyboard(rows))


@user_update
async def view(event: Event, context: Turn) -> None:
    context.reply_as_new = not pressed_on_page(event, "hr:list")
    case = await own_case(context, button_number(event, 2))
    if case is None:
        await expired(event, context)
        return
    await show_case(event, context, case)


# --- resolved: confirm or reopen -------------------------------------------------------


@user_update
async def confirm(event: Event, context: Turn) -> None:
    context.reply_as_new = not pressed_on_page(event, "hr:list")
    case = await own_case(context, button_number(event, 2))
    if case is None or case.status != "resolved":
        await expired(event, context)
        return
    cases.confirm_resolved(context.db, case, context.user.person_id, context.services.clock.now())
    await tell_officers(context, case, "confirmed")
    await answer_query(event, context, context._("Thank you. The request is closed."))
    await show_case(event, context, case, context._("Thank you. The request is closed."))


@user_update
async def reopen(event: Event, context: Turn) -> None:
    context.reply_as_new = not pressed_on_page(event, "hr:list")
    case = await own_case(context, button_number(event, 2))
    if case is None or case.status not in ("resolved", "closed"):
        await expired(event, context)
        return
    now = context.services.clock.now()
    cases.reopen(context.db, case, context.user.person_id, now)
    if case.assigned_officer_id is not None:
        await case_alerts.plan_idle(
            context.db, case, now + context.services.help.deadlines.idle_after(case.urgent)
        )
    if await tell_officers(context, case, "reopened"):
        notice = context._("The request is open again; the officer is told.")
    else:
        notice = context._(
            "The request is open again. No officer can be reached right now: it waits for "
            "the first officer. If someone is in danger, call the police on 110."
        )
    await show_case(event, context, case, notice)


# --- linking a family's request with the migrant's own ---------------------------------


@user_update
async def link_answer(event: Event, context: Turn) -> None:
    """``hr:ln:<own case>:<family case>:y|n|x``: only valid when the bot asked exactly
    this. ``x``: "do not contact me here" (someone else may read the chat)."""
    context.reply_as_new = not pressed_on_page(event, "hr:list")
    _ = context._
    own = await own_case(context, button_number(event, 2))
    family_id = button_number(event, 3)
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
        await expired(event, context)
        return
    answer = event.choice[-1:]
    now = context.services.clock.now()
    if answer == "x":
        await _no_contact(event, context, own, family, now)
        return
    if own.linked_request_id is not None or family.linked_request_id is not None:
        await show_case(event, context, own, _("These requests cannot be linked any more."))
        return
    agreed = answer == "y"
    if agreed:
        cases.link(context.db, family, own, context.user.person_id, now)
        notice = _("Thank you. The officers now see both requests together.")
    else:
        cases.log(context.db, own, context.user.person_id, "link_declined", now, other=family.id)
        notice = _("All right: the requests stay separate.")
    kind = "linked" if agreed else "link_declined"
    holders = sorted({i for i in (family.assigned_officer_id, own.assigned_officer_id) if i})
    if holders:
        await case_alerts.notify(context.db, family, kind, officers=holders, now=now)
    else:
        await tell_officers(context, family, kind)
    await show_case(event, context, own, notice)


async def _no_contact(
    event: Event, context: Turn, own: HelpRequest, family: HelpRequest, now: datetime
) -> None:
    """Logged on both cases and told to who answers for them; the reply shows nothing
    about the request, and the question's buttons go away."""
    services = context.services
    officers: list[int] = []
    for case in (own, family):
        cases.log(context.db, case, context.user.person_id, "no_contact", now)
        officers += await case_alerts.holders(
            context.db, services.villages, case, admin_ids=await services.admins(context.db)
        )
    await case_alerts.notify(context.db, own, "no_contact", officers=officers, now=now)
    context.reply_as_new = False
    await show(
        event,
        context,
        context._("All right. The officers will not contact you here."),
        None,
    )


ROUTES: list[Route] = [
    routes.command("status", status),
    routes.choice(r"^hr:list$", status),
    routes.choice(r"^hr:v:\d{1,10}$", view),
    routes.choice(r"^hr:add:\d{1,10}$", add),
    routes.choice(r"^hr:ok:\d{1,10}$", confirm),
    routes.choice(r"^hr:re:\d{1,10}$", reopen),
    routes.choice(r"^hr:rt:\d{1,10}$", route),
    routes.choice(r"^hr:ln:\d{1,10}:\d{1,10}:[ynx]$", link_answer),
]
