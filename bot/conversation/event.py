"""What a person did, as every channel can say it: typed a text or a command, chose one
of the choices on a screen, sent a file, or edited an earlier message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AttachmentKind = Literal["photo", "voice", "document"]


@dataclass(frozen=True)
class Attachment:
    """A file the channel keeps for us, by its reference (Telegram's ``file_id``)."""

    kind: AttachmentKind
    ref: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "file_id": self.ref}


@dataclass(frozen=True)
class Pressed:
    """A choice tapped on an earlier screen.

    ``message_id``: the screen it was on (None when the channel cannot tell, or the
    screen is gone), which a dialog may replace. ``on_screen``: the ids of every choice
    that screen showed, so a dialog can tell its own pages from a notification.
    """

    id: str
    answer_ref: str  # what the channel needs to acknowledge the tap
    message_id: int | None = None
    on_screen: tuple[str, ...] = ()


@dataclass(frozen=True)
class Event:
    """One thing a person did, in one chat.

    ``person`` is the person's address on ``channel`` (Telegram's user id), which the
    unit of work turns into their ``people`` id; ``chat`` is where to answer. A typed
    command has ``command`` (lowercase, without ``/`` or ``@bot``) and its
    ``args``; its ``text`` is the whole message as typed.
    """

    person: int
    chat: int
    channel: str = "telegram"
    private: bool = True
    language: str | None = None  # the language the person's app is set to
    text: str | None = None
    formatted: str | None = None  # the text or caption as HTML: bold, italic, links kept
    command: str | None = None
    args: tuple[str, ...] = ()
    pressed: Pressed | None = None
    attachment: Attachment | None = None
    caption: str | None = None
    edited: bool = False

    @property
    def choice(self) -> str:
        """The id of the tapped choice, or ``""`` when nothing was tapped."""
        return self.pressed.id if self.pressed is not None else ""
