"""A case's history (every action, by whom) and its full text, paged, files included."""

from __future__ import annotations

from html import escape
from typing import Any

from bot import case_text, text_pages
from bot.conversation import Event, Turn
from bot.services import help_requests as cases
from bot.services.erasure import FORMER_OFFICER
from bot.text_pages import Entry
from handlers import whois
from handlers.case_page import show_case
from handlers.case_queue import case_in_scope
from handlers.common import user_update
from handlers.help_description import attachment_summary
from handlers.keyboards import keyboard
from handlers.navigation import expired
from handlers.screen import (
    button_number,
)
from storage.models import HelpRequest

# --- history and full text -----------------------------------------------------------------


@user_update
async def history(event: Event, context: Turn) -> None:
    _ = context._
    case = await case_in_scope(context, button_number(event, 2))
    if case is None:
        await expired(event, context)
        return
    messages, events = await cases.history(context.db, case.id)
    named = [e.actor_id for e in events] + [
        e.detail.get(key) for e in events for key in ("after", "officer")
    ]
    known = await whois.addresses(context, [p for p in named if isinstance(p, int)])
    entries = [
        Entry(
            f"{_.datetime(event.at)} · {_actor(context, event.actor_id, case, known)} · ",
            _action_label(context, event.action, event.detail, known),
        )
        for event in events
    ]
    authors = {
        "requester": _("Requester"),
        "officer": _("Officer → requester"),
        "note": _("Internal note"),
    }
    if messages:
        entries.append(Entry("\n" + _("<b>Messages</b>")))
    for message in messages:
        author = authors.get(message.author, message.author)
        kind = message.file_kind
        file = escape(attachment_summary(context, [{"kind": kind}])) if kind else ""
        after = f" {file}" if file and message.text else file
        entries.append(
            Entry(
                f"{_.datetime(message.created_at)} · <b>{author}</b>: ", message.text or "", after
            )
        )
    title = _("<b>History of {reference}</b>", reference=case.reference)
    pages = text_pages.pages(entries, title=title)
    page = button_number(event, 3)
    if page >= len(pages):  # forged, or the history lost entries since (erased data)
        await expired(event, context)
        return
    await _send_page(
        event, context, case, "h", [("text", m) for m in pages[page]], page, len(pages)
    )


def _actor(context: Turn, actor_id: int | None, case: HelpRequest, known: dict[int, str]) -> str:
    _ = context._
    if actor_id is None:
        return _("the bot")
    if actor_id == FORMER_OFFICER:
        return _("former officer")
    if actor_id == case.requester_id:
        return _("requester")
    return f"<code>{known.get(actor_id, whois.UNKNOWN)}</code>"


def _action_label(
    context: Turn, action: str, detail: dict[str, Any], known: dict[int, str]
) -> str:
    _ = context._
    status = case_text.officer_status
    labels = {
        "created": _("request sent"),
        "status": _(
            "status: {before} → {after}",
            before=status(_, str(detail.get("before"))),
            after=status(_, str(detail.get("after"))),
        )
        + _outcome_label(context, detail),
        "reopened": _("reopened"),
        "reassigned": _(
            "reassigned to {id}", id=known.get(detail.get("after") or 0, whois.UNKNOWN)
        )
        if detail.get("after") != FORMER_OFFICER
        else _("reassigned to a former officer"),
        "released": _("back in the queue: the officer who held it no longer covers it"),
        "escalated": _("escalated to the district: {reason}", reason=detail.get("reason", ""))
        if "hours" not in detail
        else _(
            "escalated to the district: nobody claimed it within {hours} hours",
            hours=detail["hours"],
        ),
        "message": _("message"),
        "note": _("internal note"),
        "unreachable": _("requester blocked the bot"),
        "linked": _("linked with request no. {id}", id=detail.get("other")),
        "link_asked": _("link with request no. {id} asked", id=detail.get("other")),
        "link_requested": _("link with request no. {id} asked", id=detail.get("other")),
        "link_declined": _("link with request no. {id} declined", id=detail.get("other")),
        "no_contact": _("the migrant asked not to be contacted in this chat"),
        "unrouted": _("no officer could be reached"),
        "routed": _(
            "sent to the newly granted officer {id}",
            id=known.get(detail.get("officer") or 0, whois.UNKNOWN),
        ),
    }
    return labels.get(action, action)


def _outcome_label(context: Turn, detail: dict[str, Any]) -> str:
    """`` · outcome: …`` after a status change that resolved the case (plain text: the
    history escapes it)."""
    _ = context._
    if words := detail.get("outcome_text"):
        return " · " + _("outcome (typed): {text}", text=words)
    if outcome_id := detail.get("outcome"):
        found = context.services.help.outcome(str(outcome_id))
        return " · " + _("outcome: {text}", text=_(found.text) if found else outcome_id)
    return ""


@user_update
async def full_text(event: Event, context: Turn) -> None:
    """The whole description, split into messages, and every file as it was sent."""
    _ = context._
    case = await case_in_scope(context, button_number(event, 2))
    if case is None:
        await expired(event, context)
        return
    header = _("<b>{reference}: what happened</b>", reference=case.reference)
    pieces = [
        ("text", f"{header}\n{escape(piece)}") for piece in text_pages.cut(case.description or "–")
    ]
    messages, _events = await cases.history(context.db, case.id)
    files = [*(case.attachments or [])] + [
        {"kind": m.file_kind, "file_id": m.file_id} for m in messages if m.file_id and m.file_kind
    ]
    pieces += [
        (str(file["kind"]), str(file.get("file_id")))
        for file in files
        if file.get("kind") in ("photo", "voice", "document")
    ]
    per_page = text_pages.PER_PRESS
    page, pages = button_number(event, 3), text_pages.page_count(len(pieces), per_page)
    if page >= pages:  # forged
        await expired(event, context)
        return
    shown = pieces[page * per_page : (page + 1) * per_page]
    await _send_page(event, context, case, "f", shown, page, pages)


async def _send_page(
    event: Event,
    context: Turn,
    case: HelpRequest,
    action: str,
    pieces: list[tuple[str, str]],
    page: int,
    pages: int,
) -> None:
    """One page of the full text (``f``) or the history (``h``): at most
    :data:`text_pages.PER_PRESS` messages (``("text", html)`` or ``(file kind, file id)``),
    the last with a More button while pages remain; after the last page, the case page."""
    _ = context._
    chat = event.chat
    pressed = event.pressed
    if (
        pressed is not None and pressed.message_id is not None and page > 0
    ):  # only a More button asks for a later page
        context.replies.remove_buttons(chat, pressed.message_id)  # so old ones go away
    more = None
    if page + 1 < pages:
        label = _.pgettext("button", "More ▶️ ({page}/{pages})", page=page + 2, pages=pages)
        more = keyboard(
            [
                [(label, f"cs:{action}:{case.id}:{page + 1}")],
                [(_.pgettext("button", "« Back to the case"), f"cs:v:{case.id}")],
            ]
        )
    for number, (kind, content) in enumerate(pieces, start=1):
        markup = more if number == len(pieces) else None
        if kind == "text":
            context.replies.send(chat, content, markup)
        else:
            context.replies.send_file(kind, chat, content, case.reference, markup)  # type: ignore[arg-type]
    if more is None:
        context.reply_as_new = True
        await show_case(event, context, case)
