"""The bot's repeating job, run now, as the tests need it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.delivery.engine import engine_of
from bot.scheduler import run_due

SCHEDULER = "desmigratif.scheduler"


class Failures(logging.Handler):
    """Collects what the scheduler logs as failed (``run_due`` logs a failing sweep task
    and goes on)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def sweeper(application: Any) -> Callable[[], Awaitable[int]]:
    """Run the scheduled work that is due now, as the bot's repeating job would.

    The pacer's memory of chats is cleared first: the test clock is frozen but the
    pacer's is not, so a chat served a moment ago would make the sweep sleep in real
    time (the pacer's own timing is tested in ``test_delivery_engine.py``). A sweep task
    that fails fails the test: the bot only logs it and tries again at the next tick, so
    without this a broken sweep would pass for one that had nothing to do."""

    async def run() -> int:
        engine_of(application).pacer.forget_chats()
        failures = Failures()
        logger = logging.getLogger(SCHEDULER)
        logger.addHandler(failures)
        try:
            handled = await run_due(application)
        finally:
            logger.removeHandler(failures)
        assert [r.getMessage() for r in failures.records] == []
        return handled

    return run
