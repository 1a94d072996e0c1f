"""``/berhenti`` stops announcements for the user, ``/mulai`` starts them again.

Only announcements: replies to the user's own help requests still reach them.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.context import BotContext
from bot.services import profiles
from handlers.common import Handlers, user_update
from handlers.navigation import reprompt


@user_update
async def stop(update: Update, context: BotContext) -> None:
    """Stops announcements."""
    await _switch(update, context, off=True)


@user_update
async def resume(update: Update, context: BotContext) -> None:
    """Starts announcements again."""
    await _switch(update, context, off=False)


async def _switch(update: Update, context: BotContext, *, off: bool) -> None:

    _ = context._
    if not profiles.has_consent(context.user):
        await reprompt(
            update,
            context,
            _("Announcements only go to registered people who agreed to data processing."),
        )
        return
    profiles.set_announcements(context.user, off=off, now=context.services.clock.now())
    if off:
        notice = _("You will no longer receive announcements. Send /mulai to receive them again.")
    else:
        notice = _("You will receive announcements again. Send /berhenti to stop them.")
    await reprompt(update, context, notice)


HANDLERS: Handlers = [
    CommandHandler("berhenti", stop, filters=filters.ChatType.PRIVATE),
    CommandHandler("mulai", resume, filters=filters.ChatType.PRIVATE),
]
