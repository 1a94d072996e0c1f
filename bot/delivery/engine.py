"""The delivery engine: claim due rows, send them paced through a channel, record outcomes.

One sweep (registered in ``Services.sweeps``, run by the JobQueue every second) claims due
``deliveries`` rows in batches and sends them through a :class:`Pacer` and a
:class:`~bot.delivery.channel.Channel` (Telegram's: :mod:`bot.channels.telegram.outbox`),
which reports how each call went in the engine's terms:

- a global cap (``BROADCAST_RATE`` messages/s; up to 1000 with ``BROADCAST_PAID``);
- at least one second between two messages to the same chat;
- ``Wait`` (Telegram's ``RetryAfter``) pauses every send for as long as asked, then the
  send is retried;
- ``TryLater`` (5xx answers, time-outs) goes back to the queue with exponential backoff,
  a bounded number of times (``DELIVERY_MAX_ATTEMPTS``), then fails with the reason;
- ``Blocked`` (``Forbidden``) marks the delivery ``blocked`` and the user unreachable;
  never retried;
- ``Refused`` (``BadRequest``) fails the delivery with the channel's reason; never retried.

Exactly once, as far as the Bot API allows: a row is marked ``sent`` together with
Telegram's ``message_id`` in one statement right after Telegram accepts the message. A
crash before that leaves the row claimed; its lease runs out and it is sent again. So the
only possible duplicate is a message Telegram accepted in the instant before a crash.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.context import Services, services_of
from bot.delivery.channel import Blocked, Channel, ChannelError, TryLater, Wait
from bot.delivery.kinds import KINDS
from bot.delivery.marks import Marks
from bot.delivery.outgoing import Hook, Kind, Outgoing
from bot.delivery.pacer import Pacer
from bot.delivery.report import close_if_done, open_progress, show_progress
from bot.logs import log_failure
from bot.services import announcements
from storage.models import Announcement
from storage.repositories import deliveries, users

log = logging.getLogger("desmigratif.delivery")

SWEEP_BUDGET_SECONDS = 20.0
STOP_CHECK_SECONDS = 0.2
PROGRESS_EVERY_SECONDS = 3.0
MAX_RETRY_AFTER_ROUNDS = 5


class Engine:
    """Per application: the pacer, the renderers per delivery kind, progress bookkeeping."""

    def __init__(self, services: Services, kinds: Mapping[str, Kind] = KINDS) -> None:
        settings = services.settings
        self.services = services
        self.pacer = Pacer(settings.broadcast_rate)
        self.paid = settings.broadcast_paid
        self.batch = max(10, min(int(settings.broadcast_rate * 2), 2000))
        self.lease = timedelta(seconds=settings.delivery_lease_seconds)
        self.max_attempts = settings.delivery_max_attempts
        self.kinds = kinds
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.marks = Marks(services.engine)
        self._progress_at: dict[int, float] = {}
        self._stopped_checked_at = 0.0
        self._stopped: set[int] = set()

    def stopped(self, announcement_id: int) -> None:
        """An officer stopped this announcement in this process: no send after this call.
        (Other processes learn it from the database within ``STOP_CHECK_SECONDS``.)"""
        self._stopped.add(announcement_id)

    async def sweep(self, channel: Channel) -> int:
        """Claim and send due rows until none are due or the time budget is spent."""
        handled = 0
        deadline = time.monotonic() + SWEEP_BUDGET_SECONDS
        while time.monotonic() < deadline:
            batch = await self._claim(channel.name)
            if not batch:
                break
            await self._start_announcements(channel, batch)
            # Chats side by side; one chat's messages one after another, in the order they
            # were queued (a case notice, then the files sent with the request).
            by_chat: dict[int, list[Outgoing]] = {}
            for item in batch:
                by_chat.setdefault(item.chat_id, []).append(item)
            await asyncio.gather(
                *(self._deliver_all(channel, items) for items in by_chat.values())
            )
            handled += len(batch)
            running = {i.announcement_id for i in batch if i.announcement_id is not None}
            await self._progress(channel, running, final=False)
        await self._progress(channel, await self._running_announcements(), final=True)
        return handled

    async def _claim(self, channel: str) -> list[Outgoing]:
        services = self.services
        now = services.clock.now()
        async with services.sessions() as session, session.begin():
            claimed = await deliveries.claim_due(
                session,
                now=now,
                lease_until=now + self.lease,
                worker=self.worker,
                limit=self.batch,
                channels=(channel,),
            )
        by_kind: dict[str, list[Outgoing]] = {}
        for row in claimed:
            item = Outgoing(
                row.id,
                row.chat_id or 0,
                row.attempts,
                row.announcement_id,
                row.kind,
                row.payload,
                person_id=row.person_id,
            )
            if row.chat_id is None:
                item.skip_reason = "erased"
            by_kind.setdefault(row.kind, []).append(item)
        for kind, items in by_kind.items():
            known = self.kinds.get(kind)
            if known is None:
                for item in items:
                    item.skip_reason = f"unknown kind {kind}"
            else:
                await known.render(services, items)
        return [item for items in by_kind.values() for item in items]

    async def _deliver_all(self, channel: Channel, items: list[Outgoing]) -> None:
        for item in items:
            await self._deliver(channel, item)

    async def _deliver(self, channel: Channel, item: Outgoing) -> None:
        if item.skip_reason is not None:
            await self._finish(item, "skipped", error=item.skip_reason)
            return
        if item.done:
            await self._finish(item, "done")
            return
        if item.defer_until is not None:  # the recipient's quiet hours: wait for morning
            when = item.defer_until
            await self.marks.run(
                lambda connection: deliveries.retry_at(
                    connection, item.delivery_id, when=when, attempts=item.attempts, error=None
                )
            )
            return
        for _round in range(MAX_RETRY_AFTER_ROUNDS):
            await self.pacer.wait_turn(item.chat_id)
            if item.announcement_id is not None and await self._is_stopped(item.announcement_id):
                await self._finish(item, "cancelled", error="stopped")
                return
            try:
                sent_id = await self._send(channel, item)
            except Wait as exc:
                self.pacer.pause(exc.seconds + 0.1)
                continue
            except Blocked as exc:
                await self._finish(item, "blocked", error=exc.reason)
                if item.person_id is not None:
                    async with self.services.sessions() as session, session.begin():
                        now = self.services.clock.now()
                        await users.mark_unreachable(session, item.person_id, now)
                await self._hook(self.kinds[item.kind].after_blocked, item)
                return
            except TryLater as exc:  # the channel's server, a time-out: another try may pass
                await self._retry_or_fail(item, exc.reason)
                return
            except ChannelError as exc:  # refused as it is: another try would fail too
                await self._finish(item, "failed", error=exc.reason)
                return
            await self._finish(item, "sent", message_id=sent_id)
            await self._hook(self.kinds[item.kind].after_sent, item)
            return
        await self._retry_or_fail(item, "Telegram kept asking to wait (RetryAfter)")

    async def _hook(self, hook: Hook | None, item: Outgoing) -> None:
        if hook is not None:
            try:
                await hook(self.services, item)
            except Exception as exc:  # the outcome is recorded; the rest of the batch goes on
                log_failure(log, "follow-up step failed", exc, delivery=item.delivery_id)

    async def _send(self, channel: Channel, item: Outgoing) -> int | None:
        if item.call is not None:
            await item.call(channel)
            return None
        return await channel.send(item, paid=self.paid)

    async def _finish(
        self,
        item: Outgoing,
        status: str,
        *,
        message_id: int | None = None,
        error: str | None = None,
    ) -> None:
        now = self.services.clock.now()
        await self.marks.run(
            lambda connection: deliveries.finish(
                connection, item.delivery_id, status, now=now, message_id=message_id, error=error
            )
        )
        self.services.metrics.delivered(item.kind, status)

    async def _retry_or_fail(self, item: Outgoing, error: str) -> None:
        attempts = item.attempts + 1
        if attempts >= self.max_attempts:
            reason = f"{error} (after {attempts} tries)"
            await self._finish(item, "failed", error=reason)
            return
        when = self.services.clock.now() + timedelta(seconds=min(2**attempts, 600))
        await self.marks.run(
            lambda connection: deliveries.retry_at(
                connection, item.delivery_id, when=when, attempts=attempts, error=error
            )
        )

    async def _is_stopped(self, announcement_id: int) -> bool:
        """Whether an officer stopped the announcement (re-read every ``STOP_CHECK_SECONDS``)."""
        if announcement_id in self._stopped:
            return True
        if time.monotonic() - self._stopped_checked_at > STOP_CHECK_SECONDS:
            self._stopped_checked_at = time.monotonic()
            async with self.services.sessions() as session:
                rows = await session.scalars(
                    select(Announcement.id)
                    .where(Announcement.status.in_(("stopped", "cancelled")))
                    .order_by(Announcement.id.desc())
                    .limit(200)
                )
                self._stopped |= set(rows.all())
        return announcement_id in self._stopped

    # --- the officer's view -----------------------------------------------------------

    async def _start_announcements(self, channel: Channel, batch: list[Outgoing]) -> None:
        """A scheduled announcement whose first rows are claimed is now running."""
        ids = {item.announcement_id for item in batch if item.announcement_id is not None}
        for announcement_id in ids:
            async with self.services.sessions() as session, session.begin():
                started = await announcements.mark_started(
                    session, announcement_id, self.services.clock.now()
                )
            if started:
                await open_progress(channel, self.services, announcement_id)

    async def _running_announcements(self) -> set[int]:
        async with self.services.sessions() as session:
            rows = await session.scalars(
                select(Announcement.id).where(Announcement.status == "running")
            )
            return set(rows.all())

    async def _progress(self, channel: Channel, ids: set[int], *, final: bool) -> None:
        for announcement_id in ids:
            if final:
                await close_if_done(channel, self.services, announcement_id)
                self._progress_at.pop(announcement_id, None)
                continue
            last = self._progress_at.get(announcement_id, 0.0)
            if time.monotonic() - last >= PROGRESS_EVERY_SECONDS:
                self._progress_at[announcement_id] = time.monotonic()
                await show_progress(channel, self.services, announcement_id)


def engine_of(application: Any) -> Engine:
    """The application's delivery engine (one per process)."""
    services = services_of(application)
    if services.delivery_engine is None:
        services.delivery_engine = Engine(services)
    return services.delivery_engine
