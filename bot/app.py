"""The one application factory. ``__main__``, the simulator, benchmarks and tests all
build the bot here; tests pass the in-process Bot API emulator as ``request``."""

from __future__ import annotations

import logging
from typing import Any

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot.channels.telegram.bot_api import CheckedRequest, http_requests
from bot.channels.telegram.commands import register_commands
from bot.channels.telegram.context import BotContext
from bot.channels.telegram.dispatch import ROUTER_KEY, Dispatcher
from bot.channels.telegram.errors import on_error
from bot.channels.telegram.outbox import sweep_deliveries
from bot.channels.telegram.rate_limit import UpdateLimiter
from bot.clock import Clock, SystemClock
from bot.config import Settings, SettingsError
from bot.content import load_villages
from bot.content.checklist import load_checklist
from bot.content.help import load_help
from bot.content.job_offer import load_job_offer
from bot.content.lexicon import load_lexicon
from bot.content.quiz import load_quiz
from bot.context import SERVICES_KEY, Services, services_of
from bot.conversation.routes import Router
from bot.i18n import I18n
from bot.inbox import Inbox, PersonOrderedProcessor
from bot.scheduler import schedule_sweep
from storage.db import TransactionWatch, create_engine, create_sessionmaker
from storage.migrations import upgrade

log = logging.getLogger("desmigratif")

PLACEHOLDER_TOKEN = "0:EMULATED"


class BotApplication(Application[Any, BotContext, Any, Any, Any, Any]):
    """An Application that opens its resources in ``initialize`` and closes them in
    ``shutdown``.

    PTB calls ``post_init`` only from ``run_polling``/``run_webhook``; tests, benchmarks and
    the simulator drive the application with ``async with app:`` instead, and must get the
    same migrated database and command list as production.
    """

    setup: Any = None
    teardown: Any = None

    async def initialize(self) -> None:
        await super().initialize()
        if self.setup is not None:
            await self.setup(self)

    async def shutdown(self) -> None:
        try:
            await super().shutdown()
        finally:
            if self.teardown is not None:
                await self.teardown(self)


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    clock: Clock | None = None,
    register_bot_commands: bool = True,
) -> BotApplication:
    """Wire settings, content, translations, storage and handlers into an Application.

    With ``request`` (the emulator) no network is touched and no token is needed.
    Resources are opened in ``initialize`` and closed in ``shutdown``. Updates put on the
    application's queue are handled side by side, each person's in order
    (:class:`bot.inbox.PersonOrderedProcessor`); ``desmigratif run`` feeds it from the
    inbox (:func:`bot.runner.serve`).
    """
    from handlers import routes

    tz = settings.tz
    villages = load_villages()
    unknown = sorted(set(settings.officer_groups) - set(villages.area_ids))
    if unknown:
        raise SettingsError(
            f"OFFICER_GROUPS: unknown area {unknown[0]!r}; known: {', '.join(villages.area_ids)}"
        )
    # Content that is only read later (the words people type) is checked now: a bad file
    # stops the bot at start, not at the first message someone types.
    load_lexicon()
    engine = create_engine(settings.database_url)
    services = Services(
        settings=settings,
        clock=clock or SystemClock(),
        i18n=I18n(settings.default_locale, tz),
        villages=villages,
        checklist=load_checklist(),
        quiz=load_quiz(),
        job_offer=load_job_offer(),
        help=load_help(),
        sessions=create_sessionmaker(engine),
        engine=engine,
        sweeps=[sweep_deliveries, prune_inbox],
    )
    services.inbox = inbox = Inbox(services)

    async def setup(application: BotApplication) -> None:
        if settings.auto_migrate:
            await upgrade(engine)
        if register_bot_commands:
            await register_commands(application.bot, services.i18n)
        services.bot_username = application.bot.username
        schedule_sweep(application)
        log.info("bot @%s ready on %s", application.bot.username, engine.dialect.name)

    async def teardown(application: BotApplication) -> None:
        await inbox.close()
        delivery_engine = services.delivery_engine
        if delivery_engine is not None:
            await delivery_engine.marks.close()
        await engine.dispose()

    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else None
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        Application.builder()
        .token(token or PLACEHOLDER_TOKEN)
        .context_types(ContextTypes(context=BotContext))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                tzinfo=tz,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .application_class(BotApplication)
        .concurrent_updates(PersonOrderedProcessor(settings.update_concurrency, inbox))
        # Polling is ours (bot.inbox.Poller): PTB's Updater confirms updates to Telegram
        # before they are stored anywhere.
        .updater(None)
    )
    if settings.telegram_api_base_url:
        base = settings.telegram_api_base_url.rstrip("/")
        builder = builder.base_url(base).base_file_url(base.replace("/bot", "/file/bot"))
    # No AIORateLimiter: its 30 calls/s cap over *all* calls would queue answers to
    # people who are waiting for them. Broadcasts are paced by the delivery engine;
    # answers honour Telegram's RetryAfter themselves (bot.replies).
    calls, updates = (
        (request, request) if request is not None else http_requests(settings.update_concurrency)
    )
    watch = TransactionWatch(engine)
    builder = builder.request(CheckedRequest(calls, watch, services.metrics)).get_updates_request(
        CheckedRequest(updates, watch, services.metrics)
    )
    application = builder.build()
    assert isinstance(application, BotApplication)
    application.setup, application.teardown = setup, teardown
    application.bot_data[SERVICES_KEY] = services
    inbox.attach(application)
    # Before every handler, in the person's own line (so it sees their dialog as their
    # previous update left it): the per-person limit on updates.
    application.add_handler(UpdateLimiter(services).handler(), group=-1)
    router = Router(routes())
    application.bot_data[ROUTER_KEY] = router
    application.add_handlers(Dispatcher(router).handlers())
    application.add_error_handler(on_error)
    return application


async def prune_inbox(application: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """The sweep task that forgets old finished inbox rows (not counted as sent work)."""
    inbox = services_of(application).inbox
    if inbox is not None:
        await inbox.prune()
    return 0
