"""Typed text that no step takes, read for what the person means (:mod:`bot.understanding`).

Outside a dialog: help words start the help request (category pre-chosen, the emergency
contacts first on danger words), a feature's words open that feature, greetings and thanks
get an answer in kind, anything else a short list of what the bot can do. Someone with an
open request keeps having loose text added to it (danger words still show the contacts);
someone whose request was closed lately gets thanks answered in kind and other words told
that they did not go to the closed request (help words start a new one).
Inside a dialog that expects a button, help or danger words leave it safely: the request
starts and a button takes the person back to where they were.
"""

from __future__ import annotations

from typing import Any, cast

from telegram import Update

from bot.context import BotContext
from bot.services import help_requests, profiles
from bot.understanding import Reading
from handlers.common import Handler, begin, show, user_update
from handlers.keyboards import keyboard

BACK = "un:back"


def _body(handler: Handler) -> Handler:
    """The handler without its unit of work: called from inside another one."""
    return cast(Handler, getattr(handler, "__wrapped__", handler))


def _feature(intent: str) -> Handler:
    from handlers import checklist, job_check, menu, profile, quiz, subscription

    commands: dict[str, Handler] = {
        "checklist": checklist.checklist_command,
        "quiz": quiz.quiz_command,
        "job_check": job_check.start,
        "stop": subscription.stop,
        "data": profile.data_command,
        "language": profile.language_command,
        "menu": menu.menu_command,
    }
    return _body(commands[intent])


async def outside_dialog(update: Update, context: BotContext, text: str, reading: Reading) -> None:
    """Free text with no dialog going on."""
    from handlers.fallback import to_a_case
    from handlers.help_request import contacts_text
    from handlers.help_status import after_closed
    from handlers.menu import main_menu
    from handlers.stale import reprompt

    _ = context._
    user = context.user
    if reading.danger and profiles.has_consent(user) and await _has_open_request(context):
        await show(update, context, contacts_text(context), new=True)
    if await to_a_case(update, context, text, None):
        return
    if reading.intent in ("thanks", "unknown") and await after_closed(
        update, context, reading.intent == "thanks"
    ):
        return
    if reading.intent == "help":
        await open_request(update, context, reading)
    elif not profiles.is_registered(user):
        await reprompt(update, context)
    elif reading.intent == "thanks":
        await main_menu(update, context, notice=_("You are welcome! I am here when you need me."))
    elif reading.intent == "greeting":
        await main_menu(
            update, context, notice=_("Hello! I am the Desmigratif assistant. How can I help?")
        )
    elif reading.intent == "unknown":
        from handlers.quiz import round_in_play, show_question

        if (quiz_round := await round_in_play(context)) is not None:  # typed at a question
            notice = _("Please answer with one of the buttons below.")
            await show_question(update, context, quiz_round, notice)
            return
        await main_menu(update, context, notice=what_i_can_do(context))
    else:
        await _feature(reading.intent)(update, context)


def what_i_can_do(context: BotContext) -> str:
    return context._(
        "I am not sure what you mean. I can help you prepare to work abroad safely, check "
        "a job offer, teach the warning signs of trafficking with a quiz, and send a "
        'request for help to the village officers: write for example "tolong, anak saya '
        'tidak ada kabar", or tap a button below.'
    )


async def _has_open_request(context: BotContext) -> bool:
    return await help_requests.open_count(context.db, context.user.telegram_id) > 0


async def open_request(
    update: Update, context: BotContext, reading: Reading, resume: dict[str, Any] | None = None
) -> None:
    """The help request, with what the words said already taken: the category, and the
    emergency contacts first on danger (the same steps as tapping those buttons)."""
    from handlers import help_request as request

    user = context.user
    limit = context.services.settings.max_open_requests
    allowed = profiles.has_consent(user)
    if allowed and not await help_requests.may_open(context.db, user.telegram_id, limit):
        if reading.danger:  # the limit never stands between someone and help
            await show(update, context, request.contacts_text(context), new=True)
        allowed = False
    if not allowed:  # `/tolong` explains why (and shows the contacts without consent)
        await _body(request.start)(update, context)
        return
    from handlers.help_draft import offer

    fresh = {"category": reading.category, "danger": reading.danger, "resume": resume}
    if await offer(update, context, fresh):  # an unsent request: continue or start again
        return
    data: dict[str, Any] = {"resume": resume} if resume else {}
    category = context.services.help.category(reading.category or "")
    if category is not None:
        data["category"] = category.id
    if reading.danger or (category is not None and category.shows_contacts):
        # The contacts first, before anything else is said.
        begin(user, request.DIALOG, "contacts", {**data, "danger": reading.danger})
        await request.ask_contacts(update, context, None)
    elif category is not None:
        begin(user, request.DIALOG, "for_whom", data)
        notice = context._(
            "It sounds like: {category}. If that is not right, you can change it before "
            "you send the request.",
            category=context._(category.label),
        )
        await request.ask_for_whom(update, context, notice)
    else:
        begin(user, request.DIALOG, "category", data)
        await request.ask_category(update, context, None)
    if resume:
        _ = context._
        rows = [[(_.pgettext("button", "↩️ Back to where I was"), BACK)]]
        text = _(
            "What you were doing before is kept. To go back to it (this request is then not "
            "sent), tap below."
        )
        await show(update, context, text, keyboard(rows), new=True)


async def inside_dialog(update: Update, context: BotContext, reading: Reading) -> bool:
    """Help or danger words at a step that expects a button: leave for the help request,
    keeping the step to come back to. False when the text asks for nothing of the kind."""
    from handlers.help_request import DIALOG

    user = context.user
    if reading.intent != "help" or user.dialog == DIALOG:
        return False
    resume = {"dialog": user.dialog, "step": user.step, "data": user.dialog_data}
    await open_request(update, context, reading, resume)
    return True


@user_update
async def back(update: Update, context: BotContext) -> None:
    """``↩️ Back to where I was``: the request started from a dialog is dropped and the
    earlier step asked again."""
    from handlers.help_request import DIALOG
    from handlers.stale import expired, reprompt

    user = context.user
    resume = (user.dialog_data or {}).get("resume") if user.dialog == DIALOG else None
    if not isinstance(resume, dict):
        await expired(update, context)
        return
    begin(user, str(resume["dialog"]), str(resume["step"]), resume.get("data") or {})
    await reprompt(update, context, context._("Back where you were. The request was not sent."))
