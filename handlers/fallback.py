"""Everything no feature handler took: typed answers for the current step, free text read
for what it means (:mod:`handlers.understood`), and bad input.

Bad input is a feature: a sticker, photo, voice note, location, contact, a very long or
emoji-only text, an unknown command, an edited message or a stale button gets a short
localized hint and the same question again. Group chats only get an answer to ``/start``.
"""

from __future__ import annotations

from html import escape

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import understanding
from bot.context import BotContext
from bot.i18n import pick_locale
from handlers import help_request, understood
from handlers.common import Handlers, current_step, user_update
from handlers.help_description import attachment_of
from handlers.help_loose import to_a_case
from handlers.navigation import expired, reprompt
from storage.repositories import users

PRIVATE = filters.ChatType.PRIVATE
COMMAND_SHOWN = 40  # characters of an unknown command repeated back


@user_update
async def text_answer(update: Update, context: BotContext) -> None:
    """Hands typed text to the current step, or explains that buttons are expected."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    step = current_step(context.user)
    if step is not None and step.on_text is not None:
        await step.on_text(update, context, message.text)
        return
    reading = understanding.read(message.text)
    if step is None:
        await understood.outside_dialog(update, context, message.text, reading)
        return
    if await understood.inside_dialog(update, context, reading):
        return
    await reprompt(update, context, context._("Please answer with one of the buttons below."))


@user_update
async def unknown_command(update: Update, context: BotContext) -> None:
    """An unknown ``/command``: say so, list the useful ones, ask again."""
    message = update.effective_message
    command = (message.text or "").split(maxsplit=1)[0] if message else ""
    # Typed by the user: cut (before escaping, so never inside an entity) and escaped, as
    # ``/x<b>`` would otherwise be refused by Telegram as broken HTML.
    shown = escape(command[:COMMAND_SHOWN] + ("…" if len(command) > COMMAND_SHOWN else ""))
    notice = context._(
        "I do not know the command {command}. Try /menu or /bantuan.", command=shown
    )
    await reprompt(update, context, notice)


@user_update
async def other_message(update: Update, context: BotContext) -> None:
    """A sticker, photo, voice note, location, contact, …: taken by a step that accepts
    it, otherwise a hint and the same question."""
    step = current_step(context.user)
    if step is not None and step.on_media is not None:
        await step.on_media(update, context)
        return
    if step is None:
        message = update.effective_message
        file = attachment_of(update)
        caption = message.caption if message is not None else None
        if file is not None and await to_a_case(update, context, caption, file):
            return
    _ = context._
    await reprompt(update, context, _("I can only read text messages and button taps here."))


@user_update
async def edited_message(update: Update, context: BotContext) -> None:
    """Editing a sent message does not change an answer already given; say so."""
    notice = context._(
        "Editing an earlier message does not change your answer. Please send a new message."
    )
    await reprompt(update, context, notice)


@user_update
async def unknown_button(update: Update, context: BotContext) -> None:
    """A button whose data no handler knows: old, from a removed feature, or forged."""
    await expired(update, context)


async def group_start(update: Update, context: BotContext) -> None:
    """In a group the bot only says where to talk to it; it stores nothing."""
    message = update.effective_message
    user = update.effective_user
    if message is None:
        return
    locale = pick_locale(
        user.language_code if user else None, context.services.settings.default_locale
    )
    _ = context.services.i18n.translator(locale)
    link = f"https://t.me/{context.bot.username}"
    text = _(
        "Hello! Please talk to me in a private chat, so that what you tell me stays private: "
        "{link}",
        link=link,
    )
    await message.reply_text(text)


async def membership(update: Update, context: BotContext) -> None:
    """The user blocked (or unblocked) the bot: remember whether they can be reached."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    blocked = change.new_chat_member.status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)
    services = context.services
    async with services.sessions() as session, session.begin():
        when = services.clock.now() if blocked else None
        await users.mark_unreachable(session, change.chat.id, when)


HANDLERS: Handlers = [
    MessageHandler(PRIVATE & filters.UpdateType.EDITED_MESSAGE, edited_message),
    MessageHandler(PRIVATE & filters.COMMAND, unknown_command),
    MessageHandler(PRIVATE & filters.TEXT, text_answer),
    MessageHandler(PRIVATE & filters.UpdateType.MESSAGE, other_message),
    CallbackQueryHandler(understood.back, pattern=rf"^{help_request.RESUME}$"),
    CallbackQueryHandler(unknown_button),
    CommandHandler("start", group_start, filters=filters.ChatType.GROUPS),
    ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER),
]
