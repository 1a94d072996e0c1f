"""A Telegram update as the conversation core's :class:`~bot.conversation.Event`."""

from __future__ import annotations

from dataclasses import replace
from html import escape

from telegram import Message, MessageEntity, Update

from bot.conversation.event import Attachment, Event, Pressed


def event_of(update: Update, bot_username: str) -> Event | None:
    """The event of a message, an edited message or a tapped button; None for other
    updates (they are the adapter's own business: a block, a group's ``/start``)."""
    user = update.effective_user
    if user is None:
        return None
    chat = update.effective_chat
    base = Event(
        person=user.id,
        chat=chat.id if chat is not None else 0,
        channel="telegram",
        private=chat is not None and chat.type == "private",
        language=user.language_code,
    )
    query = update.callback_query
    if query is not None:
        message = query.message
        markup = getattr(message, "reply_markup", None)
        on_screen = tuple(
            button.callback_data
            for row in (markup.inline_keyboard if markup is not None else ())
            for button in row
            if isinstance(button.callback_data, str)
        )
        pressed = Pressed(
            query.data or "",
            query.id,
            message.message_id if message is not None else None,
            on_screen,
        )
        return replace(base, pressed=pressed)
    message = update.message or update.edited_message
    if message is None:
        return None
    command, args = _command(message, bot_username)
    return replace(
        base,
        text=message.text,
        formatted=_formatted(message),
        command=command,
        args=args,
        attachment=_attachment(message),
        caption=message.caption,
        edited=update.edited_message is not None,
    )


def _command(message: Message, bot_username: str) -> tuple[str | None, tuple[str, ...]]:
    """``/menu`` or ``/menu@ourbot`` → ``menu``. A command addressed to another bot keeps
    its ``@`` part, so no route knows it. As PTB's ``CommandHandler``: a command is a
    ``bot_command`` entity at the start of a text."""
    entities = message.entities
    text = message.text
    if not text or not entities:
        return None, ()
    first = entities[0]
    if first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return None, ()
    name, _, addressee = text[1 : first.length].partition("@")
    name = name.lower()
    if addressee and addressee.lower() != bot_username.lower():
        name = f"{name}@{addressee.lower()}"
    return name, tuple(text.split()[1:])


def _attachment(message: Message) -> Attachment | None:
    if message.photo:
        return Attachment("photo", message.photo[-1].file_id)
    if message.voice:
        return Attachment("voice", message.voice.file_id)
    if message.document:
        return Attachment("document", message.document.file_id)
    return None


def _formatted(message: Message) -> str | None:
    """The text (or a file's caption) as HTML; from the entities only when there are."""
    if message.text is not None:
        return message.text_html if message.entities else escape(message.text)
    if message.caption is not None:
        return message.caption_html if message.caption_entities else escape(message.caption)
    return None
