"""The channel the outbox sends through, as the delivery engine sees it.

A channel adapter implements :class:`Channel` and says how a call went in the terms the
engine decides on: sent (the message's id), wait and try again (:class:`Wait`), the
person blocked the bot (:class:`Blocked`), may pass on another try (:class:`TryLater`),
or will not pass (:class:`Refused`). Each keeps the channel's own reason for the report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.delivery.outgoing import Outgoing


class ChannelError(Exception):
    """A call the channel did not carry out; ``reason`` is the channel's own words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Wait(ChannelError):
    """The channel asks to slow down: try again after ``seconds``."""

    def __init__(self, reason: str, seconds: float) -> None:
        super().__init__(reason)
        self.seconds = seconds


class Blocked(ChannelError):
    """The person blocked the bot (or left the channel): nothing reaches them."""


class TryLater(ChannelError):
    """A passing failure (the channel's server, a time-out): another try may pass."""


class Refused(ChannelError):
    """The channel will not take this message as it is: another try would fail too."""


class Unchanged(Refused):
    """An edit to what the message already says."""


class Channel(Protocol):
    """What the engine and the renderers need of a channel. A sweep through a channel
    claims only the rows naming it (``deliveries.channel``)."""

    name: str

    async def send(self, item: Outgoing, *, paid: bool) -> int | None:
        """Send a rendered row; the id of the message sent (when the channel gives one)."""

    async def send_text(self, chat_id: int, text: str) -> int | None:
        """A plain message (an officer's progress report)."""

    async def edit_text(self, chat_id: int, message_id: int, text: str) -> None:
        """Replace a message's text."""

    async def edit_caption(self, chat_id: int, message_id: int, caption: str) -> None:
        """Replace the caption of a message with a file."""

    async def delete(self, chat_id: int, message_id: int) -> None:
        """Take a message back."""
