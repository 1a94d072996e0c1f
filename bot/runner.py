"""``desmigratif run``: the bot as a long-running process.

Start: migrate, register commands, register the webhook (``--webhook``) or remove it
(polling), start the JobQueue (the sweep), the update processor and the HTTP endpoints
(:mod:`bot.web`), send again the answers a previous stop cut off and queue the updates
it left unhandled (:meth:`bot.inbox.Inbox.recover`), then poll or wait for Telegram's
posts. SIGTERM or SIGINT: stop taking updates, let the ones in flight finish, mark them,
close. A SIGKILL loses nothing either: every update is in the inbox before Telegram is
told it arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator

from telegram import Update

from bot.app import BotApplication
from bot.config import Settings
from bot.context import services_of
from bot.http_server import parse_listen, serve_asgi
from bot.inbox import Poller
from bot.web import create_web_app

log = logging.getLogger("desmigratif")


async def serve(
    application: BotApplication, stop: asyncio.Event | None = None, *, webhook: bool = False
) -> None:
    """Run until ``stop`` is set (or SIGTERM/SIGINT arrives): long polling, or with
    ``webhook`` Telegram posts to WEBHOOK_URL. Either way ``/healthz``, ``/readyz`` and
    ``/metrics`` are served on LISTEN (unless it is ``off``)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    services = services_of(application)
    settings = services.settings
    inbox = services.inbox
    assert inbox is not None
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    async with application:
        if webhook:
            assert settings.webhook_url is not None
            assert secret is not None
            await application.bot.set_webhook(
                settings.webhook_url,
                secret_token=secret,
                allowed_updates=Update.ALL_TYPES,
                max_connections=settings.webhook_max_connections,
            )
        else:
            # Long polling and a webhook cannot both be set; a webhook left over would
            # make every getUpdates fail with Conflict.
            await application.bot.delete_webhook()
        await application.start()
        try:
            async with _http(application, settings, webhook=webhook, secret=secret):
                await inbox.recover(application)
                keeper = asyncio.create_task(inbox.keep(stop), name="inbox-lines")
                try:
                    if webhook:
                        log.info("taking updates on the webhook")
                        await stop.wait()
                    else:
                        log.info("polling for updates")
                        await Poller(application, inbox).run(stop)
                finally:
                    stop.set()
                    await keeper
        finally:
            log.info("stopping: finishing the updates in flight")
            await application.stop()
            await inbox.flush()


@contextlib.asynccontextmanager
async def _http(
    application: BotApplication, settings: Settings, *, webhook: bool, secret: str | None
) -> AsyncIterator[None]:
    """The HTTP endpoints on LISTEN while the block runs (none when LISTEN is off)."""
    if settings.listen == "off":
        yield
        return
    host, port = parse_listen(settings.listen)
    app = create_web_app(
        application, webhook_path=settings.webhook_path if webhook else None, secret=secret
    )
    async with serve_asgi(app, host, port) as bound:
        log.info("serving %s on %s:%d", "the webhook" if webhook else "health", host, bound)
        yield
