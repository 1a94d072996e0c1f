"""How fast the outbox may talk to Telegram."""

from __future__ import annotations

import asyncio
import time

from aiolimiter import AsyncLimiter

CHAT_GAP = 1.0  # seconds between two messages to one person
GROUP_GAP = 3.0  # ... and to one group (20 a minute)


class Pacer:
    """Global rate cap, one second between messages to one person (three to a group),
    a shared RetryAfter pause."""

    def __init__(self, rate: float) -> None:
        # Ten slots per second: smooth enough for Telegram, cheap enough at 1000/s.
        self._limiter = AsyncLimiter(max(rate / 10, 1), 0.1 if rate >= 10 else 1 / rate)
        self._last: dict[int, float] = {}
        self._paused_until = 0.0

    def forget_chats(self) -> None:
        """Forget when each chat last got a message. For drivers whose steps stand for
        more than a second between two of a person's actions but take less in real time
        (the simulator, tests): otherwise a sweep would sleep out the per-chat second."""
        self._last.clear()

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    async def wait_turn(self, chat_id: int) -> None:
        # Telegram: about one message a second into a chat, 20 a minute into a group.
        gap = GROUP_GAP if chat_id < 0 else CHAT_GAP
        while True:
            now = time.monotonic()
            wait = max(self._paused_until - now, self._last.get(chat_id, -1e9) + gap - now)
            if wait <= 0:
                break
            await asyncio.sleep(wait)
        await self._limiter.acquire()
        # Another sender may have paused everything while we waited for the limiter.
        if (pause := self._paused_until - time.monotonic()) > 0:
            await asyncio.sleep(pause)
        self._last[chat_id] = time.monotonic()
        if len(self._last) > 50_000:
            horizon = time.monotonic() - GROUP_GAP
            self._last = {chat: at for chat, at in self._last.items() if at > horizon}
