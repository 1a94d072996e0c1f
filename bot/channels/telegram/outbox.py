"""The outbox's Telegram channel: rendered rows as Bot API calls, and Telegram's answers
in the delivery engine's terms (:mod:`bot.delivery.channel`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import Bot, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.channels.telegram.markup import inline_keyboard
from bot.channels.telegram.sending import retry_seconds
from bot.delivery.channel import Blocked, ChannelError, Refused, TryLater, Unchanged, Wait
from bot.delivery.engine import engine_of
from bot.delivery.outgoing import Outgoing


class TelegramOutbox:
    name = "telegram"

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, item: Outgoing, *, paid: bool) -> int | None:
        bot = self.bot
        extra: dict[str, Any] = {"allow_paid_broadcast": True} if paid else {}
        if item.choices is not None:
            extra["reply_markup"] = inline_keyboard(item.choices)
        async with _translated():
            if item.photo:
                sent = await bot.send_photo(item.chat_id, item.photo, caption=item.text, **extra)
            elif item.media is not None:
                kind, file_id = item.media
                send = {"voice": bot.send_voice, "document": bot.send_document}.get(
                    kind, bot.send_photo
                )
                sent = await send(item.chat_id, file_id, caption=item.text, **extra)  # type: ignore[operator]
            else:
                assert item.text is not None
                sent = await bot.send_message(item.chat_id, item.text, **extra)
        return sent.message_id if isinstance(sent, Message) else None

    async def send_text(self, chat_id: int, text: str) -> int | None:
        async with _translated():
            sent = await self.bot.send_message(chat_id, text)
        return sent.message_id

    async def edit_text(self, chat_id: int, message_id: int, text: str) -> None:
        async with _translated():
            await self.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)

    async def edit_caption(self, chat_id: int, message_id: int, caption: str) -> None:
        async with _translated():
            await self.bot.edit_message_caption(chat_id, message_id, caption=caption)

    async def delete(self, chat_id: int, message_id: int) -> None:
        async with _translated():
            await self.bot.delete_message(chat_id, message_id)


@asynccontextmanager
async def _translated() -> AsyncIterator[None]:
    """Telegram's errors as the engine's. The reason is never empty: Telegram's
    description, else the HTTP status ("Bad Gateway (502)"), or PTB's own ("Timed out")."""
    try:
        yield
    except TelegramError as exc:
        raise _channel_error(exc) from exc


def _channel_error(exc: TelegramError) -> ChannelError:
    if isinstance(exc, RetryAfter):
        return Wait(exc.message, retry_seconds(exc))
    if isinstance(exc, Forbidden):
        return Blocked(exc.message)
    # 5xx and time-outs (TimedOut is a NetworkError) may pass on another try; BadRequest
    # (a NetworkError too in PTB) and the rest will not.
    if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):
        return TryLater(exc.message)
    if isinstance(exc, BadRequest) and "not modified" in exc.message.lower():
        return Unchanged(exc.message)
    return Refused(exc.message)


async def sweep_deliveries(application: Any) -> int:
    """The sweep task registered with :mod:`bot.scheduler`: the outbox, sent on Telegram."""
    return await engine_of(application).sweep(TelegramOutbox(application.bot))
