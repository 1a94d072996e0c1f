"""Cloud API payloads: a screen (text and choices, laid out by
:func:`bot.channels.layout.lay_out` for WhatsApp's limits) and templates.

WhatsApp shows no inline links on buttons beside reply buttons, so a screen's links go
into its text, one per line. WhatsApp cannot edit a sent message either: every screen
is a new message."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.channels.layout import WHATSAPP, Keyboard, ListPage, lay_out
from bot.conversation.choices import Choice


def text(to: str, body: str) -> dict[str, Any]:
    return message(to, "text", {"body": body, "preview_url": False})


def screen(
    to: str,
    body: str,
    choices: Sequence[Choice] = (),
    *,
    page: int = 0,
    open_label: str = "",
    more: str = "",
    back: str = "",
) -> dict[str, Any]:
    """``body`` with its ``choices`` as reply buttons or a list (page ``page``); the
    labels ``open_label``, ``more`` and ``back`` are the screen's words, translated."""
    links = [c for c in choices if c.url]
    if links:
        body = "\n".join([body, *(f"{c.label}: {c.url}" for c in links)])
    options = [c for c in choices if not c.url]
    if not options:
        return text(to, body)
    shown = lay_out(options, WHATSAPP, page=page, open_label=open_label, more=more, back=back)
    return message(to, "interactive", interactive(body, shown))


def interactive(body: str, shown: Keyboard | ListPage) -> dict[str, Any]:
    if isinstance(shown, Keyboard):
        buttons = [
            {"type": "reply", "reply": {"id": c.id, "title": c.label}} for c in shown.rows[0]
        ]
        return {"type": "button", "body": {"text": body}, "action": {"buttons": buttons}}
    rows = []
    for row in shown.rows:
        item = {"id": row.id, "title": row.title}
        if row.description:
            item["description"] = row.description
        rows.append(item)
    return {
        "type": "list",
        "body": {"text": body},
        # One section: Meta wants section titles only when there are several.
        "action": {"button": shown.button, "sections": [{"rows": rows}]},
    }


def template(
    to: str, name: str, language: str, parameters: Sequence[str] = (), *, payload: str = ""
) -> dict[str, Any]:
    """An approved template ``name`` in ``language`` (Meta's code: ``id``, ``en``) with
    its body ``parameters``; ``payload``: the id its quick-reply button sends back."""
    components: list[dict[str, Any]] = []
    if parameters:
        components.append(
            {"type": "body", "parameters": [{"type": "text", "text": p} for p in parameters]}
        )
    if payload:
        components.append(
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": "0",
                "parameters": [{"type": "payload", "payload": payload}],
            }
        )
    content: dict[str, Any] = {"name": name, "language": {"code": language}}
    if components:
        content["components"] = components
    return message(to, "template", content)


def message(to: str, kind: str, content: dict[str, Any]) -> dict[str, Any]:
    """One message to ``to`` of ``kind`` (text, interactive, template) with its content."""
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": kind,
        kind: content,
    }
