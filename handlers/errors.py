"""The one error handler: log with the update's context, tell the user what to do.

A ``Forbidden`` answer means the user blocked the bot: they are marked unreachable and
nothing is sent. No traceback ever reaches a user.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot.context import BotContext
from bot.i18n import pick_locale
from bot.inbox import current_ticket
from storage.repositories import users

log = logging.getLogger("desmigratif.errors")


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    ticket = current_ticket()
    if ticket is not None:
        ticket.failed()  # rolled back: not handled again after a restart (it would fail again)
    telegram_user = update.effective_user if isinstance(update, Update) else None
    chat = update.effective_chat if isinstance(update, Update) else None
    services = context.services
    if isinstance(error, Forbidden) and telegram_user is not None:
        log.info("user %s blocked the bot; marked unreachable", telegram_user.id)
        async with services.sessions() as session, session.begin():
            await users.mark_unreachable(session, telegram_user.id, services.clock.now())
        return
    update_kind = type(update).__name__
    if isinstance(update, Update):
        update_kind = next(
            (
                name
                for name in ("message", "edited_message", "callback_query", "my_chat_member")
                if getattr(update, name, None) is not None
            ),
            "update",
        )
    log.error(
        "error handling %s %s from user %s in chat %s",
        update_kind,
        update.update_id if isinstance(update, Update) else "-",
        telegram_user.id if telegram_user else "-",
        chat.id if chat else "-",
        exc_info=error,
    )
    if chat is None or chat.type != "private":
        return
    locale = await _locale_of(
        context,
        telegram_user.id if telegram_user else None,
        telegram_user.language_code if telegram_user else None,
    )
    _ = services.i18n.translator(locale)
    text = _(
        "Sorry, something went wrong on our side and your last step was not saved. "
        "Please try again, or send /menu to start from the main menu."
    )
    try:
        await context.bot.send_message(chat.id, text)
    except TelegramError:
        log.warning("could not tell chat %s about the error", chat.id, exc_info=True)


async def _locale_of(
    context: BotContext, telegram_id: int | None, language_code: str | None
) -> str:
    default = context.services.settings.default_locale
    if telegram_id is not None:
        try:
            async with context.services.sessions() as session:
                user = await users.get(session, telegram_id)
            if user is not None:
                return user.locale
        except Exception:  # the database may be what failed
            log.warning("could not read the locale of %s", telegram_id, exc_info=True)
    return pick_locale(language_code, default)
