"""Stored before acknowledged, then handled side by side in each person's order, by
one process at a time however many share the database.

The path of an update in ``desmigratif run``:

1. :class:`Poller` fetches a batch with ``getUpdates`` (or Telegram posts one to the
   webhook, :mod:`bot.web`) and stores it in the ``inbox`` table (a duplicate
   ``update_id`` is recognised and dropped) before Telegram is told: that is when it
   forgets the update.
2. The process takes the person's *line* (:mod:`storage.repositories.lines`; private
   chat: the user, group: the chat) unless another live process holds it, and puts the
   person's waiting rows on the application's queue in ``update_id`` order; a process
   that did not get the line only stores, and the holder picks the row up before it
   gives the line up. :class:`PersonOrderedProcessor` (PTB's ``concurrent_updates``)
   runs the queue concurrently, at most ``UPDATE_CONCURRENCY`` at a time, one person's
   updates one after the other.
3. The handler's unit of work marks its row ``handled`` in the same transaction as its
   changes, together with the answer it will send (:mod:`bot.replies`); the answer goes
   out; the row is finished (``done``; ``failed`` if the handler raised).

A crash at any instant therefore loses nothing and applies nothing twice: the lines of a
process that stopped are taken over, at its restart (same ``INSTANCE_NAME``) or by any
process once their lease ran out (:meth:`Inbox.keep`). The taker sends again the answers
that were cut off (``handled`` rows) and queues the ``pending`` rows, in order. A
process too slow to renew its lease loses them too: its late unit of work is refused at
the mark (:class:`AlreadyHandled`) and rolled back.
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

from bot.channels.telegram.sending import deliver
from bot.logs import describe, log_failure
from bot.metrics import update_kind
from bot.replies import Replies, Reply, mark_unreachable
from storage.repositories import inbox as rows
from storage.repositories import lines
from storage.repositories.people import TELEGRAM

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
    person_id: int = 0
    # -> "handled" by its unit of work, "failed" if it raised, "taken" when another
    # process handled it first (this one had lost the person's line)
    state: str = "pending"

    async def handled(self, session: AsyncSession, replies: Replies) -> None:
        """Inside the unit of work: the changes, this mark and the answer commit together.
        Raises :class:`AlreadyHandled` (rolling the unit of work back) when the row is no
        longer pending: another process handled it."""
        if not await rows.mark_handled(session, self.update_id, replies.to_json()):
            self.state = "taken"
            raise AlreadyHandled(self.update_id)
        self.state = "handled"

    def failed(self) -> None:
        if self.state != "taken":
            self.state = "failed"


class AlreadyHandled(Exception):
    """Another process handled this update first (see :meth:`Ticket.handled`)."""


class Inbox:
    """Per application: stores updates, works through the persons' lines it holds,
    hands out tickets, finishes rows.

    Which process handles a person's updates is decided in the database
    (:mod:`storage.repositories.lines`): the one holding their line. This process keeps
    in memory which lines it holds and how many of each person's updates it has queued
    and not finished; a line with nothing left is given up in the next :meth:`flush`,
    after a last look for updates another process stored for them meanwhile.
    """

    def __init__(self, services: Services) -> None:
        self.services = services
        self.owner = services.settings.instance
        self.lease = timedelta(seconds=services.settings.inbox_lease_seconds)
        self.application: Application[Any, Any, Any, Any, Any, Any] | None = None
        self._tickets: dict[int, Ticket] = {}
        self._finished: dict[str, list[int]] = {}
        self._unwritten: set[int] = set()  # finished here, not yet marked in the database
        self._queued: set[int] = set()  # update ids queued here and not finished
        self._open: dict[int, int] = {}  # person -> their updates queued here, not finished
        self._held: dict[int, int] = {}  # person -> how often this process took their line
        self._flusher: asyncio.Task[None] | None = None
        self._admitting: set[asyncio.Task[None]] = set()
        # One flush at a time: a flush that finds the rows already taken by another one
        # still under way waits for it, so "flushed" means written (shutdown, tests).
        self._flush_lock = asyncio.Lock()
        self._pruned_at = 0.0

    def attach(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """The application whose queue the updates go to (set by the app factory)."""
        self.application = application

    @property
    def held(self) -> frozenset[int]:
        """The persons whose line this process holds (for tests and metrics)."""
        return frozenset(self._held)

    # --- in: store, take the lines, queue ------------------------------------------------

    async def store(self, updates: list[Update]) -> list[Update]:
        """Store a fetched batch (committed when this returns); returns the new ones."""
        services = self.services
        batch = [(u.update_id, person_of(u), u.to_dict()) for u in updates]
        async with services.sessions() as session, session.begin():
            new = await rows.store(session, batch, now=services.clock.now())
        for update in updates:
            if update.update_id not in new:  # Telegram sent it again; handled once
                services.metrics.handled(update_kind(update), "duplicate")
        return [update for update in updates if update.update_id in new]

    async def receive(self, updates: list[Update]) -> list[Update]:
        """Store updates (committed when this returns), then queue those whose person's
        line this process holds or takes, with anything else waiting in those lines.
        Returns the new updates (stored here, handled here or by the line's holder)."""
        fresh = await self.store(updates)
        if fresh:
            await self.admit({person_of(u) for u in fresh}, {u.update_id: u for u in fresh})
        return fresh

    def admit_soon(self, fresh: list[Update]) -> None:
        """:meth:`admit` in the background (the webhook answers Telegram first). If it
        fails, the rows wait in the database and :meth:`keep` takes them over."""
        task = asyncio.create_task(
            self.admit_logged(fresh), name=f"inbox-admit-{fresh[0].update_id}"
        )
        self._admitting.add(task)
        task.add_done_callback(self._admitting.discard)

    async def admit_logged(self, fresh: list[Update]) -> None:
        try:
            await self.admit({person_of(u) for u in fresh}, {u.update_id: u for u in fresh})
        except Exception as exc:
            log_failure(log, "could not take a line for stored updates", exc, rows=len(fresh))

    async def admit(self, persons: set[int], known: dict[int, Update] | None = None) -> None:
        """Take the persons' lines where free, and queue what waits in the lines taken."""
        services = self.services
        now = services.clock.now()
        async with services.sessions() as session, session.begin():
            mine = await lines.take(
                session, persons, owner=self.owner, now=now, lease_until=now + self.lease
            )
            waiting = await lines.pending(session, mine)
        self._took(mine)
        await self._queue(waiting, known or {})
        if mine and not waiting:
            self._flush_later()  # nothing to do after all: give the lines up again

    def _took(self, persons: set[int]) -> None:
        for person in persons:
            self._held[person] = self._held.get(person, 0) + 1

    async def _queue(self, waiting: list[lines.PendingRow], known: dict[int, Update]) -> None:
        """Hand rows to the processor in order, each once (another path may have
        queued it already, or finished it without the database knowing yet)."""
        assert self.application is not None, "Inbox.attach was not called"
        for update_id, person, payload in waiting:
            if update_id in self._queued or update_id in self._unwritten:
                continue
            update = known.get(update_id)
            if update is None:
                if payload is None:
                    continue
                update = Update.de_json(payload, self.application.bot)
            self._queued.add(update_id)
            self._open[person] = self._open.get(person, 0) + 1
            self._tickets[update_id] = Ticket(update_id, person)
            await self.application.update_queue.put(update)

    def take_ticket(self, update: object) -> Ticket | None:
        if not isinstance(update, Update):
            return None
        return self._tickets.pop(update.update_id, None)

    # --- out: finish rows, give lines up ------------------------------------------------

    def finish(self, ticket: Ticket) -> None:
        """The update is answered (or failed): mark it soon, with others, in one statement.

        Batching keeps this off every update's path; a crash before the mark sends the
        answers of the last ``FINISH_EVERY`` seconds once more, nothing else."""
        if ticket.update_id in self._queued:
            self._queued.discard(ticket.update_id)
            self._release_one(ticket.person_id)
        if ticket.state != "taken":  # the process that handled it marks it
            status = "failed" if ticket.state == "failed" else "done"
            self._finished.setdefault(status, []).append(ticket.update_id)
            self._unwritten.add(ticket.update_id)
        self._flush_later()

    def _flush_later(self) -> None:
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_soon(), name="inbox-finish")

    async def _flush_soon(self) -> None:
        await asyncio.sleep(FINISH_EVERY)
        # Shielded: a shutdown that cancels this task while it writes must not lose the
        # marks it took (the answers would go out again after the restart).
        await asyncio.shield(self.flush())

    async def flush(self) -> None:
        """Mark the finished rows, and give up the lines with nothing left here: in one
        transaction that first renews those lines (locking them), then looks for updates
        stored meanwhile; a line with some is kept and they are queued."""
        async with self._flush_lock:
            finished, self._finished = self._finished, {}
            idle = {p: taken for p, taken in self._held.items() if p not in self._open}
            if not finished and not idle:
                return
            services = self.services
            now = services.clock.now()
            try:
                async with services.sessions() as session, session.begin():
                    for status, ids in finished.items():
                        await rows.finish(session, ids, status, now=now)
                    still = await lines.renew(
                        session, owner=self.owner, lease_until=now + self.lease, persons=idle
                    )
                    waiting = await lines.pending(session, still)
                    empty = still - {person for _, person, _ in waiting}
                    await lines.release(session, empty, owner=self.owner)
            except Exception as exc:
                # Kept for the next flush; after a crash instead, the answers go out again.
                for status, ids in finished.items():
                    self._finished.setdefault(status, []).extend(ids)
                count = sum(map(len, finished.values()))
                log_failure(log, "could not mark inbox rows finished", exc, rows=count)
                return
            for ids in finished.values():
                self._unwritten.difference_update(ids)
            for person in (set(idle) - still) | empty:
                # Unless this process took the line again while the transaction ran.
                if self._held.get(person) == idle[person]:
                    del self._held[person]
            await self._queue(waiting, {})

    async def close(self) -> None:
        if self._admitting:
            await asyncio.gather(*self._admitting, return_exceptions=True)
        if self._flusher is not None and not self._flusher.done():
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        await self.flush()

    # --- lines of processes that stopped ------------------------------------------------

    async def recover(self, application: Application[Any, Any, Any, Any, Any, Any]) -> int:
        """At start: take over the lines this process held before a restart and those
        whose holder died; send the answers a crash cut off, then queue what was stored
        but never handled, oldest first. Returns how many rows were open."""
        self.attach(application)
        return await self.take_over()

    async def take_over(self) -> int:
        """Take the lines nobody alive holds (and this process's own from before a
        restart), with their open rows. Returns how many rows were open."""
        assert self.application is not None, "Inbox.attach was not called"
        services = self.services
        now = services.clock.now()
        async with services.sessions() as session, session.begin():
            stranded = await lines.orphaned(session, owner=self.owner, now=now)
            stranded -= set(self._held)  # lines held here are being worked through
            mine = await lines.take(
                session, stranded, owner=self.owner, now=now, lease_until=now + self.lease
            )
            open_rows = await lines.open_rows(session, mine)
        self._took(mine)
        cut_off: dict[int, list[tuple[int, list[Any]]]] = {}
        waiting: list[lines.PendingRow] = []
        for update_id, person_id, status, payload, replies in open_rows:
            if status == "handled":
                cut_off.setdefault(person_id, []).append((update_id, replies or []))
            else:
                waiting.append((update_id, person_id, payload))
        if mine:
            log.info("took over %d lines with %d open updates", len(mine), len(open_rows))
            services.metrics.lines_taken_over.inc(len(mine))
        for person in cut_off:  # the line is not given up before its answers are out
            self._open[person] = self._open.get(person, 0) + 1
        try:
            bot = self.application.bot
            await asyncio.gather(*(self._answer_again(bot, calls) for calls in cut_off.values()))
        finally:
            for person in cut_off:
                self._release_one(person)
        await self._queue(waiting, {})
        await self.flush()
        return len(open_rows)

    def _release_one(self, person: int) -> None:
        """One of the person's updates is no longer worked on here."""
        left = self._open.get(person, 0) - 1
        if left > 0:
            self._open[person] = left
        else:
            self._open.pop(person, None)

    async def keep(self, stop: asyncio.Event) -> None:
        """While the process runs: renew this process's lines every third of the lease,
        and take over the lines of processes that died."""
        every = self.lease.total_seconds() / 3
        while not stop.is_set():
            await _sleep_unless(stop, every)
            if stop.is_set():
                return
            try:
                await self._renew()
                await self.take_over()
            except Exception as exc:
                log_failure(log, "could not keep the inbox lines", exc)

    async def _renew(self) -> None:
        services = self.services
        now = services.clock.now()
        async with services.sessions() as session, session.begin():
            still = await lines.renew(session, owner=self.owner, lease_until=now + self.lease)
        lost = set(self._held) - still
        if lost:
            # This process was too slow to renew and another took the lines: what it
            # still runs for those persons is refused at the mark (AlreadyHandled).
            log.warning("lost %d inbox lines to other processes", len(lost))
            for person in lost:
                del self._held[person]

    async def _answer_again(self, bot: Bot, answers: list[tuple[int, list[Any]]]) -> None:
        for update_id, stored in answers:
            calls = [Reply.from_json(call) for call in stored]
            await deliver(
                bot,
                calls,
                on_blocked=lambda chat: mark_unreachable(self.services, TELEGRAM, chat),
            )
            self._finished.setdefault("done", []).append(update_id)
            self._unwritten.add(update_id)

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
                # "taken": another process had handled it; this one rolled back.
                outcome = ticket.state if ticket.state in ("failed", "taken") else "handled"
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
            if fresh:
                await self.inbox.admit_logged(fresh)


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
