"""What the app factory builds once and every event and job shares: settings, clock,
content, translations, the database (:class:`Services`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.clock import Clock
from bot.config import Settings
from bot.content import Villages
from bot.content.checklist import Checklist
from bot.content.help import HelpContent
from bot.content.job_offer import JobOffer
from bot.content.quiz import Quiz
from bot.i18n import I18n
from bot.metrics import Metrics

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from bot.delivery.engine import Engine
    from bot.inbox import Inbox
    from bot.services.officers import Routing

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
    delivery_engine: Engine | None = None  # the outbox's, once made (engine_of)

    async def admins(self, session: AsyncSession) -> frozenset[int]:
        """The people the settings name as admins (``ADMIN_IDS``, Telegram ids); each is a
        person from the first time they are needed, like an officer granted by id."""
        from storage.repositories import people

        now = self.clock.now()
        return frozenset(await people.telegram_people(session, self.settings.admin_ids, now=now))

    async def routing(self, session: AsyncSession) -> Routing:
        """Who hears about a case: for the officer-change services."""
        from bot.services.officers import Routing

        settings = self.settings
        return Routing(
            self.villages, await self.admins(session), settings.officer_groups, self.help.deadlines
        )


def services_of(application: Any) -> Services:
    """The services of an application (the Telegram one keeps them in ``bot_data``)."""
    services: Services = application.bot_data[SERVICES_KEY]
    return services
