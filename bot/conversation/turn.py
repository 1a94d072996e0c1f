"""The dialog's side of one event: the app's services always; once the unit of work
(:func:`handlers.common.user_update`) has begun, the person's row, translator, database
session and the answer being built."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.context import Services
    from bot.i18n import Translator
    from bot.replies import Replies, Reply
    from storage.models import Officer, User

Send = Callable[["Sequence[Reply]"], Awaitable[None]]


class Ticket(Protocol):
    """The inbox's record of the event being handled (when it came through the inbox)."""

    async def handled(self, session: AsyncSession, replies: Replies) -> None: ...


class Turn:
    """Built by the channel adapter for each event it hands to a dialog.

    ``send`` carries out recorded replies on the channel; ``commands`` are the commands
    the dialogs answer (a command outside them is unknown); ``ticket`` is the inbox's.
    """

    user: User
    db: AsyncSession
    officer: Officer | None
    identity: tuple[str, str]  # the channel and the address the event came from
    replies: Replies
    reply_as_new: bool
    _: Translator

    def __init__(
        self,
        services: Services,
        send: Send,
        *,
        commands: frozenset[str] = frozenset(),
        ticket: Ticket | None = None,
    ) -> None:
        self.services = services
        self.send = send
        self.commands = commands
        self.ticket = ticket
