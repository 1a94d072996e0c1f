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

from typing import cast

from bot.conversation import Event, Turn
from bot.services import profiles
from bot.understanding import Reading
from handlers import checklist, job_check, menu, my_data, profile, quiz, subscription
from handlers.common import Handler, begin, user_update
from handlers.help_loose import after_closed, to_a_case
from handlers.help_request import has_open_request, open_request
from handlers.help_steps import DIALOG, contacts_text
from handlers.navigation import expired, go_home, reprompt
from handlers.quiz import round_in_play, show_question
from handlers.screen import show


def _body(handler: Handler) -> Handler:
    """The handler without its unit of work: called from inside another one."""
    return cast(Handler, getattr(handler, "__wrapped__", handler))


def _feature(intent: str) -> Handler:
    commands: dict[str, Handler] = {
        "checklist": checklist.checklist_command,
        "quiz": quiz.quiz_command,
        "job_check": job_check.start,
        "stop": subscription.stop,
        "data": my_data.data_command,
        "language": profile.language_command,
        "menu": menu.menu_command,
    }
    return _body(commands[intent])


async def outside_dialog(event: Event, context: Turn, text: str, reading: Reading) -> None:
    """Free text with no dialog going on."""
    _ = context._
    user = context.user
    if reading.danger and profiles.has_consent(user) and await has_open_request(context):
        await show(event, context, contacts_text(context), new=True)
    if await to_a_case(event, context, text, None):
        return
    if reading.intent in ("thanks", "unknown") and await after_closed(
        event, context, reading.intent == "thanks"
    ):
        return
    if reading.intent == "help":
        await open_request(event, context, reading)
    elif not profiles.is_registered(user):
        await reprompt(event, context)
    elif reading.intent == "thanks":
        await go_home(event, context, notice=_("You are welcome! I am here when you need me."))
    elif reading.intent == "greeting":
        await go_home(
            event, context, notice=_("Hello! I am the Desmigratif assistant. How can I help?")
        )
    elif reading.intent == "unknown":
        if (quiz_round := await round_in_play(context)) is not None:  # typed at a question
            notice = _("Please answer with one of the buttons below.")
            await show_question(event, context, quiz_round, notice)
            return
        await go_home(event, context, notice=what_i_can_do(context))
    else:
        await _feature(reading.intent)(event, context)


def what_i_can_do(context: Turn) -> str:
    return context._(
        "I am not sure what you mean. I can help you prepare to work abroad safely, check "
        "a job offer, teach the warning signs of trafficking with a quiz, and send a "
        'request for help to the village officers: write for example "tolong, anak saya '
        'tidak ada kabar", or tap a button below.'
    )


async def inside_dialog(event: Event, context: Turn, reading: Reading) -> bool:
    """Help or danger words at a step that expects a button: leave for the help request,
    keeping the step to come back to. False when the text asks for nothing of the kind."""
    user = context.user
    if reading.intent != "help" or user.dialog == DIALOG:
        return False
    resume = {"dialog": user.dialog, "step": user.step, "data": user.dialog_data}
    await open_request(event, context, reading, resume)
    return True


@user_update
async def back(event: Event, context: Turn) -> None:
    """``↩️ Back to where I was``: the request started from a dialog is dropped and the
    earlier step asked again."""
    user = context.user
    resume = (user.dialog_data or {}).get("resume") if user.dialog == DIALOG else None
    if not isinstance(resume, dict):
        await expired(event, context)
        return
    begin(user, str(resume["dialog"]), str(resume["step"]), resume.get("data") or {})
    await reprompt(event, context, context._("Back where you were. The request was not sent."))
