"""``desmigratif run``: the bot as a long-running process.

Start: migrate, register commands, start the JobQueue (the sweep) and the update
processor, send again the answers a previous stop cut off and queue the updates it left
unhandled (:meth:`bot.inbox.Inbox.recover`), then poll. SIGTERM or SIGINT: stop polling,
let the updates in flight finish, mark them, close. A SIGKILL loses nothing either: every
update is in the inbox before Telegram is told it arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from bot.app import BotApplication
from bot.context import services_of
from bot.inbox import Poller

log = logging.getLogger("desmigratif")


async def serve(application: BotApplication, stop: asyncio.Event | None = None) -> None:
    """Run until ``stop`` is set (or SIGTERM/SIGINT arrives)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    inbox = services_of(application).inbox
    assert inbox is not None
    async with application:
        # Long polling and a webhook cannot both be set; a webhook left over would make
        # every getUpdates fail with Conflict.
        await application.bot.delete_webhook()
        await application.start()
        try:
            await inbox.recover(application)
            log.info("polling for updates")
            await Poller(application, inbox).run(stop)
        finally:
            log.info("stopping: finishing the updates in flight")
            await application.stop()
            await inbox.flush()
