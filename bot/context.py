"""The per-update context handlers receive: typed access to the app's services plus, once
:func:`handlers.common.user_update` has run, the user's row, translator and session."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.config import Settings
from bot.content import Villages
from bot.content.checklist import Checklist
from bot.content.help import HelpContent
from bot.content.job_offer import JobOffer
from bot.content.quiz import Quiz
from bot.i18n import I18n, Translator
from bot.metrics import Metrics

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from bot.inbox import Inbox
    from bot.replies import Replies
    from bot.services.officers import Routing
    from storage.models import Officer, User

SERVICES_KEY = "services"


@dataclass
class Services:
    """Everything built once by the factory and shared by all updates and jobs."""

    settings: Settings
    clock: Clock
    i18n: I18n
    villages: Villages
    checklist: Checklist
    quiz: Quiz
    job_offer: JobOffer
    help: HelpContent
    sessions: async_sessionmaker[AsyncSession]
    engine: AsyncEngine
    sweeps: list[Any] = field(default_factory=list)
    inbox: Inbox | None = None  # set by the factory
    metrics: Metrics = field(default_factory=Metrics)
    bot_username: str = ""  # known once the bot is initialised (for t.me links in jobs)

    def routing(self) -> Routing:
        """Who hears about a case: for the officer-change services."""
        from bot.services.officers import Routing

        settings = self.settings
        return Routing(
            self.villages, settings.admin_ids, settings.officer_groups, self.help.deadlines
        )


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """``context.services`` always; ``context.user``/``_``/``db``/``officer``/``replies``
    per update (see :func:`handlers.common.user_update`)."""

    user: User
    db: AsyncSession
    officer: Officer | None
    replies: Replies
    reply_as_new: bool
    _: Translator

    @property
    def services(self) -> Services:
        services: Services = self.bot_data[SERVICES_KEY]
        return services


def services_of(application: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    services: Services = application.bot_data[SERVICES_KEY]
    return services
