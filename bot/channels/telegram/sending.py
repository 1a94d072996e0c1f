"""Carrying out recorded replies on Telegram: button answers at once, messages in order,
transient failures tried again, an edit Telegram cannot make sent as a new message, and a
person who blocked the bot marked unreachable (:mod:`bot.replies` records them)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.channels.telegram.markup import reply_markup
from bot.logs import describe, log_failure
from bot.replies import Reply

log = logging.getLogger("desmigratif.replies")

# Transient failures (5xx, time-outs) are tried again after these pauses, then given up.
RETRY_PAUSES = (0.25, 0.5, 1.0)
MAX_RETRY_AFTER = 3
# An edit Telegram refuses for these reasons is sent as a new message instead.
EDIT_IMPOSSIBLE = ("message to edit not found", "message can't be edited", "no text in the")

Blocked = Callable[[int], Awaitable[None]]


async def deliver(bot: Bot, calls: Sequence[Reply], *, on_blocked: Blocked) -> None:
    """Make the calls: button answers at once (they only stop the spinner or show a
    toast), everything else one after the other, in order. Never raises: a call that
    cannot be made is logged (and its ``if_lost`` run); a person who blocked the bot is
    passed to ``on_blocked`` and gets nothing more."""
    answers = [call for call in calls if call.method == "answer_callback_query"]
    messages = [call for call in calls if call.method != "answer_callback_query"]
    await asyncio.gather(
        *(_answer(bot, call) for call in answers), _in_order(bot, messages, on_blocked)
    )


async def _answer(bot: Bot, call: Reply) -> None:
    try:
        await _call(bot, call)
    except TelegramError as exc:
        # A query older than ~15 s (after a restart, say) can no longer be answered.
        log.info("button answer not shown: %s", describe(exc))


async def _in_order(bot: Bot, calls: Sequence[Reply], on_blocked: Blocked) -> None:
    for call in calls:
        try:
            await _call(bot, call)
        except Forbidden as exc:
            chat = call.chat_id
            log.info(
                "chat %s cannot be reached (%s); the rest of the answer is dropped",
                chat,
                describe(exc),
            )
            if chat is not None:
                await on_blocked(chat)
            return
        except BadRequest as exc:
            if call.method.startswith("edit") and "not modified" in exc.message.lower():
                continue  # a second tap on the same button asks for the very same screen
            if call.method == "edit_message_text" and _impossible_edit(exc):
                await _in_order(bot, [_as_new_message(call)], on_blocked)
                continue
            log.error(
                "Telegram refused %s to chat %s: %s", call.method, call.chat_id, describe(exc)
            )
            await _lost(call)
        except TelegramError as exc:
            log.warning("%s to chat %s lost: %s", call.method, call.chat_id, describe(exc))
            await _lost(call)


async def _call(bot: Bot, call: Reply) -> Any:
    """One call, tried again on transient failures and when Telegram asks to wait."""
    kwargs = dict(call.kwargs)
    if "choices" in kwargs:
        kwargs["reply_markup"] = reply_markup(kwargs.pop("choices"))
    elif "reply_markup" in kwargs:  # stored before the choices were channel-neutral
        kwargs["reply_markup"] = InlineKeyboardMarkup.de_json(kwargs["reply_markup"], bot)
    method = getattr(bot, call.method)
    pauses = list(RETRY_PAUSES)
    waits = 0
    while True:
        try:
            return await method(**kwargs)
        except RetryAfter as exc:
            waits += 1
            if waits > MAX_RETRY_AFTER:
                raise
            await asyncio.sleep(retry_seconds(exc))
        except (BadRequest, Forbidden):
            raise
        except NetworkError:  # 5xx and time-outs (TimedOut is a NetworkError)
            if not pauses:
                raise
            await asyncio.sleep(pauses.pop(0))


def _impossible_edit(exc: BadRequest) -> bool:
    # PTB rewords Telegram's text ("Bad Request: message can't be edited" arrives as
    # "Message can't be edited"), so compare without case.
    message = exc.message.lower()
    return any(reason in message for reason in EDIT_IMPOSSIBLE)


def _as_new_message(call: Reply) -> Reply:
    kwargs = {key: value for key, value in call.kwargs.items() if key != "message_id"}
    return Reply("send_message", kwargs, call.if_lost)


async def _lost(call: Reply) -> None:
    if call.if_lost is None:
        return
    try:
        await call.if_lost()
    except Exception as exc:
        log_failure(log, f"could not make up for a lost {call.method}", exc, chat=call.chat_id)


def retry_seconds(exc: RetryAfter) -> float:
    """How long Telegram asks to wait (a timedelta with ``PTB_TIMEDELTA=true``)."""
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
