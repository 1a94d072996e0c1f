"""Everything no feature handler took: typed answers for the current step, free text read
for what it means (:mod:`handlers.understood`), and bad input.

Bad input is a feature: a sticker, photo, voice note, location, contact, a very long or
emoji-only text, an unknown command, an edited message or a stale button gets a short
localized hint and the same question again. In a group chat the channel adapter answers
``/start`` only.
"""

from __future__ import annotations

from html import escape

from bot import understanding
from bot.conversation import Event, Turn, routes
from bot.conversation.routes import Route
from handlers import help_request, understood
from handlers.common import current_step, user_update
from handlers.help_description import attachment_of
from handlers.help_loose import to_a_case
from handlers.navigation import expired, reprompt

COMMAND_SHOWN = 40  # characters of an unknown command repeated back


@user_update
async def text_answer(event: Event, context: Turn) -> None:
    """Hands typed text to the current step, or explains that buttons are expected."""
    text = event.text
    assert text is not None
    step = current_step(context.user)
    if step is not None and step.on_text is not None:
        await step.on_text(event, context, text)
        return
    reading = understanding.read(text)
    if step is None:
        await understood.outside_dialog(event, context, text, reading)
        return
    if await understood.inside_dialog(event, context, reading):
        return
    await reprompt(event, context, context._("Please answer with one of the buttons below."))


@user_update
async def unknown_command(event: Event, context: Turn) -> None:
    """An unknown ``/command``: say so, list the useful ones, ask again."""
    command = (event.text or "").split(maxsplit=1)[0]
    # Typed by the user: cut (before escaping, so never inside an entity) and escaped, as
    # ``/x<b>`` would otherwise be refused by Telegram as broken HTML.
    shown = escape(command[:COMMAND_SHOWN] + ("…" if len(command) > COMMAND_SHOWN else ""))
    notice = context._(
        "I do not know the command {command}. Try /menu or /bantuan.", command=shown
    )
    await reprompt(event, context, notice)


@user_update
async def other_message(event: Event, context: Turn) -> None:
    """A sticker, photo, voice note, location, contact, …: taken by a step that accepts
    it, otherwise a hint and the same question."""
    step = current_step(context.user)
    if step is not None and step.on_media is not None:
        await step.on_media(event, context)
        return
    if step is None:
        file = attachment_of(event)
        if file is not None and await to_a_case(event, context, event.caption, file):
            return
    _ = context._
    await reprompt(event, context, _("I can only read text messages and button taps here."))


@user_update
async def edited_message(event: Event, context: Turn) -> None:
    """Editing a sent message does not change an answer already given; say so."""
    notice = context._(
        "Editing an earlier message does not change your answer. Please send a new message."
    )
    await reprompt(event, context, notice)


@user_update
async def unknown_button(event: Event, context: Turn) -> None:
    """A button whose data no handler knows: old, from a removed feature, or forged."""
    await expired(event, context)


ROUTES: list[Route] = [
    routes.fallback("edited", edited_message),
    routes.fallback("unknown_command", unknown_command),
    routes.fallback("text", text_answer),
    routes.fallback("other", other_message),
    routes.choice(rf"^{help_request.RESUME}$", understood.back),
    routes.fallback("any_choice", unknown_button),
]
