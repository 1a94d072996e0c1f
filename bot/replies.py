"""Commit, then talk: what a unit of work will say, sent only once it has committed.

A handler does not call Telegram. It *renders* its answer into :class:`Replies` (send a
message, edit the one whose button was pressed, answer the button, send a file); the unit
of work stores those calls with its changes (in the update's inbox row) and commits; then
:func:`deliver` makes the calls, in order. So no database transaction is ever open while
the bot waits ~100 ms for Telegram, the person never sees an answer about something that
was not saved, and an answer cut off by a crash is sent again after the restart.

Each call is a Bot method name with JSON arguments (``reply_markup`` as its dict), so it
can be stored. This is the Telegram side of the seam; another channel renders into its
own calls the same way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.logs import describe, log_failure
from storage.repositories import users

if TYPE_CHECKING:
    from bot.context import Services

log = logging.getLogger("desmigratif.replies")

FileKind = Literal["photo", "voice", "document"]
SEND_FILE = {"photo": "send_photo", "voice": "send_voice", "document": "send_document"}
METHODS = frozenset(
    {
        "send_message",
        "edit_message_text",
        "edit_message_reply_markup",
        "answer_callback_query",
        *SEND_FILE.values(),
    }
)
# Transient failures (5xx, time-outs) are tried again after these pauses, then given up.
RETRY_PAUSES = (0.25, 0.5, 1.0)
MAX_RETRY_AFTER = 3
# An edit Telegram refuses for these reasons is sent as a new message instead.
EDIT_IMPOSSIBLE = ("message to edit not found", "message can't be edited", "no text in the")

Lost = Callable[[], Awaitable[None]]


@dataclass
class Reply:
    """One Bot API call: a ``telegram.Bot`` method name and its JSON arguments."""

    method: str
    kwargs: dict[str, Any]
    # What to do when the call could not be made at all (kept in memory only: after a
    # restart the stored call itself is tried again).
    if_lost: Lost | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {"method": self.method, "kwargs": self.kwargs}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reply:
        method = str(data.get("method"))
        if method not in METHODS:
            raise ValueError(f"not a reply method: {method!r}")
        return cls(method, dict(data.get("kwargs") or {}))

    @property
    def chat_id(self) -> int | None:
        chat = self.kwargs.get("chat_id")
        return chat if isinstance(chat, int) else None


def _markup(markup: InlineKeyboardMarkup | None) -> dict[str, Any]:
    return {"reply_markup": markup.to_dict()} if markup is not None else {}


class Replies:
    """The answer a unit of work is building, in the order the person should see it."""

    def __init__(self) -> None:
        self.calls: list[Reply] = []

    def send(
        self,
        chat_id: int,
        text: str,
        markup: InlineKeyboardMarkup | None = None,
        *,
        plain: bool = False,
        if_lost: Lost | None = None,
    ) -> None:
        """A new message (HTML unless ``plain``: text meant to be forwarded as it is)."""
        kwargs = {"chat_id": chat_id, "text": text, **_markup(markup)}
        if plain:
            kwargs["parse_mode"] = None
        self.calls.append(Reply("send_message", kwargs, if_lost))

    def edit(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        markup: InlineKeyboardMarkup | None = None,
        *,
        if_lost: Lost | None = None,
    ) -> None:
        """Replace a message's text and buttons (no ``markup``: no buttons)."""
        kwargs = {"chat_id": chat_id, "message_id": message_id, "text": text, **_markup(markup)}
        self.calls.append(Reply("edit_message_text", kwargs, if_lost))

    def remove_buttons(self, chat_id: int, message_id: int) -> None:
        kwargs = {"chat_id": chat_id, "message_id": message_id}
        self.calls.append(Reply("edit_message_reply_markup", kwargs))

    def answer(self, query_id: str, text: str | None = None, *, alert: bool = False) -> None:
        """Answer a pressed button: a toast (or an alert), or silently."""
        kwargs: dict[str, Any] = {"callback_query_id": query_id}
        if text:
            kwargs["text"] = text
        if alert:
            kwargs["show_alert"] = True
        self.calls.append(Reply("answer_callback_query", kwargs))

    def send_file(
        self,
        kind: FileKind,
        chat_id: int,
        file_id: str,
        caption: str | None = None,
        markup: InlineKeyboardMarkup | None = None,
    ) -> None:
        """A photo, voice note or document Telegram already has (by its file id)."""
        kwargs: dict[str, Any] = {"chat_id": chat_id, kind: file_id, **_markup(markup)}
        if caption:
            kwargs["caption"] = caption
        self.calls.append(Reply(SEND_FILE[kind], kwargs))

    @property
    def answered(self) -> bool:
        return any(call.method == "answer_callback_query" for call in self.calls)

    def to_json(self) -> list[dict[str, Any]]:
        return [call.to_json() for call in self.calls]


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
    if "reply_markup" in kwargs:
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
            await asyncio.sleep(_seconds(exc.retry_after))
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


def _seconds(value: timedelta | int | float) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def mark_unreachable(services: Services, chat_id: int) -> None:
    """Telegram says the person blocked the bot: stop addressing them until they write."""
    async with services.sessions() as session, session.begin():
        await users.mark_unreachable(session, chat_id, services.clock.now())
