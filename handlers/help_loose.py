"""A requester's message typed outside any dialog: it goes to their open request (asking
which one when there are several), and thanks or words after a closed request get an
answer about it.
"""

from __future__ import annotations

from sqlalchemy import select

from bot import case_text
from bot.conversation import Event, Turn
from bot.services import help_requests as cases
from bot.services import profiles
from handlers.common import begin, end, in_step, step, user_update
from handlers.help_mine import (
    LISTED,
    RECENTLY_CLOSED,
    ROUTE_DIALOG,
    own_case,
    refusal,
    store_info,
)
from handlers.keyboards import keyboard
from handlers.navigation import expired, go_home
from handlers.screen import button_number, show, with_notice
from storage.models import HelpRequest

# --- a message typed outside any dialog ---------------------------------------------------


async def _open_cases(context: Turn) -> list[HelpRequest]:
    found = await context.db.scalars(
        select(HelpRequest)
        .where(
            HelpRequest.requester_id == context.user.person_id,
            HelpRequest.status.in_(cases.OPEN),
        )
        .order_by(HelpRequest.id.desc())
        .limit(LISTED)
    )
    return list(found.all())


async def to_a_case(
    event: Event, context: Turn, text: str | None, file: dict[str, str] | None
) -> bool:
    """Outside any dialog, a requester's message goes to their open help request."""
    if not profiles.has_consent(context.user):
        return False
    return await take_loose_message(event, context, text, file)


async def take_loose_message(
    event: Event, context: Turn, text: str | None, file: dict[str, str] | None
) -> bool:
    """Someone with open requests wrote outside any dialog: most likely an answer to an
    officer, typed without tapping Reply. It goes into the case (asking which one when
    there are several) rather than being answered with "use the buttons" and lost."""
    open_cases = await _open_cases(context)
    if not open_cases:
        return False
    if len(open_cases) == 1:
        await _added(event, context, open_cases[0], text, file)
        return True
    refused = await refusal(context, None, file)  # the hourly limit: before asking which
    if refused is not None:
        await _outcome(event, context, refused, None)
        return True
    begin(context.user, ROUTE_DIALOG, "choose", {"text": text, "file": file})
    await ask_route(event, context, None)
    return True


async def after_closed(event: Event, context: Turn, thanks: bool) -> bool:
    """Thanks or other words (not a new problem) from someone whose latest request was
    closed or resolved lately and who has none open: an answer in kind, never added to the
    closed request. False when there is no such request."""
    if not profiles.has_consent(context.user):
        return False
    case = (
        await context.db.scalars(
            select(HelpRequest)
            .where(HelpRequest.requester_id == context.user.person_id)
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
    await show(event, context, notice, keyboard(rows), new=True)
    return True


async def _added(
    event: Event,
    context: Turn,
    case: HelpRequest,
    text: str | None,
    file: dict[str, str] | None,
) -> None:
    _ = context._
    refused = await refusal(context, case, file)
    if refused is not None:
        await _outcome(event, context, refused, case)
        return
    notice = await store_info(context, case, text, file)
    await _outcome(event, context, notice, case)


async def _outcome(event: Event, context: Turn, notice: str, case: HelpRequest | None) -> None:
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
    await show(event, context, notice, keyboard(rows), new=True)


@step(ROUTE_DIALOG, "choose")
async def ask_route(event: Event, context: Turn, notice: str | None) -> None:
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
    await show(event, context, with_notice(notice, text), keyboard(rows))


async def _more_for_route(event: Event, context: Turn, text: str) -> None:
    """More typed while choosing: kept together with what came before."""
    before = (context.user.dialog_data or {}).get("text") or ""
    context.user.dialog_data = {
        **(context.user.dialog_data or {}),
        "text": f"{before}\n\n{text}".strip(),
    }
    await ask_route(event, context, None)


step(ROUTE_DIALOG, "choose", on_text=_more_for_route)(ask_route)


@user_update
async def route(event: Event, context: Turn) -> None:
    if not in_step(context.user, ROUTE_DIALOG, "choose"):
        await expired(event, context)
        return
    data = dict(context.user.dialog_data or {})
    case_id = button_number(event, 2)
    if case_id == 0:
        end(context.user)
        await go_home(event, context, notice=context._("All right: it was not sent."))
        return
    case = await own_case(context, case_id)
    if case is None or case.status not in cases.OPEN:
        await expired(event, context)
        return
    end(context.user)
    await _added(event, context, case, data.get("text"), data.get("file"))
