"""The context PTB hands the adapter's own handlers (the dialogs get a
:class:`~bot.conversation.Turn` instead)."""

from __future__ import annotations

from typing import Any

from telegram.ext import CallbackContext, ExtBot

from bot.context import SERVICES_KEY, Services


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    @property
    def services(self) -> Services:
        services: Services = self.bot_data[SERVICES_KEY]
        return services
