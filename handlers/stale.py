"""Asking again: after a stale or forged button, unexpected input, or a detour."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.services import profiles
from handlers import menu
from handlers.common import answer_query, begin, current_step


async def reprompt(update: Update, context: BotContext, notice: str | None = None) -> None:
    """Ask the user's current question again (as a new message), or show the menu."""
    context.reply_as_new = True
    user = context.user
    if (current := current_step(user)) is not None:
        await current.prompt(update, context, notice)
        return
    if profiles.is_registered(user):
        # The quiz is not a dialog (its state is its rounds): a question being played
        # is where the person is.
        from handlers.quiz import round_in_play, show_question

        if (quiz_round := await round_in_play(context)) is not None:
            await show_question(update, context, quiz_round, notice)
            return
        await menu.main_menu(update, context, notice=notice)
        return
    # Someone who never finished onboarding (or whose dialog vanished): start it.
    from handlers.onboarding import DIALOG, ask_language

    begin(user, DIALOG, "language")
    await ask_language(update, context, notice)


async def expired(update: Update, context: BotContext) -> None:
    """A button that no longer applies (old message, forged data, another step)."""
    _ = context._
    await answer_query(update, context, _("This button has expired."))
    await reprompt(update, context, _("That button is no longer valid. Here is where we are:"))
