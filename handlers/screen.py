"""What a handler reads of the pressed button, and how it shows its answer: by editing the
message whose button was pressed, or as a new message, once the unit of work commits."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot import ids
from bot.context import BotContext
from bot.replies import Lost


def button_number(update: Update, position: int, *, maximum: int = ids.ROW_ID_MAX) -> int:
    """The number at ``position`` of the pressed button's data (``cs:v:12`` → 12 at 2);
    0 (no such row) when it is missing, not ASCII digits or beyond ``maximum`` (forged
    data: a row id beyond 32 bits would make PostgreSQL raise instead of find nothing)."""
    query = update.callback_query
    parts = (query.data or "").split(":") if query is not None else []
    found = ids.number(parts[position], maximum) if len(parts) > position else None
    return found or 0


def button_telegram_id(update: Update, position: int) -> int:
    """A Telegram user id in the pressed button's data (``cs:ra:12:<id>``), or 0."""
    return button_number(update, position, maximum=ids.TELEGRAM_ID_MAX)


def button_value(update: Update) -> str:
    """The last part of the pressed button's data: ``ob:role:family`` → ``family``."""
    query = update.callback_query
    return (query.data or "").rsplit(":", 1)[-1] if query is not None else ""


async def answer_query(
    update: Update, context: BotContext, text: str, *, alert: bool = False
) -> None:
    """Answer the pressed button with a toast (once; the wrapper answers silently otherwise)."""
    query = update.callback_query
    if query is None or context.replies.answered:
        return
    context.replies.answer(query.id, text, alert=alert)


async def show(
    update: Update,
    context: BotContext,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    new: bool = False,
    if_lost: Lost | None = None,
) -> None:
    """Edit the message whose button was pressed, or send a new message (once the unit
    of work has committed).

    Editing keeps the chat short on small screens and makes old buttons disappear.
    """
    query = update.callback_query
    message = query.message if query is not None else None
    if message is not None and not (new or context.reply_as_new):
        context.replies.edit(message.chat.id, message.message_id, text, markup, if_lost=if_lost)
        return
    chat = update.effective_chat
    assert chat is not None
    context.replies.send(chat.id, text, markup, if_lost=if_lost)


def pressed_on_page(update: Update, marker: str) -> bool:
    """Whether the pressed button sits on one of our pages (recognised by a button with
    the ``marker`` data, e.g. its back button), which is edited in place. A button under a
    notification opens a new message instead: the notification stays in the chat as the
    record of what arrived (an officer's message, a new case)."""
    query = update.callback_query
    markup = getattr(query.message, "reply_markup", None) if query is not None else None
    rows = markup.inline_keyboard if markup is not None else ()
    return any(button.callback_data == marker for row in rows for button in row)


def with_notice(notice: str | None, text: str) -> str:
    return f"{notice}\n\n{text}" if notice else text
