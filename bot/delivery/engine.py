"""The delivery engine's Telegram side: claim due rows, send them paced, record outcomes.

One sweep (registered in ``Services.sweeps``, run by the JobQueue every second) claims due
``deliveries`` rows in batches and sends them through a :class:`Pacer`:

- a global cap (``BROADCAST_RATE`` messages/s; up to 1000 with ``BROADCAST_PAID``);
- at least one second between two messages to the same chat;
- ``RetryAfter`` pauses every send for as long as Telegram asks, then the send is retried;
- 5xx answers and time-outs go back to the queue with exponential backoff, a bounded
  number of times (``DELIVERY_MAX_ATTEMPTS``), then fail with the reason;
- ``Forbidden`` marks the delivery ``blocked`` and the user unreachable; never retried;
- ``BadRequest`` fails the delivery with Telegram's reason; never retried.

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
from telegram import Bot, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.context import Services, services_of
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

    async def sweep(self, bot: Bot) -> int:
        """Claim and send due rows until none are due or the time budget is spent."""
        handled = 0
        deadline = time.monotonic() + SWEEP_BUDGET_SECONDS
        while time.monotonic() < deadline:
            batch = await self._claim()
            if not batch:
                break
            await self._start_announcements(bot, batch)
            # Chats side by side; one chat's messages one after another, in the order they
            # were queued (a case notice, then the files sent with the request).
            by_chat: dict[int, list[Outgoing]] = {}
            for item in batch:
                by_chat.setdefault(item.chat_id, []).append(item)
            await asyncio.gather(*(self._deliver_all(bot, items) for items in by_chat.values()))
            handled += len(batch)
            running = {i.announcement_id for i in batch if i.announcement_id is not None}
            await self._progress(bot, running, final=False)
        await self._progress(bot, await self._running_announcements(), final=True)
        return handled

    async def _claim(self) -> list[Outgoing]:
        services = self.services
        now = services.clock.now()
        async with services.sessions() as session, session.begin():
            claimed = await deliveries.claim_due(
                session,
                now=now,
                lease_until=now + self.lease,
                worker=self.worker,
                limit=self.batch,
            )
        by_kind: dict[str, list[Outgoing]] = {}
        for delivery_id, chat_id, kind, announcement_id, attempts, payload in claimed:
            item = Outgoing(delivery_id, chat_id or 0, attempts, announcement_id, kind, payload)
            if chat_id is None:
                item.skip_reason = "erased"
            by_kind.setdefault(kind, []).append(item)
        for kind, items in by_kind.items():
            known = self.kinds.get(kind)
            if known is None:
                for item in items:
                    item.skip_reason = f"unknown kind {kind}"
            else:
                await known.render(services, items)
        return [item for items in by_kind.values() for item in items]

    async def _deliver_all(self, bot: Bot, items: list[Outgoing]) -> None:
        for item in items:
            await self._deliver(bot, item)

    async def _deliver(self, bot: Bot, item: Outgoing) -> None:
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
                message = await self._send(bot, item)
            except RetryAfter as exc:
                self.pacer.pause(_seconds(exc.retry_after) + 0.1)
                continue
            except Forbidden as exc:
                await self._finish(item, "blocked", error=exc.message)
                async with self.services.sessions() as session, session.begin():
                    await users.mark_unreachable(session, item.chat_id, self.services.clock.now())
                await self._hook(self.kinds[item.kind].after_blocked, item)
                return
            except TelegramError as exc:
                # 5xx and time-outs (TimedOut is a NetworkError) may pass on another try;
                # BadRequest (a NetworkError too in PTB) and the rest will not. The reason is
                # never empty: Telegram's description, else the HTTP status ("Bad Gateway
                # (502)"), or PTB's own ("Timed out").
                if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):
                    await self._retry_or_fail(item, exc.message)
                else:
                    await self._finish(item, "failed", error=exc.message)
                return
            sent_id = message.message_id if isinstance(message, Message) else None
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

    async def _send(self, bot: Bot, item: Outgoing) -> object:
        if item.call is not None:
            return await item.call(bot)
        extra: dict[str, Any] = {"allow_paid_broadcast": True} if self.paid else {}
        if item.markup is not None:
            extra["reply_markup"] = item.markup
        if item.photo:
            return await bot.send_photo(item.chat_id, item.photo, caption=item.text, **extra)
        if item.media is not None:
            kind, file_id = item.media
            send = {"voice": bot.send_voice, "document": bot.send_document}.get(
                kind, bot.send_photo
            )
            sent: Message = await send(item.chat_id, file_id, caption=item.text, **extra)  # type: ignore[operator]
            return sent
        assert item.text is not None
        return await bot.send_message(item.chat_id, item.text, **extra)

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

    async def _start_announcements(self, bot: Bot, batch: list[Outgoing]) -> None:
        """A scheduled announcement whose first rows are claimed is now running."""
        ids = {item.announcement_id for item in batch if item.announcement_id is not None}
        for announcement_id in ids:
            async with self.services.sessions() as session, session.begin():
                started = await announcements.mark_started(
                    session, announcement_id, self.services.clock.now()
                )
            if started:
                await open_progress(bot, self.services, announcement_id)

    async def _running_announcements(self) -> set[int]:
        async with self.services.sessions() as session:
            rows = await session.scalars(
                select(Announcement.id).where(Announcement.status == "running")
            )
            return set(rows.all())

    async def _progress(self, bot: Bot, ids: set[int], *, final: bool) -> None:
        for announcement_id in ids:
            if final:
                await close_if_done(bot, self.services, announcement_id)
                self._progress_at.pop(announcement_id, None)
                continue
            last = self._progress_at.get(announcement_id, 0.0)
            if time.monotonic() - last >= PROGRESS_EVERY_SECONDS:
                self._progress_at[announcement_id] = time.monotonic()
                await show_progress(bot, self.services, announcement_id)


def _seconds(value: timedelta | int | float) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def engine_of(application: Any) -> Engine:
    """The application's delivery engine (one per process)."""
    services = services_of(application)
    if services.delivery_engine is None:
        services.delivery_engine = Engine(services)
    return services.delivery_engine


async def sweep_deliveries(application: Any) -> int:
    """The sweep task registered with :mod:`bot.scheduler`."""
    return await engine_of(application).sweep(application.bot)
