"""The Telegram adapter's entry: each update becomes an event, the router picks the
dialog, which runs with a turn whose replies go out through the Bot API.

PTB sees three handlers: a group's ``/start`` and a person blocking or unblocking the
bot (Telegram's own business, answered here), and one that hands everything else to the
conversation core. The rate limit runs before them (group -1,
:mod:`bot.channels.telegram.rate_limit`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus
from telegram.ext import BaseHandler, ChatMemberHandler, CommandHandler, TypeHandler, filters

from bot.channels.telegram.context import BotContext
from bot.channels.telegram.events import event_of
from bot.channels.telegram.sending import deliver
from bot.conversation.routes import Router
from bot.conversation.turn import Turn
from bot.i18n import pick_locale
from bot.inbox import current_ticket
from bot.replies import Reply, mark_unreachable
from storage.repositories import users
from storage.repositories.people import TELEGRAM

ROUTER_KEY = "router"


class Dispatcher:
    def __init__(self, router: Router) -> None:
        self.router = router

    def handlers(self) -> list[BaseHandler[Update, BotContext, None]]:
        return [
            CommandHandler("start", group_start, filters=filters.ChatType.GROUPS),
            ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER),
            TypeHandler(Update, self.dispatch),
        ]

    async def dispatch(self, update: Update, context: BotContext) -> None:
        event = event_of(update, context.bot.username)
        if event is None:
            return
        handler = self.router.route(event)
        if handler is None:
            return
        services = context.services
        bot = context.bot

        async def send(calls: Sequence[Reply]) -> None:
            await deliver(
                bot, calls, on_blocked=functools.partial(mark_unreachable, services, TELEGRAM)
            )

        turn = Turn(services, send, commands=self.router.commands, ticket=current_ticket())
        await handler(event, turn)


def router_of(application: Any) -> Router:
    """The routes an application answers (for tests that walk them)."""
    router: Router = application.bot_data[ROUTER_KEY]
    return router


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
        await users.mark_unreachable_at(session, TELEGRAM, str(change.chat.id), when)
