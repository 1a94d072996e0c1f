"""The one error handler: log with the update's ids, tell the user what to do.

A ``Forbidden`` answer means the user blocked the bot: they are marked unreachable and
nothing is sent. No traceback ever reaches a user, and no message text or personal field
reaches the log: the error's type, the ids and the frames only (:mod:`bot.logs`).
"""

from __future__ import annotations

import logging
from logging import WARNING

from telegram import Update
from telegram.error import Forbidden, InvalidToken, TelegramError

from bot import logs
from bot.channels.telegram.context import BotContext
from bot.i18n import pick_locale
from bot.inbox import AlreadyHandled, current_ticket
from bot.logs import log_failure
from storage.repositories import users
from storage.repositories.people import TELEGRAM

log = logging.getLogger("desmigratif.errors")

TELEGRAM_PHRASE = 60  # characters of a Telegram error's opening phrase that are kept


def safe_detail(exc: BaseException) -> str | None:
    """What of a Telegram error may be logged (None: not Telegram's)."""
    if isinstance(exc, InvalidToken):
        return ""  # its message quotes the token
    if isinstance(exc, TelegramError):
        # Telegram's description opens with its own phrase ("Message is not modified",
        # "Can't parse entities") and may go on to quote the refused text.
        phrase = exc.message.split(":", 1)[0].split('"', 1)[0].split("`", 1)[0].strip()
        return phrase[:TELEGRAM_PHRASE]
    return None


logs.DETAILS.append(safe_detail)


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    if isinstance(error, AlreadyHandled):
        # Another process took this person's line and handled the update: this one's
        # unit of work rolled back and says nothing (the other answered).
        log.info("update %s was handled by another process", error.args[0])
        return
    ticket = current_ticket()
    if ticket is not None:
        ticket.failed()  # rolled back: not handled again after a restart (it would fail again)
    telegram_user = update.effective_user if isinstance(update, Update) else None
    chat = update.effective_chat if isinstance(update, Update) else None
    services = context.services
    if isinstance(error, Forbidden) and telegram_user is not None:
        log.info("user %s blocked the bot; marked unreachable", telegram_user.id)
        async with services.sessions() as session, session.begin():
            await users.mark_unreachable_at(
                session, TELEGRAM, str(telegram_user.id), services.clock.now()
            )
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
    if error is not None:
        log_failure(
            log,
            f"error handling {update_kind}",
            error,
            update=update.update_id if isinstance(update, Update) else None,
            user=telegram_user.id if telegram_user else None,
            chat=chat.id if chat else None,
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
    except TelegramError as exc:
        log_failure(log, "could not tell a chat about the error", exc, chat=chat.id, level=WARNING)


async def _locale_of(
    context: BotContext, telegram_id: int | None, language_code: str | None
) -> str:
    default = context.services.settings.default_locale
    if telegram_id is not None:
        try:
            async with context.services.sessions() as session:
                user = await users.get_at(session, TELEGRAM, str(telegram_id))
            if user is not None:
                return user.locale
        except Exception as exc:  # the database may be what failed
            log_failure(log, "could not read a locale", exc, user=telegram_id, level=WARNING)
    return pick_locale(language_code, default)
