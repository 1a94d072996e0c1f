"""Stored before acknowledged, then handled side by side in each person's order.

The path of an update in ``desmigratif run``:

1. :class:`Poller` fetches a batch with ``getUpdates`` and stores it in the ``inbox``
   table (a duplicate ``update_id`` is recognised and dropped) *before* the next
   ``getUpdates`` moves the offset past it: that is when Telegram forgets it.
2. It puts the new updates on the application's queue. :class:`PersonOrderedProcessor`
   (PTB's ``concurrent_updates``) runs them concurrently, at most ``UPDATE_CONCURRENCY``
   at a time, while one person's updates (private chat: the user; group: the chat) run
   one after the other, in the order they arrived.
3. The handler's unit of work marks its row ``handled`` in the same transaction as its
   changes, together with the answer it will send (:mod:`bot.replies`); the answer goes
   out; the row is finished (``done``; ``failed`` if the handler raised).

A crash at any instant therefore loses nothing and applies nothing twice: on start,
:meth:`Inbox.recover` sends again the answers that were cut off (``handled`` rows) and
hands the ``pending`` rows to the processor first, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, TelegramError
from telegram.ext import BaseUpdateProcessor

from bot.logs import describe, log_failure
from bot.metrics import update_kind
from bot.replies import Replies, Reply, deliver
from storage.repositories import inbox as rows

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession
    from telegram import Bot
    from telegram.ext import Application

    from bot.context import Services

log = logging.getLogger("desmigratif.inbox")

POLL_TIMEOUT = 10  # seconds a getUpdates call waits for news (long polling)
FINISH_EVERY = 0.05  # finished rows are marked in one statement at most this often
PRUNE_EVERY = 600.0

_TICKET: ContextVar[Ticket | None] = ContextVar("inbox_ticket", default=None)


def current_ticket() -> Ticket | None:
    """The inbox row of the update being handled in this task (None outside ``run``)."""
    return _TICKET.get()


def person_of(update: object) -> int:
    """Whose line an update waits in: the user in a private chat, else the chat."""
    if not isinstance(update, Update):
        return 0
    chat = update.effective_chat
    if chat is not None and chat.type != "private":
        return chat.id
    user = update.effective_user
    if user is not None:
        return user.id
    return chat.id if chat is not None else 0


@dataclass
class Ticket:
    """One update's inbox row while it is being handled."""

    update_id: int
    state: str = "pending"  # -> "handled" by its unit of work, or "failed"

    async def handled(self, session: AsyncSession, replies: Replies) -> None:
        """Inside the unit of work: the changes, this mark and the answer commit together."""
        await rows.mark_handled(session, self.update_id, replies.to_json())
        self.state = "handled"

    def failed(self) -> None:
        self.state = "failed"


class Inbox:
    """Per application: stores fetched updates, hands out tickets, finishes rows."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._tickets: dict[int, Ticket] = {}
        self._finished: dict[str, list[int]] = {}
        self._flusher: asyncio.Task[None] | None = None
        # One flush at a time: a flush that finds the rows already taken by another one
        # still under way waits for it, so "flushed" means written (shutdown, tests).
        self._flush_lock = asyncio.Lock()
        self._pruned_at = 0.0

    async def store(self, updates: list[Update]) -> list[Update]:
        """Store a fetched batch (committed when this returns); returns the new ones."""
        services = self.services
        batch = [(u.update_id, person_of(u), u.to_dict()) for u in updates]
        async with services.sessions() as session, session.begin():
            new = await rows.store(session, batch, now=services.clock.now())
        fresh = [update for update in updates if update.update_id in new]
        for update in updates:
            if update.update_id not in new:  # Telegram sent it again; handled once
                services.metrics.handled(update_kind(update), "duplicate")
        for update in fresh:
            self._tickets[update.update_id] = Ticket(update.update_id)
        return fresh

    def take_ticket(self, update: object) -> Ticket | None:
        if not isinstance(update, Update):
            return None
        return self._tickets.pop(update.update_id, None)

    def finish(self, ticket: Ticket) -> None:
        """The update is answered (or failed): mark it soon, with others, in one statement.

        Batching keeps this off every update's path; a crash before the mark sends the
        answers of the last ``FINISH_EVERY`` seconds once more, nothing else."""
        status = "failed" if ticket.state == "failed" else "done"
        self._finished.setdefault(status, []).append(ticket.update_id)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_soon(), name="inbox-finish")

    async def _flush_soon(self) -> None:
        await asyncio.sleep(FINISH_EVERY)
        # Shielded: a shutdown that cancels this task while it writes must not lose the
        # marks it took (the answers would go out again after the restart).
        await asyncio.shield(self.flush())

    async def flush(self) -> None:
        async with self._flush_lock:
            finished, self._finished = self._finished, {}
            if not finished:
                return
            services = self.services
            try:
                async with services.sessions() as session, session.begin():
                    for status, ids in finished.items():
                        await rows.finish(session, ids, status, now=services.clock.now())
            except Exception as exc:
                # The rows stay open: after a restart their answers go out once more.
                count = sum(map(len, finished.values()))
                log_failure(log, "could not mark inbox rows finished", exc, rows=count)

    async def close(self) -> None:
        if self._flusher is not None and not self._flusher.done():
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        await self.flush()

    async def recover(self, application: Application[Any, Any, Any, Any, Any, Any]) -> int:
        """After a restart: send the answers a crash cut off, then queue the updates that
        were stored but never handled, oldest first. Returns how many rows were open."""
        services = self.services
        async with services.sessions() as session:
            open_rows = await rows.open_rows(session)
        cut_off: dict[int, list[tuple[int, list[Any]]]] = {}
        pending: list[Update] = []
        for update_id, person_id, status, payload, replies in open_rows:
            if status == "handled":
                cut_off.setdefault(person_id, []).append((update_id, replies or []))
            elif payload is not None:
                pending.append(Update.de_json(payload, application.bot))
        if cut_off:
            log.info("sending again the answers to %d updates cut off by a stop", len(cut_off))
            await asyncio.gather(
                *(self._answer_again(application.bot, answers) for answers in cut_off.values())
            )
        for update in pending:
            self._tickets[update.update_id] = Ticket(update.update_id)
            await application.update_queue.put(update)
        if pending:
            log.info("handling %d updates stored before the stop", len(pending))
        await self.flush()
        return len(open_rows)

    async def _answer_again(self, bot: Bot, answers: list[tuple[int, list[Any]]]) -> None:
        from handlers.common import mark_unreachable

        for update_id, stored in answers:
            calls = [Reply.from_json(call) for call in stored]
            await deliver(
                bot,
                calls,
                on_blocked=lambda chat: mark_unreachable(self.services, chat),
            )
            self.finish(Ticket(update_id, "handled"))

    async def prune(self) -> int:
        """Forget finished rows past ``INBOX_RETENTION_HOURS`` (a sweep task, throttled)."""
        if time.monotonic() - self._pruned_at < PRUNE_EVERY:
            return 0
        self._pruned_at = time.monotonic()
        services = self.services
        before = services.clock.now() - timedelta(hours=services.settings.inbox_retention_hours)
        async with services.sessions() as session, session.begin():
            return await rows.prune(session, before=before)


class PersonOrderedProcessor(BaseUpdateProcessor):
    """Updates side by side, each person's in arrival order, at most ``concurrency`` at
    once.

    PTB starts one task per update, in arrival order, and calls ``process_update`` from
    it; ``do_process_update`` joins the person's line *before* its first ``await`` so the
    line keeps that order. The bound is a semaphore taken only once it is the update's
    turn: a person who sends fifty messages in a row then holds one slot, not fifty.
    (PTB's own semaphore in front is made too large to ever be waited on, as waiting
    there before joining the line would lose the order.)
    """

    def __init__(self, concurrency: int, inbox: Inbox | None = None) -> None:
        super().__init__(max(concurrency, 1) * 1000)
        self.concurrency = max(concurrency, 1)
        self.inbox = inbox
        self._slots: asyncio.Semaphore | None = None
        self._tails: dict[int, asyncio.Future[None]] = {}

    async def initialize(self) -> None:
        self._slots = asyncio.Semaphore(self.concurrency)

    async def shutdown(self) -> None:
        return None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = person_of(update)
        previous = self._tails.get(key)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[key] = mine
        started = False
        try:
            if previous is not None:
                await asyncio.wait([previous])
            if self._slots is None:
                self._slots = asyncio.Semaphore(self.concurrency)
            async with self._slots:
                started = True
                await self._handle(update, coroutine)
        finally:
            if not started and asyncio.iscoroutine(coroutine):
                coroutine.close()  # cancelled while waiting: it never ran
            mine.set_result(None)
            if self._tails.get(key) is mine:
                del self._tails[key]

    async def _handle(self, update: object, coroutine: Awaitable[Any]) -> None:
        ticket = self.inbox.take_ticket(update) if self.inbox is not None else None
        token = _TICKET.set(ticket)
        started = time.perf_counter()
        try:
            await coroutine
        finally:
            _TICKET.reset(token)
            if ticket is not None and self.inbox is not None:
                self.inbox.finish(ticket)
                outcome = "failed" if ticket.state == "failed" else "handled"
                self.inbox.services.metrics.handled(
                    update_kind(update), outcome, time.perf_counter() - started
                )


class Poller:
    """Long polling that stores every update before confirming it to Telegram."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        inbox: Inbox,
        *,
        timeout: int = POLL_TIMEOUT,
    ) -> None:
        self.application = application
        self.inbox = inbox
        self.timeout = timeout

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set. Only then does this return."""
        bot = self.application.bot
        offset: int | None = None  # None: Telegram sends what was never confirmed
        pause = 1.0
        while not stop.is_set():
            fetch = asyncio.ensure_future(
                bot.get_updates(
                    offset=offset, timeout=self.timeout, allowed_updates=Update.ALL_TYPES
                )
            )
            stopping = asyncio.ensure_future(stop.wait())
            await asyncio.wait([fetch, stopping], return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not fetch.done():
                # Nothing fetched is lost: what was not confirmed comes back next time.
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError, TelegramError):
                    await fetch
                break
            try:
                updates = list(fetch.result())
                fresh = await self.inbox.store(updates) if updates else []
            except InvalidToken:
                raise
            except (Conflict, NetworkError, TelegramError) as exc:
                log.warning("getUpdates failed (%s); again in %.0f s", describe(exc), pause)
                await _sleep_unless(stop, pause)
                pause = min(pause * 2, 30.0)
                continue
            except Exception as exc:
                # The database may be down: keep the offset, so Telegram keeps the updates.
                log_failure(log, "could not store updates", exc, retry_in_seconds=round(pause))
                await _sleep_unless(stop, pause)
                pause = min(pause * 2, 30.0)
                continue
            pause = 1.0
            if updates:
                offset = updates[-1].update_id + 1  # stored: now Telegram may forget them
            for update in fresh:
                await self.application.update_queue.put(update)


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
