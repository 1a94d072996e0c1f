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
the chat history.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from bot.telegram_html import HTMLParseError, html_to_plain, telegram_length

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_BUTTONS = 100
MAX_ROW = 8
MAX_CALLBACK_ANSWER = 200
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_COMMAND = re.compile(r"^/[a-z0-9_]{1,32}$")

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
    ) -> None:
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
        call = Call(name, params)
        if self.record_calls:
            self.calls.append(call)
        try:
            try:
                self._maybe_fault(name, params)
            except TimedOut:
                call.outcome = "timed out"
                raise
            handler = getattr(self, f"_api_{name}", None)
            if handler is None:
                raise _Refused(400, f"Bad Request: method {name} is not emulated")
            result = handler(params)
        except _Refused as refusal:
            call.outcome = refusal.description
            body: dict[str, Any] = {
                "ok": False,
                "error_code": refusal.code,
                "description": refusal.description,
            }
            if refusal.parameters:
                body["parameters"] = refusal.parameters
            return refusal.code, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": result}).encode()

    # --- fault injection ---------------------------------------------------------------

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: every send to them answers 403 from now on."""
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

    def _maybe_fault(self, method: str, params: dict[str, Any]) -> None:
        chat_id = params.get("chat_id")
        if method.startswith("send") and method != "sendChatAction" and chat_id in self.blocked:
            raise _Refused(403, "Forbidden: bot was blocked by the user")
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
            raise _Refused(403, fault.description or "Forbidden: bot was blocked by the user")
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

    def _chat(self, params: dict[str, Any]) -> int:
        chat_id = params.get("chat_id")
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        if not isinstance(chat_id, int):
            raise _Refused(400, "Bad Request: chat_id is empty")
        if chat_id not in self._chat_info:
            raise _Refused(400, "Bad Request: chat not found")
        return chat_id

    @staticmethod
    def _visible_text(text: object, parse_mode: object, limit: int, what: str) -> str:
        if not isinstance(text, str):
            raise _Refused(400, f"Bad Request: {what} is empty")
        if parse_mode is not None and str(parse_mode).upper() == "HTML":
            try:
                text = html_to_plain(text)
            except HTMLParseError as exc:
                raise _Refused(400, str(exc)) from None
        if what == "message text" and not text.strip():
            raise _Refused(400, "Bad Request: message text is empty")
        if telegram_length(text) > limit:
            raise _Refused(400, f"Bad Request: {what} is too long")
        return text

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
                    if data is None and button.get("url") is None:
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
        else:
            payload["text"] = message.text
        if message.edits:
            payload["edit_date"] = message.date
        return payload

    def _bot_message(
        self, params: dict[str, Any], text: str, media: str | None = None
    ) -> ChatMessage:
        chat_id = self._chat(params)
        buttons, reply_keyboard = self._keyboard(params.get("reply_markup"))
        return ChatMessage(
            message_id=next(self._message_ids),
            chat_id=chat_id,
            from_bot=True,
            text=text,
            source=str(params.get("text") or params.get("caption") or ""),
            parse_mode=params.get("parse_mode"),
            buttons=buttons,
            reply_keyboard=reply_keyboard,
            media=media,
            date=self.clock_seconds,
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
        text = self._visible_text(
            params.get("text"), params.get("parse_mode"), MAX_TEXT, "message text"
        )
        return self._store(self._bot_message(params, text))

    def _media(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        if not params.get(kind):
            raise _Refused(400, f"Bad Request: there is no {kind} in the request")
        caption = params.get("caption") or ""
        if caption:
            caption = self._visible_text(caption, params.get("parse_mode"), MAX_CAPTION, "caption")
        return self._store(self._bot_message(params, caption, media=kind))

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
        text = self._visible_text(
            params.get("text"), params.get("parse_mode"), MAX_TEXT, "message text"
        )
        buttons, _ = self._keyboard(params.get("reply_markup"))
        # Telegram compares the formatting too: <b>Hi</b> -> <i>Hi</i> is a real edit.
        same_format = (str(params["text"]), params.get("parse_mode")) == (
            message.source,
            message.parse_mode,
        )
        if text == message.text and same_format and buttons == message.buttons:
            raise _Refused(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message.text, message.buttons = text, buttons
        message.source, message.parse_mode = str(params["text"]), params.get("parse_mode")
        message.edits += 1
        return self._message_json(message)

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
        self._chat(params)
        return True

    def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        return True

    def _api_getUpdates(self, params: dict[str, Any]) -> list[Any]:
        return []

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
