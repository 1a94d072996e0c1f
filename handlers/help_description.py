"""The help request's description: the person's own words, photos, voice notes and
documents, several messages joined; and how a case's files and messages are summed up.
"""

from __future__ import annotations

from html import escape
from typing import Any

from bot.conversation import Event, Turn
from bot.services import help_requests as cases
from handlers.common import goto, in_step, step
from handlers.help_steps import DIALOG, after_contacts, answers, closing_rows
from handlers.keyboards import keyboard
from handlers.navigation import ask, at_step, reprompt
from handlers.screen import show, with_notice
from storage.models import HelpMessage


def attachment_of(event: Event) -> dict[str, str] | None:
    """The file the person sent, as a draft keeps it (``kind`` and ``file_id``)."""
    return event.attachment.to_json() if event.attachment is not None else None


def attachment_summary(context: Turn, attachments: list[dict[str, str]]) -> str:
    _ = context._
    kinds = [a.get("kind") for a in attachments]
    labels = {
        "photo": _.ngettext("{n} photo", "{n} photos", kinds.count("photo")),
        "voice": _.ngettext("{n} voice note", "{n} voice notes", kinds.count("voice")),
        "document": _.ngettext("{n} document", "{n} documents", kinds.count("document")),
    }
    parts = [text for kind, text in labels.items() if kind in kinds]
    return ", ".join(parts)


def message_body(context: Turn, message: HelpMessage, limit: int | None = None) -> str:
    """A case message as one escaped line: its text (cut at ``limit`` before escaping,
    so never inside an entity) and what kind of file came with it."""
    text = message.text or ""
    if limit is not None and len(text) > limit:
        text = text[:limit].rstrip() + "…"
    parts = [escape(text)] if text else []
    if message.file_kind:
        parts.append(attachment_summary(context, [{"kind": message.file_kind}]))
    return " ".join(parts)


@step(DIALOG, "description")
async def ask_description(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    data = answers(context)
    has_some = bool(data.get("description") or data.get("attachments"))
    if has_some:
        text = _(
            "Received. You can send more (text, a photo of a document, a voice note), or "
            "continue to check your request."
        )
        rows = [[(_.pgettext("button", "Continue ▶️"), "hr:go")], *closing_rows(context)]
    else:
        text = _(
            "Tell us in your own words what happened: where, when, who is involved, what "
            "help is needed. You can also send a photo of a document or a voice note."
        )
        rows = closing_rows(context)
    await show(event, context, with_notice(notice, text), keyboard(rows))


def files_full(context: Turn, attachments: list[dict[str, str]]) -> str | None:
    """Why one more file cannot be added to a request being written (None: it can)."""
    limit = context.services.settings.max_files_per_request
    if len(attachments) < limit:
        return None
    return context._.ngettext(
        "⚠️ That file was not added: a request can have at most {n} file (photo, voice "
        "note, document) when it is sent. The one you sent is kept. Please continue; "
        "after sending the request you can add more in /status.",
        "⚠️ That file was not added: a request can have at most {n} files (photos, "
        "voice notes, documents) when it is sent. The {n} you sent are kept. Please "
        "continue; after sending the request you can add more in /status.",
        limit,
    )


def too_long(context: Turn, before: str, piece: str) -> str:
    _ = context._
    limit = context.services.settings.max_description_chars
    left = max(0, limit - len(before) - (2 if before else 0))  # 2: the blank line between
    return _(
        "⚠️ That message was not added: a description can have at most {limit} characters "
        "in all. It has {used} now ({left} more fit) and the message has {count}. Please "
        "send it shorter. What you sent before is kept; after sending the request you can "
        "add more in /status.",
        limit=_.number(limit),
        used=_.number(len(before)),
        left=_.number(left),
        count=_.number(len(piece)),
    )


async def typed_description(event: Event, context: Turn, text: str) -> None:
    # Several messages are joined, each kept whole; one that would pass the limit is
    # refused whole (and the person told), never cut.
    before = answers(context).get("description") or ""
    limit = context.services.settings.max_description_chars
    joined = cases.add_to_description(before, text, limit)
    if joined is None:
        await ask_description(event, context, too_long(context, before, text))
        return
    goto(context.user, "description", description=joined)
    await ask_description(event, context, None)


async def description_media(event: Event, context: Turn) -> None:
    _ = context._
    attachment = attachment_of(event)
    if attachment is None:
        notice = _("Here I can take text, a photo of a document or a voice note.")

        await reprompt(event, context, notice)
        return
    settings = context.services.settings
    attachments = list(answers(context).get("attachments") or [])
    if (refused := files_full(context, attachments)) is not None:
        await ask_description(event, context, refused)
        return
    attachments.append(attachment)
    changes: dict[str, Any] = {"attachments": attachments}
    if caption := event.caption:
        before = answers(context).get("description") or ""
        joined = cases.add_to_description(before, caption, settings.max_description_chars)
        if joined is None:  # the file with its caption, or nothing: never half of it
            await ask_description(event, context, too_long(context, before, caption))
            return
        changes["description"] = joined
    goto(context.user, "description", **changes)
    await ask_description(event, context, None)


step(DIALOG, "description", on_text=typed_description, on_media=description_media)(ask_description)


async def description_done(event: Event, context: Turn) -> None:
    data = answers(context)
    if not (data.get("description") or data.get("attachments")):
        await ask_description(event, context, context._("Please tell us what happened first."))
        return
    goto(context.user, "review", editing=False)
    await ask(event, context)


@at_step(DIALOG, "contacts", "description")
async def go_on(event: Event, context: Turn) -> None:
    """The Continue button of the contacts screen and of the description."""
    if in_step(context.user, DIALOG, "contacts"):
        await after_contacts(event, context)
    else:
        await description_done(event, context)
