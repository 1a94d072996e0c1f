"""The conversation core's vocabulary, shared by every dialog and every channel.

A channel adapter (:mod:`bot.channels.telegram`) turns what a person did into an
:class:`Event`, runs the dialog routed to it (:mod:`bot.conversation.routes`) with a
:class:`Turn`, and carries out the :class:`~bot.replies.Replies` the dialog recorded. The
dialogs themselves (``handlers/``) import nothing of any channel.
"""

from bot.conversation.event import Attachment, Event, Pressed
from bot.conversation.turn import Turn

__all__ = ["Attachment", "Event", "Pressed", "Turn"]
