"""What a dialog reads of the tapped choice, and how it shows its answer: by replacing the
screen whose choice was tapped, or as a new message, once the unit of work commits."""

from __future__ import annotations

from bot import ids
from bot.conversation import Event, Turn
from bot.conversation.choices import Choices
from bot.replies import Lost


def button_number(event: Event, position: int, *, maximum: int = ids.ROW_ID_MAX) -> int:
    """The number at ``position`` of the tapped choice's id (``cs:v:12`` → 12 at 2);
    0 (no such row) when it is missing, not ASCII digits or beyond ``maximum`` (forged
    data: a row id beyond 32 bits would make PostgreSQL raise instead of find nothing)."""
    parts = event.choice.split(":") if event.pressed is not None else []
    found = ids.number(parts[position], maximum) if len(parts) > position else None
    return found or 0


def button_person_id(event: Event, position: int) -> int:
    """A person's id in the tapped choice's id (``cs:ra:12:<id>``), or 0."""
    return button_number(event, position, maximum=ids.ROW_ID_MAX)


def button_value(event: Event) -> str:
    """The last part of the tapped choice's id: ``ob:role:family`` → ``family``."""
    return event.choice.rsplit(":", 1)[-1]


async def answer_query(event: Event, context: Turn, text: str, *, alert: bool = False) -> None:
    """Acknowledge the tap with a toast (once; the unit of work does so silently
    otherwise)."""
    if event.pressed is None or context.replies.answered:
        return
    context.replies.answer(event.pressed.answer_ref, text, alert=alert)


async def show(
    event: Event,
    context: Turn,
    text: str,
    choices: Choices | None = None,
    *,
    new: bool = False,
    if_lost: Lost | None = None,
) -> None:
    """Replace the screen whose choice was tapped, or send a new message (once the unit
    of work has committed).

    Replacing keeps the chat short on small screens and makes old buttons disappear.
    """
    replaced = event.pressed.message_id if event.pressed is not None else None
    if replaced is not None and not (new or context.reply_as_new):
        context.replies.edit(event.chat, replaced, text, choices, if_lost=if_lost)
        return
    context.replies.send(event.chat, text, choices, if_lost=if_lost)


def pressed_on_page(event: Event, marker: str) -> bool:
    """Whether the tapped choice sits on one of our pages (recognised by a choice with the
    ``marker`` id, e.g. its back button), which is replaced in place. A choice under a
    notification opens a new message instead: the notification stays in the chat as the
    record of what arrived (an officer's message, a new case)."""
    return event.pressed is not None and marker in event.pressed.on_screen


def with_notice(notice: str | None, text: str) -> str:
    return f"{notice}\n\n{text}" if notice else text
