"""An in-process Telegram Bot API: the seam that tests, benchmarks and the simulator use.

:class:`BotAPIEmulator` is a ``telegram.request.BaseRequest``. Passed to
``build_application(..., request=emulator)`` it answers the Bot API methods the bot uses,
keeps every chat's visible history (messages, edits, deletions, buttons), and validates
like Telegram does: text 1–4096 characters after entity parsing, captions up to 1024,
well-formed HTML with Telegram's tags only, ``callback_data`` 1–64 bytes, at most 100
buttons (8 a row). It can be told to answer ``Forbidden``, ``RetryAfter``, a 5xx or a
time-out for given chats or for a share of calls (:meth:`BotAPIEmulator.inject`).

It also plays the user's side: :meth:`BotAPIEmulator.message_update` and friends build
the ``Update`` payloads a real client would cause, and record the user's own messages in
the chat history. :meth:`BotAPIEmulator.push` queues such a payload for ``getUpdates``
(long polling, with Telegram's ``offset`` semantics), so a bot can also run unchanged
against the emulator served over HTTP (``bot/channels/telegram/emulator_http.py``).

For load measurements it can answer 429 like Telegram's flood control
(:meth:`BotAPIEmulator.limit`), and it reports every call a user sees (a message, an edit,
the answer to their button press) to :attr:`BotAPIEmulator.on_answer`.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import itertools
import json
import math
import random
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, NamedTuple
from urllib.parse import urlsplit

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from bot.clock import Clock
from bot.telegram_html import Entity, HTMLParseError, html_to_entities, telegram_length

MAX_TEXT = 4096
# deleteMessage: "a message can only be deleted if it was sent less than 48 hours ago".
DELETE_WITHIN = timedelta(hours=48)
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_BUTTONS = 100
MAX_ROW = 8
MAX_CALLBACK_ANSWER = 200
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_COMMAND = re.compile(r"^/[a-z0-9_]{1,32}$")
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
CANT_INITIATE = "Forbidden: bot can't initiate conversation with a user"
BLOCKED = "Forbidden: bot was blocked by the user"
KICKED = "Forbidden: bot was kicked from the group chat"
# Telegram: "no more than 20 messages per minute" into one group.
GROUP_RATE = 20 / 60
# A button does exactly one thing: one of these fields, never two (or none).
BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
WEBHOOK_PORTS = (443, 80, 88, 8443)
BAD_WEBHOOK = "Bad Request: bad webhook"
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_TERMINATED = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
# The calls a user sees in their chat; answerCallbackQuery (their spinner stops) too.
VISIBLE_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendVoice",
        "sendDocument",
        "editMessageText",
        "editMessageReplyMarkup",
        "answerCallbackQuery",
    }
)

FaultKind = Literal["forbidden", "retry_after", "server_error", "timeout", "bad_request"]


@dataclass
class Button:
    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass
class ChatMessage:
    """One message as the user sees it now (after edits; deleted ones are kept, flagged)."""

    message_id: int
    chat_id: int
    from_bot: bool
    text: str
    source: str = ""
    parse_mode: str | None = None
    buttons: list[list[Button]] = field(default_factory=list)
    reply_keyboard: list[list[str]] | None = None
    media: str | None = None
    edits: int = 0
    deleted: bool = False
    date: int = 0
    entities: tuple[Entity, ...] = ()
    sent_at: datetime | None = None  # on the injected clock, when the emulator has one

    def button_labels(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]

    def find_button(self, label: str) -> Button | None:
        """The button labelled ``label`` (case-insensitive); failing an exact match, one
        whose label differs only by marks and emoji around the words (``✅ Send`` for
        ``Send``, ``📵 Lost contact`` for ``Lost contact``, ``Continue ▶️``)."""
        wanted = label.strip().casefold()
        buttons = [button for row in self.buttons for button in row]
        for button in buttons:
            if button.text.strip().casefold() == wanted:
                return button
        for button in buttons:
            if _unmarked(button.text) == _unmarked(wanted):
                return button
        return None


def _unmarked(label: str) -> str:
    words = label.strip()
    start, end = 0, len(words)
    while start < end and not (words[start].isalnum() or words[start] in "«("):
        start += 1
    while end > start and not (words[end - 1].isalnum() or words[end - 1] in ")…."):
        end -= 1
    return words[start:end].casefold()


@dataclass
class Fault:
    kind: FaultKind
    chat_id: int | None = None
    share: float = 1.0
    remaining: int | None = None
    methods: frozenset[str] | None = None
    retry_after: int = 1
    description: str = ""


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    outcome: str = "ok"
    at: float = field(default_factory=time.monotonic)


class Answer(NamedTuple):
    """A call the user saw (see :data:`VISIBLE_METHODS`), at ``time.monotonic()``."""

    method: str
    at: float


AnswerHook = Callable[[int, str, float], None]
"""``on_answer(chat_id, method, monotonic_time)``."""


@dataclass
class _Bucket:
    """A token bucket: ``capacity`` calls at once, refilled at ``rate`` per second."""

    rate: float
    capacity: float
    tokens: float
    stamp: float

    def wait(self, now: float) -> float:
        """Seconds until a call may pass (0: now), after refilling up to ``now``."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


class _Refused(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


class BotAPIEmulator(BaseRequest):
    """The Bot API in memory. See the module docstring."""

    def __init__(
        self,
        *,
        bot_id: int = 7_000_000_001,
        bot_username: str = "DesmigratifBot",
        seed: int = 0,
        record_calls: bool = True,
        per_chat_limit: bool | float = False,
        global_limit: float | None = None,
        clock: Clock | None = None,
    ) -> None:
        """``record_calls``: keep :attr:`calls` and :attr:`answers` (benchmarks turn it
        off). ``per_chat_limit``/``global_limit``: see :meth:`limit` (off by default).
        ``clock``: the bot's injected clock, for the rules that depend on a message's age
        (a bot deletes its messages only within 48 hours)."""
        self.clock = clock
        self.bot = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Desmigratif",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.chats: dict[int, list[ChatMessage]] = {}
        self._messages: dict[tuple[int, int], ChatMessage] = {}
        self._chat_info: dict[int, dict[str, Any]] = {}
        self.callback_answers: dict[str, dict[str, Any] | None] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.calls: list[Call] = []
        self.record_calls = record_calls
        self.blocked: set[int] = set()
        self.faults: list[Fault] = []
        self._random = random.Random(seed)
        self._message_ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self.clock_seconds = 1_780_000_000  # a fixed epoch keeps transcripts reproducible
        # Calls the user saw, per chat; and the same, as they happen, for a load driver.
        self.answers: dict[int, list[Answer]] = {}
        self.on_answer: AnswerHook | None = None
        self._query_chats: dict[str, int] = {}
        # Long polling: updates pushed by the user's side and not yet confirmed by an offset.
        self.pending: list[dict[str, Any]] = []
        self.pushed_at: dict[int, float] = {}
        self._arrival: asyncio.Event | None = None
        self._poll_generation = 0  # a newer getUpdates ends a waiting one (409)
        self.webhook: dict[str, Any] = {}  # what setWebhook registered (url, secret_token…)
        # Flood control (see limit()).
        self._limited = False
        self._per_chat_rate: float | None = None
        self._burst = 3
        self._chat_buckets: dict[int, _Bucket] = {}
        self._global_bucket: _Bucket | None = None
        self.limit(per_chat=per_chat_limit, global_rate=global_limit)

    # --- BaseRequest -------------------------------------------------------------------

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        if request_data is not None and request_data.contains_files:
            for part, upload in request_data.multipart_data.items():
                # An uploaded file is a multipart part, not a parameter; mark it present.
                params.setdefault(part, f"upload:{upload[0]}")
        return await self.call(name, params)

    async def call(self, method: str, params: dict[str, Any]) -> tuple[int, bytes]:
        """Answer ``method`` with ``params`` (as ``RequestData.parameters`` holds them):
        the HTTP status and the JSON body Telegram would send. ``getUpdates`` may wait
        (long polling); everything else answers at once. An injected time-out raises
        :class:`telegram.error.TimedOut`."""
        record = Call(method, params)
        if self.record_calls:
            self.calls.append(record)
        try:
            try:
                self._maybe_fault(method, params)
            except TimedOut:
                record.outcome = "timed out"
                raise
            if method == "getUpdates":
                result: Any = await self._get_updates(params)
            else:
                if self._limited:
                    self._check_rate(method, params)
                handler = getattr(self, f"_api_{method}", None)
                if handler is None:
                    raise _Refused(400, f"Bad Request: method {method} is not emulated")
                result = handler(params)
                if method in VISIBLE_METHODS and (self.record_calls or self.on_answer):
                    self._answered(method, params)
        except _Refused as refusal:
            record.outcome = refusal.description
            body: dict[str, Any] = {
                "ok": False,
                "error_code": refusal.code,
                "description": refusal.description,
            }
            if refusal.parameters:
                body["parameters"] = refusal.parameters
            return refusal.code, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _answered(self, method: str, params: dict[str, Any]) -> None:
        if method == "answerCallbackQuery":
            chat_id = self._query_chats.get(str(params.get("callback_query_id")))
        else:
            chat_id = _chat_id(params.get("chat_id"))
        if chat_id is None:
            return
        now = time.monotonic()
        if self.record_calls:
            self.answers.setdefault(chat_id, []).append(Answer(method, now))
        if self.on_answer is not None:
            self.on_answer(chat_id, method, now)

    # --- fault injection ---------------------------------------------------------------

    def block(self, chat_id: int) -> None:
        """The user blocked the bot (a group: removed it): every send or edit to them
        answers 403 from now on."""
        self.blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self.blocked.discard(chat_id)

    def inject(
        self,
        kind: FaultKind,
        *,
        chat_id: int | None = None,
        share: float = 1.0,
        count: int | None = None,
        methods: Iterable[str] | None = None,
        retry_after: int = 1,
        description: str = "",
    ) -> Fault:
        """Answer the next calls (of ``methods``, to ``chat_id``) with a failure.

        ``share`` is the probability per matching call (seeded, reproducible); ``count``
        limits how many calls fail before the fault wears off (None: until removed).
        """
        fault = Fault(
            kind,
            chat_id=chat_id,
            share=share,
            remaining=count,
            methods=frozenset(methods) if methods else None,
            retry_after=retry_after,
            description=description,
        )
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self.faults.clear()

    def limit(
        self,
        *,
        per_chat: bool | float = True,
        global_rate: float | None = 30.0,
        burst: int = 3,
    ) -> None:
        """Answer 429 ``Too Many Requests: retry after N`` (``parameters.retry_after``)
        like Telegram when the bot sends or edits too fast, on real monotonic time.

        ``per_chat``: messages per second into one chat (True: 1), with ``burst`` at once;
        a group chat gets Telegram's 20 a minute (or ``per_chat``, if that is slower);
        ``global_rate``: messages per second over all chats, a second's worth at once.
        False/None turn a limit off; ``limit(per_chat=False, global_rate=None)`` both.
        Only sends and edits count (not answerCallbackQuery, getUpdates, getMe, …).
        """
        rate = 1.0 if per_chat is True else float(per_chat) if per_chat else None
        self._per_chat_rate, self._burst = rate, burst
        self._chat_buckets.clear()
        self._global_bucket = (
            _Bucket(global_rate, global_rate, global_rate, time.monotonic())
            if global_rate
            else None
        )
        self._limited = rate is not None or self._global_bucket is not None

    def _check_rate(self, method: str, params: dict[str, Any]) -> None:
        if not (method.startswith("send") and method != "sendChatAction") and not (
            method.startswith("edit")
        ):
            return
        now = time.monotonic()
        buckets = [self._global_bucket] if self._global_bucket is not None else []
        chat_id = _chat_id(params.get("chat_id"))
        if self._per_chat_rate is not None and chat_id is not None:
            bucket = self._chat_buckets.get(chat_id)
            if bucket is None:
                rate = min(self._per_chat_rate, GROUP_RATE) if chat_id < 0 else self._per_chat_rate
                bucket = _Bucket(rate, self._burst, self._burst, now)
                self._chat_buckets[chat_id] = bucket
            buckets.append(bucket)
        wait = max((bucket.wait(now) for bucket in buckets), default=0.0)
        if wait > 0:
            # Telegram gives whole seconds; a refused call costs no token.
            seconds = max(1, math.ceil(wait))
            raise _Refused(
                429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
            )
        for bucket in buckets:
            bucket.tokens -= 1

    def _maybe_fault(self, method: str, params: dict[str, Any]) -> None:
        chat_id = params.get("chat_id")
        target = _chat_id(chat_id)
        if target is not None and target in self.blocked and method.startswith(("send", "edit")):
            raise _Refused(403, KICKED if target < 0 else BLOCKED)
        for fault in list(self.faults):
            if fault.methods is not None and method not in fault.methods:
                continue
            if fault.chat_id is not None and fault.chat_id != chat_id:
                continue
            if fault.share < 1.0 and self._random.random() >= fault.share:
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.faults.remove(fault)
            self._raise_fault(fault)

    @staticmethod
    def _raise_fault(fault: Fault) -> None:
        if fault.kind == "forbidden":
            raise _Refused(403, fault.description or BLOCKED)
        if fault.kind == "retry_after":
            raise _Refused(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            )
        if fault.kind == "server_error":
            raise _Refused(502, fault.description or "Bad Gateway")
        if fault.kind == "bad_request":
            raise _Refused(400, fault.description or "Bad Request: injected")
        raise TimedOut("Timed out (emulated)")

    # --- validation helpers ------------------------------------------------------------

    def _chat(self, params: dict[str, Any], *, sending: bool = False) -> int:
        chat_id = _chat_id(params.get("chat_id"))
        if chat_id is None:
            raise _Refused(400, "Bad Request: chat_id is empty")
        if chat_id not in self._chat_info:
            # A person the bot has never heard from: Telegram will not let it write first.
            if sending and chat_id > 0:
                raise _Refused(403, CANT_INITIATE)
            raise _Refused(400, "Bad Request: chat not found")
        return chat_id

    @staticmethod
    def _visible_text(
        text: object, parse_mode: object, limit: int, what: str, entities: object = None
    ) -> tuple[str, tuple[Entity, ...]]:
        """The text and formatting the user sees, validated like the Bot API does."""
        if not isinstance(text, str):
            raise _Refused(400, f"Bad Request: {what} is empty")
        shown: tuple[Entity, ...] = ()
        if parse_mode is not None and str(parse_mode).upper() == "HTML":
            try:
                text, shown = html_to_entities(text)
            except HTMLParseError as exc:
                raise _Refused(400, str(exc)) from None
        elif entities:
            shown = _given_entities(entities)
        if what == "message text" and not text.strip():
            raise _Refused(400, "Bad Request: message text is empty")
        if telegram_length(text) > limit:
            raise _Refused(400, f"Bad Request: {what} is too long")
        return text, shown

    @staticmethod
    def _keyboard(markup: Any) -> tuple[list[list[Button]], list[list[str]] | None]:
        if markup is None:
            return [], None
        if isinstance(markup, str):
            markup = json.loads(markup)
        if "inline_keyboard" in markup:
            rows: list[list[Button]] = []
            total = 0
            for row in markup["inline_keyboard"]:
                if len(row) > MAX_ROW:
                    raise _Refused(400, "Bad Request: too many buttons in a row")
                parsed: list[Button] = []
                for button in row:
                    total += 1
                    if not button.get("text"):
                        raise _Refused(
                            400, "Bad Request: text buttons are unallowed in the inline keyboard"
                        )
                    data = button.get("callback_data")
                    if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                        raise _Refused(400, "Bad Request: BUTTON_DATA_INVALID")
                    if sum(button.get(field) is not None for field in BUTTON_ACTIONS) != 1:
                        raise _Refused(400, "Bad Request: can't parse inline keyboard button")
                    # Telegram opens only web and tg:// links from buttons (no tel:).
                    url = button.get("url")
                    if url is not None and not url.startswith(("https://", "http://", "tg://")):
                        raise _Refused(400, "Bad Request: wrong HTTP URL specified")
                    parsed.append(Button(button["text"], data, button.get("url")))
                rows.append(parsed)
            if total > MAX_BUTTONS:
                raise _Refused(400, "Bad Request: reply markup is too long")
            return rows, None
        if "keyboard" in markup:
            return [], [
                [b["text"] if isinstance(b, dict) else b for b in row]
                for row in markup["keyboard"]
            ]
        return [], None  # remove_keyboard / force_reply change nothing we show

    def _store(self, message: ChatMessage) -> dict[str, Any]:
        self.chats.setdefault(message.chat_id, []).append(message)
        self._messages[(message.chat_id, message.message_id)] = message
        return self._message_json(message)

    def _message_json(self, message: ChatMessage) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": self._chat_info[message.chat_id],
            "from": self.bot,
        }
        if message.media == "photo":
            payload["photo"] = [
                {"file_id": "photo", "file_unique_id": "p", "width": 1, "height": 1}
            ]
            payload["caption"] = message.text
        elif message.media == "document":
            payload["document"] = {"file_id": "doc", "file_unique_id": "d"}
            payload["caption"] = message.text
        elif message.media == "voice":
            payload["voice"] = {"file_id": "voice", "file_unique_id": "v", "duration": 1}
            payload["caption"] = message.text
        else:
            payload["text"] = message.text
        if message.entities:
            key = "entities" if message.media is None else "caption_entities"
            payload[key] = [entity.to_dict() for entity in message.entities]
        if message.edits:
            payload["edit_date"] = message.date
        if message.buttons:  # Telegram sends the keyboard with the message (e.g. a press's)
            payload["reply_markup"] = {
                "inline_keyboard": [
                    [
                        {"text": b.text, "url": b.url}
                        if b.url
                        else {"text": b.text, "callback_data": b.callback_data or ""}
                        for b in row
                    ]
                    for row in message.buttons
                ]
            }
        return payload

    def _bot_message(
        self,
        params: dict[str, Any],
        shown: tuple[str, tuple[Entity, ...]],
        media: str | None = None,
    ) -> ChatMessage:
        chat_id = self._chat(params, sending=True)
        buttons, reply_keyboard = self._keyboard(params.get("reply_markup"))
        return ChatMessage(
            message_id=next(self._message_ids),
            chat_id=chat_id,
            from_bot=True,
            text=shown[0],
            entities=shown[1],
            source=str(params.get("text") or params.get("caption") or ""),
            parse_mode=params.get("parse_mode"),
            buttons=buttons,
            reply_keyboard=reply_keyboard,
            media=media,
            date=self.clock_seconds,
            sent_at=self.clock.now() if self.clock is not None else None,
        )

    def _existing(self, params: dict[str, Any]) -> ChatMessage:
        chat_id = self._chat(params)
        message = self._messages.get((chat_id, int(params.get("message_id", 0))))
        if message is None or message.deleted:
            raise _Refused(400, "Bad Request: message to edit not found")
        if not message.from_bot:
            raise _Refused(400, "Bad Request: message can't be edited")
        return message

    # --- the methods -------------------------------------------------------------------

    def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot

    def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        shown = self._visible_text(
            params.get("text"),
            params.get("parse_mode"),
            MAX_TEXT,
            "message text",
            params.get("entities"),
        )
        return self._store(self._bot_message(params, shown))

    def _media(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        if not params.get(kind):
            raise _Refused(400, f"Bad Request: there is no {kind} in the request")
        caption = params.get("caption") or ""
        shown: tuple[str, tuple[Entity, ...]] = (caption, ())
        if caption:
            shown = self._visible_text(
                caption,
                params.get("parse_mode"),
                MAX_CAPTION,
                "caption",
                params.get("caption_entities"),
            )
        return self._store(self._bot_message(params, shown, media=kind))

    def _api_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._media(params, "photo")

    def _api_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._media(params, "document")

    def _api_sendVoice(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._media(params, "voice")

    def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._existing(params)
        if message.media is not None:
            raise _Refused(400, "Bad Request: there is no text in the message to edit")
        text, entities = self._visible_text(
            params.get("text"),
            params.get("parse_mode"),
            MAX_TEXT,
            "message text",
            params.get("entities"),
        )
        return self._edited(message, params, (text, entities), str(params["text"]))

    def _edited(
        self,
        message: ChatMessage,
        params: dict[str, Any],
        shown: tuple[str, tuple[Entity, ...]],
        source: str,
    ) -> dict[str, Any]:
        text, entities = shown
        buttons, _ = self._keyboard(params.get("reply_markup"))
        # Telegram compares what the user would see, not the source: <b>Hi</b> ->
        # <strong>Hi</strong> is no change, <b>Hi</b> -> <i>Hi</i> is.
        if (text, entities, buttons) == (message.text, message.entities, message.buttons):
            raise _Refused(400, NOT_MODIFIED)
        message.text, message.entities, message.buttons = text, entities, buttons
        message.source, message.parse_mode = source, params.get("parse_mode")
        message.edits += 1
        return self._message_json(message)

    def _api_editMessageCaption(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._existing(params)
        if message.media is None:
            raise _Refused(400, "Bad Request: there is no caption in the message to edit")
        caption = params.get("caption") or ""
        text, entities = self._visible_text(
            caption,
            params.get("parse_mode"),
            MAX_CAPTION,
            "caption",
            params.get("caption_entities"),
        )
        return self._edited(message, params, (text, entities), str(caption))

    def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._existing(params)
        buttons, _ = self._keyboard(params.get("reply_markup"))
        if buttons == message.buttons:
            raise _Refused(400, "Bad Request: message is not modified")
        message.buttons = buttons
        message.edits += 1
        return self._message_json(message)

    def _api_deleteMessage(self, params: dict[str, Any]) -> bool:
        chat_id = self._chat(params)
        message = self._messages.get((chat_id, int(params.get("message_id", 0))))
        if message is None or message.deleted:
            raise _Refused(400, "Bad Request: message to delete not found")
        age = self.clock.now() - message.sent_at if self.clock and message.sent_at else None
        if age is not None and age >= DELETE_WITHIN:
            raise _Refused(400, "Bad Request: message can't be deleted for everyone")
        message.deleted = True
        return True

    def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id"))
        if self.callback_answers.get(query_id, "unknown") is not None:
            # Unknown and already-answered queries get the same answer from Telegram.
            raise _Refused(400, QUERY_TOO_OLD)
        text = params.get("text") or ""
        if telegram_length(text) > MAX_CALLBACK_ANSWER:
            raise _Refused(400, "Bad Request: MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = {
            "text": text,
            "show_alert": bool(params.get("show_alert")),
        }
        return True

    def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands") or []
        if isinstance(commands, str):
            commands = json.loads(commands)
        if len(commands) > 100:
            raise _Refused(400, "Bad Request: too many commands")
        for command in commands:
            if not _COMMAND.match("/" + command.get("command", "")):
                raise _Refused(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise _Refused(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        scope = json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)
        self.commands[(scope, params.get("language_code") or "")] = list(commands)
        return True

    def _api_getMyCommands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        scope = json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)
        return self.commands.get((scope, params.get("language_code") or ""), [])

    def _api_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        scope = json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)
        self.commands.pop((scope, params.get("language_code") or ""), None)
        return True

    def _api_sendChatAction(self, params: dict[str, Any]) -> bool:
        self._chat(params, sending=True)
        return True

    def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if not url:  # Telegram: an empty url removes the webhook
            return self._api_deleteWebhook(params)
        parsed = urlsplit(url)
        if parsed.scheme != "https" or not parsed.hostname:
            raise _Refused(400, f"{BAD_WEBHOOK}: An HTTPS URL must be provided for webhook")
        if (parsed.port or 443) not in WEBHOOK_PORTS:
            raise _Refused(
                400, f"{BAD_WEBHOOK}: Webhook can be set up only on ports 80, 88, 443 or 8443"
            )
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN.match(str(secret)):
            raise _Refused(400, "Bad Request: secret token contains unallowed characters")
        connections = int(params.get("max_connections") or 40)
        if not 1 <= connections <= 100:
            raise _Refused(400, f"{BAD_WEBHOOK}: max_connections must be 1-100")
        allowed = params.get("allowed_updates")
        if isinstance(allowed, str):
            allowed = json.loads(allowed)
        if params.get("drop_pending_updates"):
            self.pending.clear()
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": connections,
            "allowed_updates": allowed,
        }
        self._wake_polls()
        return True

    def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates"):
            self.pending.clear()
        self.webhook = {}
        return True

    def _api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.pending),
        }
        if self.webhook:
            info["max_connections"] = self.webhook["max_connections"]
            if self.webhook["allowed_updates"] is not None:
                info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    def _api_close(self, params: dict[str, Any]) -> bool:
        return True

    def _api_logOut(self, params: dict[str, Any]) -> bool:
        return True

    # --- long polling ------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> int:
        """Queue ``update`` (from :meth:`message_update` and friends) for ``getUpdates``;
        a waiting long poll returns at once. Returns its ``update_id``; the moment it was
        pushed (``time.monotonic()``) is kept in :attr:`pushed_at`."""
        update_id = int(update["update_id"])
        self.pushed_at[update_id] = time.monotonic()
        bisect.insort(self.pending, update, key=lambda queued: int(queued["update_id"]))
        self._wake_polls()
        return update_id

    def release_polls(self) -> None:
        """End every waiting long poll now (with whatever is queued): used at shutdown."""
        self._wake_polls()

    def _wake_polls(self) -> None:
        if self._arrival is not None:
            self._arrival.set()
            self._arrival = None

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Telegram's semantics: ``offset`` confirms every update below it (they are gone);
        the rest come back on every call until confirmed; ``timeout`` seconds of waiting
        when there is nothing to return. ``allowed_updates`` is not applied."""
        if self.webhook:
            raise _Refused(409, WEBHOOK_ACTIVE)
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = float(params.get("timeout") or 0)
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_polls()  # a poll already waiting is ended, as by Telegram
        self._confirm(offset)
        if not self.pending and timeout > 0:
            if self._arrival is None:
                self._arrival = asyncio.Event()
            arrival = self._arrival
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(arrival.wait(), timeout)
        if generation != self._poll_generation:
            raise _Refused(409, POLL_TERMINATED)
        if self.webhook:
            raise _Refused(409, WEBHOOK_ACTIVE)
        return self.pending[:limit]

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            # A negative offset keeps only the last -offset updates; the rest are forgotten.
            del self.pending[: max(0, len(self.pending) + offset)]
        elif offset:
            while self.pending and int(self.pending[0]["update_id"]) < offset:
                self.pending.pop(0)

    # --- the user's side ---------------------------------------------------------------

    def _user(self, user_id: int, language_code: str | None, first_name: str) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        return user

    def open_chat(
        self, chat_id: int, *, chat_type: str = "private", title: str = ""
    ) -> dict[str, Any]:
        info: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            info["first_name"] = title or "User"
        else:
            info["title"] = title or "Group"
        self._chat_info.setdefault(chat_id, info)
        self.chats.setdefault(chat_id, [])
        return self._chat_info[chat_id]

    def _user_message(
        self, user_id: int, chat_id: int, text: str, media: str | None
    ) -> ChatMessage:
        message = ChatMessage(
            message_id=next(self._message_ids),
            chat_id=chat_id,
            from_bot=False,
            text=text,
            media=media,
            date=self.clock_seconds,
            sent_at=self.clock.now() if self.clock is not None else None,
        )
        self.chats.setdefault(chat_id, []).append(message)
        self._messages[(chat_id, message.message_id)] = message
        return message

    def message_update(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        language_code: str | None = "id",
        first_name: str = "Warga",
    ) -> dict[str, Any]:
        """The update a client sends when the user types ``text`` (commands get entities)."""
        chat = self.open_chat(chat_id or user_id, chat_type=chat_type, title=first_name)
        message = self._user_message(user_id, chat["id"], text, None)
        payload: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": chat,
            "from": self._user(user_id, language_code, first_name),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            payload["entities"] = [
                {"type": "bot_command", "offset": 0, "length": telegram_length(command)}
            ]
        return {"update_id": next(self._update_ids), "message": payload}

    def media_update(
        self,
        user_id: int,
        kind: Literal["sticker", "photo", "voice", "location", "contact", "document", "video"],
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        language_code: str | None = "id",
    ) -> dict[str, Any]:
        """A non-text message: a sticker, photo, voice note, location, contact, …"""
        chat = self.open_chat(chat_id or user_id, chat_type=chat_type)
        message = self._user_message(user_id, chat["id"], f"<{kind}>", kind)
        bodies: dict[str, Any] = {
            "sticker": {
                "file_id": "s1",
                "file_unique_id": "s1",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
                "emoji": "😀",
            },
            "photo": [{"file_id": "p1", "file_unique_id": "p1", "width": 90, "height": 90}],
            "voice": {"file_id": "v1", "file_unique_id": "v1", "duration": 3},
            "location": {"latitude": -7.7, "longitude": 109.6},
            "contact": {"phone_number": "+628123456789", "first_name": "Ibu"},
            "document": {"file_id": "d1", "file_unique_id": "d1", "file_name": "ktp.pdf"},
            "video": {
                "file_id": "vd1",
                "file_unique_id": "vd1",
                "width": 1,
                "height": 1,
                "duration": 1,
            },
        }
        payload: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": chat,
            "from": self._user(user_id, language_code, "Warga"),
            kind: bodies[kind],
        }
        return {"update_id": next(self._update_ids), "message": payload}

    def edited_message_update(
        self, user_id: int, message_id: int, text: str, *, language_code: str | None = "id"
    ) -> dict[str, Any]:
        """The user edited one of their earlier messages."""
        chat = self.open_chat(user_id)
        original = self._messages.get((user_id, message_id))
        if original is not None and not original.from_bot:
            original.text = text
            original.edits += 1
        payload = {
            "message_id": message_id,
            "date": self.clock_seconds,
            "edit_date": self.clock_seconds,
            "chat": chat,
            "from": self._user(user_id, language_code, "Warga"),
            "text": text,
        }
        return {"update_id": next(self._update_ids), "edited_message": payload}

    def callback_update(
        self,
        user_id: int,
        message_id: int,
        data: str,
        *,
        chat_id: int | None = None,
        language_code: str | None = "id",
    ) -> dict[str, Any]:
        """The user pressed an inline button (``data`` may be forged: nothing checks it)."""
        chat_id = chat_id or user_id
        chat = self.open_chat(chat_id)
        query_id = str(next(self._callback_ids))
        self.callback_answers[query_id] = None
        self._query_chats[query_id] = chat_id
        message = self._messages.get((chat_id, message_id))
        message_json = (
            self._message_json(message)
            if message is not None and message.from_bot
            else {"message_id": message_id, "date": 0, "chat": chat}
        )
        payload = {
            "id": query_id,
            "from": self._user(user_id, language_code, "Warga"),
            "chat_instance": str(chat_id),
            "message": message_json,
            "data": data,
        }
        return {"update_id": next(self._update_ids), "callback_query": payload}

    def member_update(self, user_id: int, status: Literal["kicked", "member"]) -> dict[str, Any]:
        """The user blocked (``kicked``) or unblocked (``member``) the bot."""
        chat = self.open_chat(user_id)
        if status == "kicked":
            self.block(user_id)
        else:
            self.unblock(user_id)
        old, new = ("member", "kicked") if status == "kicked" else ("kicked", "member")

        def member(status: str) -> dict[str, Any]:
            # A "kicked" member carries until_date (0: for ever), as Telegram sends it.
            return {
                "user": self.bot,
                "status": status,
                **({"until_date": 0} if status == "kicked" else {}),
            }

        payload = {
            "chat": chat,
            "from": self._user(user_id, None, "Warga"),
            "date": self.clock_seconds,
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        return {"update_id": next(self._update_ids), "my_chat_member": payload}

    # --- reading what a user sees ------------------------------------------------------

    def history(self, chat_id: int) -> list[ChatMessage]:
        return [message for message in self.chats.get(chat_id, []) if not message.deleted]

    def bot_messages(self, chat_id: int) -> list[ChatMessage]:
        return [message for message in self.history(chat_id) if message.from_bot]

    def last_with_buttons(self, chat_id: int) -> ChatMessage | None:
        for message in reversed(self.bot_messages(chat_id)):
            if message.buttons:
                return message
        return None

    def answer_to(self, update: dict[str, Any]) -> dict[str, Any] | None:
        query = update.get("callback_query")
        return self.callback_answers.get(query["id"]) if query else None


def _chat_id(value: object) -> int | None:
    """A ``chat_id`` parameter as an int (PTB sends ints; some callers digit strings)."""
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def _given_entities(entities: object) -> tuple[Entity, ...]:
    """Entities passed explicitly (instead of a parse mode), in Telegram's order."""
    if isinstance(entities, str):
        entities = json.loads(entities)
    if not isinstance(entities, list):
        return ()
    given = [
        Entity(
            str(entity["type"]),
            int(entity["offset"]),
            int(entity["length"]),
            entity.get("url"),
            entity.get("language"),
            entity.get("custom_emoji_id"),
        )
        for entity in entities
        if int(entity.get("length", 0)) > 0
    ]
    return tuple(sorted(given, key=lambda e: (e.offset, -e.length, e.type)))
