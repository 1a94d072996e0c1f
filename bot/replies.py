"""Commit, then talk: what a unit of work will say, sent only once it has committed.

A dialog does not call the channel. It *records* its answer in :class:`Replies` (send a
message, replace the one whose choice was tapped, acknowledge the tap, send a file); the
unit of work stores those calls with its changes (in the update's inbox row) and commits;
then the channel adapter makes the calls, in order
(:func:`bot.channels.telegram.sending.deliver`). So no database transaction is ever open while
the bot waits ~100 ms for Telegram, the person never sees an answer about something that
was not saved, and an answer cut off by a crash is sent again after the restart.

Each call is a method name with JSON arguments (the choices as data, laid out by the
channel when it sends them), so it can be stored and sent again after a restart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from bot.conversation.choices import Choices
from storage.repositories import users

if TYPE_CHECKING:
    from bot.context import Services

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
Lost = Callable[[], Awaitable[None]]


@dataclass
class Reply:
    """One call: a method name (named as the Bot API's, which every channel maps) and its
    JSON arguments."""

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


def _choices(choices: Choices | None) -> dict[str, Any]:
    return {"choices": choices.to_json()} if choices is not None else {}


class Replies:
    """The answer a unit of work is building, in the order the person should see it."""

    def __init__(self) -> None:
        self.calls: list[Reply] = []

    def send(
        self,
        chat_id: int,
        text: str,
        choices: Choices | None = None,
        *,
        plain: bool = False,
        if_lost: Lost | None = None,
    ) -> None:
        """A new message (HTML unless ``plain``: text meant to be forwarded as it is)."""
        kwargs = {"chat_id": chat_id, "text": text, **_choices(choices)}
        if plain:
            kwargs["parse_mode"] = None
        self.calls.append(Reply("send_message", kwargs, if_lost))

    def edit(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        choices: Choices | None = None,
        *,
        if_lost: Lost | None = None,
    ) -> None:
        """Replace a message's text and choices (no ``choices``: none)."""
        kwargs = {"chat_id": chat_id, "message_id": message_id, "text": text, **_choices(choices)}
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
        choices: Choices | None = None,
    ) -> None:
        """A photo, voice note or document Telegram already has (by its file id)."""
        kwargs: dict[str, Any] = {"chat_id": chat_id, kind: file_id, **_choices(choices)}
        if caption:
            kwargs["caption"] = caption
        self.calls.append(Reply(SEND_FILE[kind], kwargs))

    @property
    def answered(self) -> bool:
        return any(call.method == "answer_callback_query" for call in self.calls)

    def to_json(self) -> list[dict[str, Any]]:
        return [call.to_json() for call in self.calls]


async def mark_unreachable(services: Services, channel: str, chat_id: int) -> None:
    """The channel says the person blocked the bot: stop addressing them until they write."""
    async with services.sessions() as session, session.begin():
        await users.mark_unreachable_at(session, channel, str(chat_id), services.clock.now())
