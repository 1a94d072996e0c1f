"""``/tolong`` (menu: 🆘 Ask for help): a request for help becomes a case for the officers.

Dialog ``help``::

    category ─(urgent, or contacts first)─▶ contacts ─▶ for_whom ─▶ [family: name ▶
      relationship] ▶ country ▶ city ▶ employer ▶ [family: last_contact ▶ contact] ▶
      description ▶ review ▶ Send

``country`` first offers "in Indonesia, not left yet" and "in a holding house
(penampungan)" (asked as "Where are you now?" for a problem before departure);
``subject["where"]`` keeps that as an id instead of a country, worded in the reader's
language when shown (:mod:`bot.case_text`); the city is then asked in Indonesia.

"« Back" (``hr:back:<step>``) goes one step back along the way the person came
(:data:`BACK`), every answer kept: a question that has an answer shows it and offers to
keep it. In editing mode (✏️ Edit at the review) the step the edit began at leads back
to the review.

``last_contact`` offers ranges as buttons (``help.yaml``) or takes the person's own words;
a range past ``lost_contact_urgent_after`` makes a "lost contact" request urgent.

Every answer is kept in ``users.dialog_data`` as it is given, so a restart loses nothing.
On Send the case, the officers' notices and its deadlines are committed before the
person sees their reference number. Emergency contacts are shown before any urgent
request, and to everyone (also without consent) from the menu.
"""

from __future__ import annotations

from typing import Any, cast

from bot.conversation import Event, Turn, routes
from bot.conversation.routes import Route
from bot.services import help_requests as cases
from bot.services import profiles
from bot.understanding import Reading
from handlers.common import Handler, begin, end, goto, in_step, user_update
from handlers.help_description import go_on
from handlers.help_details import field_button
from handlers.help_draft import OFFER, leave_prompt, offer
from handlers.help_review import edit, edit_part, send
from handlers.help_steps import (
    BACK,
    DIALOG,
    answers,
    ask_category,
    ask_contacts,
    ask_for_whom,
    chose_category,
    chose_for_whom,
    contacts_text,
    danger,
    may_open,
    menu_row,
    my_requests_row,
    too_many_open,
)
from handlers.keyboards import keyboard
from handlers.navigation import ask, at_step, expired, go_home, reprompt
from handlers.screen import answer_query, button_value, show, with_notice

RESUME = "un:back"  # "↩️ Back to where I was" (handled by handlers.understood)


def _body(handler: Handler) -> Handler:
    """The handler without its unit of work: called from inside another one."""
    return cast(Handler, getattr(handler, "__wrapped__", handler))


@user_update
async def start(event: Event, context: Turn) -> None:
    """Starts a new request (``/tolong``, the menu, a job check's result)."""
    _ = context._
    if not profiles.has_consent(context.user):
        notice = _(
            "To send a request to the officers you need to agree to data processing first "
            "(/start). The emergency contacts below are for everyone."
        )
        if not profiles.is_registered(context.user):
            await reprompt(event, context, with_notice(notice, contacts_text(context)))
            return
        await show(event, context, with_notice(notice, contacts_text(context)), menu_row(context))
        return
    if not await may_open(context):
        rows = [
            my_requests_row(context),
            [(_.pgettext("menu", "🚨 Emergency contacts"), "hr:sos")],
            [(_.pgettext("button", "« Menu"), "menu:main")],
        ]
        await show(event, context, too_many_open(context, urgent=False), keyboard(rows))
        return
    if await offer(event, context, {}):  # an unsent request: continue it or start again
        return
    begin(context.user, DIALOG, "category")
    await ask_category(event, context, None)


@user_update
async def emergency_contacts(event: Event, context: Turn) -> None:
    """The contacts alone (menu button, also for people who declined data processing)."""
    await show(event, context, contacts_text(context), menu_row(context))


async def has_open_request(context: Turn) -> bool:
    return await cases.open_count(context.db, context.user.person_id) > 0


async def open_request(
    event: Event, context: Turn, reading: Reading, resume: dict[str, Any] | None = None
) -> None:
    """The help request, with what the words said already taken: the category, and the
    emergency contacts first on danger (the same steps as tapping those buttons)."""
    user = context.user
    limit = context.services.settings.max_open_requests
    allowed = profiles.has_consent(user)
    if allowed and not await cases.may_open(context.db, user.person_id, limit):
        if reading.danger:  # the limit never stands between someone and help
            await show(event, context, contacts_text(context), new=True)
        allowed = False
    if not allowed:  # `/tolong` explains why (and shows the contacts without consent)
        await _body(start)(event, context)
        return
    fresh = {"category": reading.category, "danger": reading.danger, "resume": resume}
    if await offer(event, context, fresh):  # an unsent request: continue or start again
        return
    data: dict[str, Any] = {"resume": resume} if resume else {}
    category = context.services.help.category(reading.category or "")
    if category is not None:
        data["category"] = category.id
    if reading.danger or (category is not None and category.shows_contacts):
        # The contacts first, before anything else is said.
        begin(user, DIALOG, "contacts", {**data, "danger": reading.danger})
        await ask_contacts(event, context, None)
    elif category is not None:
        begin(user, DIALOG, "for_whom", data)
        notice = context._(
            "It sounds like: {category}. If that is not right, you can change it before "
            "you send the request.",
            category=context._(category.label),
        )
        await ask_for_whom(event, context, notice)
    else:
        begin(user, DIALOG, "category", data)
        await ask_category(event, context, None)
    if resume:
        _ = context._
        rows = [[(_.pgettext("button", "↩️ Back to where I was"), RESUME)]]
        text = _(
            "What you were doing before is kept. To go back to it (this request is then not "
            "sent), tap below."
        )
        await show(event, context, text, keyboard(rows), new=True)


@at_step(OFFER, "offer")
async def start_again(event: Event, context: Turn) -> None:
    """``🗑 Start again``: the draft is deleted and a new request starts."""
    fresh = dict((context.user.dialog_data or {}).get("fresh") or {})
    cases.drop_draft(context.user)
    end(context.user)
    await answer_query(event, context, context._("The unsent request was deleted."))
    reading = Reading("help", fresh.get("category"), bool(fresh.get("danger")))
    await open_request(event, context, reading, fresh.get("resume"))


@user_update
async def back(event: Event, context: Turn) -> None:
    """« Back: one step back (:data:`BACK`), every answer kept. Pressed on an old message
    (the person is at another step now), it has expired like any stale button."""
    here = button_value(event)
    rule = BACK.get(here)
    previous = rule(answers(context)) if rule and in_step(context.user, DIALOG, here) else None
    if previous is None:
        await expired(event, context)
        return
    goto(context.user, previous, **({"editing": False} if previous == "review" else {}))
    await ask(event, context)


@user_update
async def cancel(event: Event, context: Turn) -> None:

    if not in_step(context.user, DIALOG):
        await expired(event, context)
        return
    if await leave_prompt(event, context):  # something written: send, keep or discard?
        return
    end(context.user)
    await answer_query(event, context, context._("Request cancelled."))
    await go_home(event, context, notice=context._("The request was cancelled; nothing was sent."))


ROUTES: list[Route] = [
    routes.command("tolong", start),
    routes.choice(r"^hr:new$", start),
    routes.choice(r"^hr:sos$", emergency_contacts),
    routes.choice(r"^hr:danger$", danger),
    routes.choice(r"^hr:cat:[a-z_]{1,24}$", chose_category),
    routes.choice(r"^hr:go$", go_on),
    routes.choice(r"^hr:who:[a-z]{1,8}$", chose_for_whom),
    routes.choice(
        r"^hr:(skip|keep|rel:[a-z]{1,10}|cty:[a-z0-9-]{1,24}|where:[a-z]{1,12}"
        r"|lc:[a-z0-9]{1,12})$",
        field_button,
    ),
    routes.choice(r"^hr:back:[a-z_]{1,16}$", back),
    routes.choice(r"^hr:edit$", edit),
    routes.choice(r"^hr:ed:[a-z]{1,12}$", edit_part),
    routes.choice(r"^hr:send$", send),
    routes.choice(r"^hr:cancel$", cancel),
    routes.choice(r"^hd:fresh$", start_again),
]
