"""One claimed delivery on its way out, and what a delivery kind provides to render it.

A kind (announcement, reminder, case notice, ...) registers in :mod:`bot.delivery.kinds`
a renderer, which turns claimed rows into what to send (or marks them skipped, put off,
or done), and optionally hooks run after a row is sent or its recipient has blocked the
bot. Renderers import this module, never the engine, so the engine can import them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from bot.context import Services
    from bot.conversation.choices import Choices
    from bot.delivery.channel import Channel


@dataclass
class Outgoing:
    """One claimed delivery, rendered for its recipient (or skipped, or put off)."""

    delivery_id: int
    chat_id: int
    attempts: int
    announcement_id: int | None
    kind: str = ""
    payload: dict[str, Any] | None = None
    person_id: int | None = None  # the recipient (None: a group chat, or erased)
    text: str | None = None
    photo: str | None = None
    media: tuple[str, str] | None = None  # ("voice" | "document" | "photo", file id)
    choices: Choices | None = None
    # Anything else than sending a message (deleting or editing an old one): done instead.
    call: Callable[[Channel], Awaitable[object]] | None = None
    skip_reason: str | None = None
    defer_until: datetime | None = None
    done: bool = False  # work rows (case deadlines): the renderer did the work, nothing to send


Renderer: TypeAlias = "Callable[[Services, list[Outgoing]], Awaitable[None]]"
Hook: TypeAlias = "Callable[[Services, Outgoing], Awaitable[None]]"


@dataclass(frozen=True)
class Kind:
    """What the engine needs to know of one kind of delivery row."""

    render: Renderer
    after_sent: Hook | None = None
    after_blocked: Hook | None = None
