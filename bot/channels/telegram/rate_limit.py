"""A per-person limit on updates: at most ``RATE_LIMIT_UPDATES`` in ``RATE_LIMIT_SECONDS``.

It protects the process (and the officers) from one person, or one script, flooding the
bot. The first update over the limit gets one polite "please slow down"; the rest are
ignored until the window has room again (their inbox rows are still finished as done by
:class:`bot.inbox.PersonOrderedProcessor`); a button pressed meanwhile gets a short toast,
so its spinner stops. Never limited: someone in the middle of a burst that is the normal
use of a dialog (:data:`BURST_DIALOGS`), e.g. ten photos sent at once as a request's
description. That is read from ``users.dialog`` only when the person is over the limit.

The state lives in memory, per process, on purpose: it only protects this process, and
losing it on a restart is harmless (someone gets a few more updates through). Memory is
bounded: people idle for a whole window are dropped, and at most :data:`MAX_PEOPLE` are
tracked.
"""

from __future__ import annotations

import logging
from collections import deque
from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.channels.telegram.sending import deliver
from bot.i18n import pick_locale
from bot.replies import Replies, mark_unreachable
from storage.models import User
from storage.repositories import users
from storage.repositories.people import TELEGRAM

if TYPE_CHECKING:
    from bot.channels.telegram.context import BotContext
    from bot.context import Services

log = logging.getLogger("desmigratif.rate_limit")

# Dialogs where a burst is the normal use: writing a help request (handlers.help_request),
# adding information to one (handlers.help_additions) and an officer's typed reply or note on
# a case (handlers.officer_cases). tests/test_limits.py checks the names still match.
BURST_DIALOGS = frozenset({"help", "help_add", "case"})
MAX_PEOPLE = 100_000


class SlidingWindow:
    """When each person's accepted updates of the last ``seconds`` arrived.

    Hand-written rather than ``aiolimiter``: that one measures time with the event loop's
    clock, while this one takes the injected clock's reading (``services.clock``), so the
    tests (and ``:advance`` in the local chat) can move time past the window. A refused
    update takes no place in the window: once there is room, the person is served again.
    """

    def __init__(self, limit: int, seconds: float, *, max_people: int = MAX_PEOPLE) -> None:
        self.limit = limit
        self.seconds = seconds
        self.max_people = max_people
        self._hits: dict[int, deque[float]] = {}
        self._warned: set[int] = set()
        self._swept_at = float("-inf")

    def __len__(self) -> int:
        return len(self._hits)

    def hit(self, person: int, now: float) -> bool:
        """Count an update of ``person`` at ``now`` (seconds) if there is room; else False."""
        self._sweep(now)
        hits = self._hits.get(person)
        if hits is None:
            if len(self._hits) >= self.max_people:  # the oldest first (dicts keep order)
                oldest = next(iter(self._hits))
                del self._hits[oldest]
                self._warned.discard(oldest)
            hits = self._hits[person] = deque()
        if hits and hits[-1] > now:  # the wall clock was set back: start afresh
            hits.clear()
        while hits and hits[0] <= now - self.seconds:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        self._warned.discard(person)
        return True

    def first_refusal(self, person: int) -> bool:
        """True once per stretch over the limit: the one time to say "slow down"."""
        if person in self._warned:
            return False
        self._warned.add(person)
        return True

    def _sweep(self, now: float) -> None:
        # At most once a window: forget everyone whose last update left the window.
        if now - self._swept_at < self.seconds:
            return
        self._swept_at = now
        idle = [p for p, hits in self._hits.items() if not hits or hits[-1] <= now - self.seconds]
        for person in idle:
            del self._hits[person]
            self._warned.discard(person)


class UpdateLimiter:
    """The check every update passes first (a ``TypeHandler`` in group -1)."""

    def __init__(self, services: Services) -> None:
        settings = services.settings
        self.services = services
        self.window = SlidingWindow(settings.rate_limit_updates, settings.rate_limit_seconds)

    def handler(self) -> TypeHandler[Update, BotContext, None]:
        return TypeHandler(Update, self.check)

    async def check(self, update: Update, context: BotContext) -> None:
        """Lets the update through, or answers "slow down" (once) and stops it."""
        user = update.effective_user
        limited = update.message or update.edited_message or update.callback_query
        if user is None or limited is None or self.window.limit == 0:
            return  # e.g. someone blocking the bot: always recorded
        if self.window.hit(user.id, self.services.clock.now().timestamp()):
            return
        dialog, locale = await self._where(user.id)
        if dialog in BURST_DIALOGS:
            return
        replies = self._answer(update, locale or self._locale(user.language_code))
        if replies.calls:
            await deliver(
                context.bot,
                replies.calls,
                on_blocked=lambda chat: mark_unreachable(self.services, TELEGRAM, chat),
            )
        raise ApplicationHandlerStop

    async def _where(self, user_id: int) -> tuple[str | None, str | None]:
        """The person's dialog and language (one short read, only when over the limit)."""
        async with self.services.sessions() as session:
            row = (
                await session.execute(
                    users.at(TELEGRAM, str(user_id)).with_only_columns(User.dialog, User.locale)
                )
            ).first()
        return (row[0], row[1]) if row is not None else (None, None)

    def _locale(self, language_code: str | None) -> str:
        return pick_locale(language_code, self.services.settings.default_locale)

    def _answer(self, update: Update, locale: str) -> Replies:
        _ = self.services.i18n.translator(locale)
        replies = Replies()
        query = update.callback_query
        chat = update.effective_chat
        if query is not None:
            replies.answer(query.id, _("Too fast: please wait a few seconds."))
        elif (
            chat is not None
            and chat.type == "private"
            and update.effective_user is not None
            and self.window.first_refusal(update.effective_user.id)
        ):
            replies.send(
                chat.id,
                _(
                    "🐢 Please slow down: you sent many messages in a short time. Wait a few "
                    "seconds, then send again what you need: messages sent meanwhile were "
                    "not read."
                ),
            )
        return replies
