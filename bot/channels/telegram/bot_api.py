"""How the bot reaches the Bot API: connection pools sized for concurrent updates, and a
check on every call that no database transaction of the calling task is open.

The check is how "commit, then talk" is kept: a call made inside a transaction is
logged as an error and remembered in :data:`VIOLATIONS`, which the test suite asserts
empty after every test.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.error import NetworkError
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.metrics import Metrics
from storage.db import TransactionWatch

log = logging.getLogger("desmigratif.bot_api")

# Method names called while the calling task had a transaction open (tests read it).
VIOLATIONS: list[str] = []


class CheckedRequest(BaseRequest):
    """A ``BaseRequest`` that checks the transaction rule, then lets ``inner`` do the call."""

    def __init__(
        self, inner: BaseRequest, watch: TransactionWatch, metrics: Metrics | None = None
    ) -> None:
        self.inner = inner
        self.watch = watch
        self.metrics = metrics

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self.watch.open_in_current_task():
            name = url.rsplit("/", 1)[-1]
            VIOLATIONS.append(name)
            log.error("Bot API call %s made inside an open database transaction", name)
        try:
            status, body = await self.inner.do_request(
                url,
                method,
                request_data,
                read_timeout=read_timeout,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
            )
        except NetworkError:  # no answer at all: refused connection, time-out
            if self.metrics is not None:
                self.metrics.bot_api_unreachable()
            raise
        if self.metrics is not None:
            self.metrics.bot_api_answer(status)
        return status, body


def http_requests(concurrency: int) -> tuple[BaseRequest, BaseRequest]:
    """The real network: one pool for the bot's calls, one connection for getUpdates.

    Every update in flight may be waiting for Telegram at once, and the delivery engine
    sends beside them; PTB's default of one connection would make them queue.
    """
    calls = HTTPXRequest(
        connection_pool_size=concurrency + 16,
        read_timeout=10.0,
        write_timeout=10.0,
        connect_timeout=5.0,
        pool_timeout=10.0,
    )
    updates = HTTPXRequest(connection_pool_size=1, read_timeout=10.0)
    return calls, updates
