"""What an officer does with a case by button: claim it, change its state, resolve it
with an outcome the requester is told, hand it to another officer.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot import case_text
from bot.conversation import Event, Turn
from bot.services import case_alerts
from bot.services import help_requests as cases
from handlers import whois
from handlers.case_page import show_case
from handlers.case_queue import DIALOG, STATUS_BUTTONS, case_in_scope, may
from handlers.common import begin, end, in_step, user_update
from handlers.keyboards import keyboard
from handlers.navigation import ask, expired
from handlers.screen import (
    answer_query,
    button_number,
    button_person_id,
    button_value,
    pressed_on_page,
    show,
    with_notice,
)
from storage.models import HelpRequest, Officer

# --- actions ---------------------------------------------------------------------------


async def tell_requester(context: Turn, case: HelpRequest, event: str, **extra: Any) -> None:
    await case_alerts.notify(
        context.db, case, event, requester=True, now=context.services.clock.now(), **extra
    )


@user_update
async def claim(event: Event, context: Turn) -> None:
    _ = context._
    case = await case_in_scope(context, button_number(event, 2))
    if case is None:
        await expired(event, context)
        return
    now = context.services.clock.now()
    context.reply_as_new = not pressed_on_page(event, "cs:q")
    if case.assigned_officer_id == context.user.person_id:
        await show_case(event, context, case, _("You already handle this case."))
        return
    try:
        cases.claim(context.db, case, context.user.person_id, now)
    except cases.CaseError:
        await answer_query(event, context, _("Another officer has already claimed it."))
        await show_case(event, context, case, _("Another officer has already claimed it."))
        return
    await case_alerts.plan_idle(
        context.db, case, now + context.services.help.deadlines.idle_after(case.urgent)
    )
    await tell_requester(context, case, "status")
    await show_case(event, context, case, _("✅ You handle this case now. The requester is told."))


@user_update
async def set_status(event: Event, context: Turn) -> None:
    _ = context._
    case = await case_in_scope(context, button_number(event, 2))
    target = button_value(event)
    # Only "in progress" reopens a finished case: a second tap on Resolved, or a stale
    # page's Waiting, must not bring it back.
    reopening = (
        case is not None and case.status in ("resolved", "closed") and target == "in_progress"
    )
    if (
        case is None
        or target not in STATUS_BUTTONS
        or (case.assigned_officer_id != context.user.person_id and not reopening)
    ):
        await expired(event, context)
        return
    if target == "resolved":  # not yet: the outcome for the requester first
        if not may(context, case, "outcome"):
            await expired(event, context)
            return
        if in_step(context.user, DIALOG):
            end(context.user)
        context.reply_as_new = not pressed_on_page(event, "cs:q")
        await ask_outcome(event, context, case)
        return
    now = context.services.clock.now()
    deadlines = context.services.help.deadlines
    try:
        if reopening:
            cases.reopen(context.db, case, context.user.person_id, now)
        else:
            cases.set_status(context.db, case, context.user.person_id, target, now)
    except cases.CaseError:
        await expired(event, context)
        return
    if reopening:
        if case.assigned_officer_id is None:
            case.assigned_officer_id = context.user.person_id
        await case_alerts.plan_idle(context.db, case, now + deadlines.idle_after(case.urgent))
    await tell_requester(context, case, "status")
    await show_case(event, context, case, _("Status changed. The requester is told."))


# --- resolving: the outcome for the requester ----------------------------------------------


async def ask_outcome(
    event: Event, context: Turn, case: HelpRequest, notice: str | None = None
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
    await show(event, context, with_notice(notice, text), keyboard(rows))


@user_update
async def resolve_with(event: Event, context: Turn) -> None:
    """``cs:rs:<case>:<outcome>``: resolves the case with a common outcome, or (``typed``)
    asks the officer to type it."""
    case = await case_in_scope(context, button_number(event, 2))
    chosen = button_value(event)
    known = chosen == "typed" or context.services.help.outcome(chosen) is not None
    if case is None or not known or not may(context, case, "outcome"):
        await expired(event, context)
        return
    if chosen == "typed":
        begin(context.user, DIALOG, "outcome", {"case": case.id, "reference": case.reference})
        await ask(event, context)
        return
    if in_step(context.user, DIALOG):
        end(context.user)
    await resolve_case(event, context, case, outcome=chosen)


async def resolve_case(
    event: Event,
    context: Turn,
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
            context.user.person_id,
            now,
            outcome=outcome,
            outcome_text=outcome_text,
        )
    except cases.CaseError:
        await expired(event, context)
        return
    close_after = context.services.help.deadlines.close_after
    await case_alerts.plan_check(context.db, case, "close", now + close_after)
    await tell_requester(context, case, "status")
    await show_case(event, context, case, context._("Status changed. The requester is told."))


@user_update
async def reassign_menu(event: Event, context: Turn) -> None:
    _ = context._
    case = await case_in_scope(context, button_number(event, 2))
    if case is None or case.status not in cases.OPEN:
        await expired(event, context)
        return
    candidates = await _candidates(context, case)
    known = await whois.addresses(context, [o.person_id for o in candidates])
    rows = [
        [
            (
                f"{known.get(o.person_id, whois.UNKNOWN)} · "
                f"{case_text.office(context.services, o.area_id)}",
                f"cs:ra:{case.id}:{o.person_id}",
            )
        ]
        for o in candidates
        if o.person_id != case.assigned_officer_id
    ][:20]
    text = _("Assign {reference} to which officer?", reference=case.reference)
    if not rows:
        text = _("There is no other officer for this village.")
    rows.append([(_.pgettext("button", "« Back to the case"), f"cs:v:{case.id}")])
    await show(event, context, text, keyboard(rows))


async def _candidates(context: Turn, case: HelpRequest) -> list[Officer]:
    """Officers whose area covers the case's village (the village's and the district's)."""
    areas = [
        case.village_id or "",
        case_alerts.district_of(context.services.villages, case.village_id) or "",
    ]
    found = await context.db.scalars(
        select(Officer).where(Officer.area_id.in_(areas)).order_by(Officer.person_id)
    )
    return list(found.all())


@user_update
async def reassign(event: Event, context: Turn) -> None:
    _ = context._
    case = await case_in_scope(context, button_number(event, 2))
    target = button_person_id(event, 3)
    if case is None or case.status not in cases.OPEN:
        await expired(event, context)
        return
    if target not in {o.person_id for o in await _candidates(context, case)}:
        await expired(event, context)
        return
    now = context.services.clock.now()
    was_new = case.status == "new"
    cases.reassign(context.db, case, context.user.person_id, target, now)
    await case_alerts.notify(context.db, case, "assigned", officers=[target], now=now)
    if was_new:  # now someone holds it, as after a claim
        await tell_requester(context, case, "status")
    await case_alerts.plan_idle(
        context.db, case, now + context.services.help.deadlines.idle_after(case.urgent)
    )
    await show_case(event, context, case, _("Reassigned. The officer is told."))
