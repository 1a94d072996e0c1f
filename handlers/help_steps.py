"""The help request's answers and rules, and its first questions: what happened (the
category), the emergency contacts, and for whom.

The dialog's way through its steps is described in :mod:`handlers.help_request`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from html import escape
from typing import Any

from bot.conversation import Event, Turn
from bot.services import help_requests as cases
from handlers.common import goto, step
from handlers.keyboards import keyboard
from handlers.navigation import ask, at_step, expired
from handlers.screen import button_value, show, with_notice

DIALOG = "help"
SELF_STEPS = ("country", "city", "employer")
FAMILY_STEPS = ("name", "relationship", "country", "city", "employer", "last_contact", "contact")
OPTIONAL = frozenset({"city", "employer", "last_contact", "contact"})
MAX_FIELD = 200
LABEL_MAX = 30  # visible characters of a button (bot.catalogs.MAX_LABEL)


def answers(context: Turn) -> dict[str, Any]:
    return dict(context.user.dialog_data or {})


def details_of(data: dict[str, Any]) -> tuple[str, ...]:
    return FAMILY_STEPS if data.get("for_whom") == "family" else SELF_STEPS


def _before_detail(data: dict[str, Any], name: str) -> str:
    steps = details_of(data)
    index = steps.index(name) if name in steps else 0
    return steps[index - 1] if index > 0 else "for_whom"


def _before_for_whom(data: dict[str, Any]) -> str:
    if data.get("editing"):
        return "review"
    return "contacts" if data.get("via_contacts") else "category"


# "« Back": the step before each step, along the way the person came (None: no Back).
# ``via_contacts``: the contacts screen came between the category and for_whom.
BACK: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "category": lambda data: "review" if data.get("editing") else None,
    "contacts": lambda data: "category",
    "for_whom": _before_for_whom,
    **{name: functools.partial(_before_detail, name=name) for name in FAMILY_STEPS},
    "description": lambda data: details_of(data)[-1],
}


def contacts_text(context: Turn) -> str:
    """The verified emergency contacts; numbers in plain text so phones make them tappable."""
    _ = context._
    lines = [_("<b>🚨 If someone is in danger now, call for help first:</b>")]
    for contact in context.services.help.contacts:
        parts = [f"<b>{escape(_(contact.name))}</b>"]
        if contact.number:
            parts.append(_("call {number}", number=contact.number))
        if contact.abroad:
            parts.append(_("from abroad {number}", number=contact.abroad))
        if contact.whatsapp:
            parts.append(_("WhatsApp {number}", number=contact.whatsapp))
        if contact.link:
            parts.append(contact.link)
        lines.append("• " + " · ".join(parts) + "\n  " + escape(_(contact.note)))
    return "\n".join(lines)


def too_many_open(context: Turn, *, urgent: bool) -> str:
    """Why no new request can be sent now (``MAX_OPEN_REQUESTS``); an urgent one gets the
    emergency contacts first: the limit must never stand between someone and help."""
    _ = context._
    text = _.ngettext(
        "You already have {n} open request: that is the most one person can have at a "
        "time. The officers are working on it. You can add information to it in /status; "
        "once it is solved, you can send a new request.",
        "You already have {n} open requests: that is the most one person can have at a "
        "time. The officers are working on them. You can add information to them in "
        "/status; once one of them is solved, you can send a new request.",
        context.services.settings.max_open_requests,
    )
    return f"{contacts_text(context)}\n\n{text}" if urgent else text


def my_requests_row(context: Turn) -> list[tuple[str, str]]:
    return [(context._.pgettext("button", "📨 My requests"), "hr:list")]


async def may_open(context: Turn) -> bool:
    limit = context.services.settings.max_open_requests
    return await cases.may_open(context.db, context.user.person_id, limit)


def menu_row(context: Turn) -> Any:
    return keyboard([[(context._.pgettext("button", "« Menu"), "menu:main")]])


def cancel_row(context: Turn) -> list[tuple[str, str]]:
    return [(context._.pgettext("button", "✖️ Cancel the request"), "hr:cancel")]


def closing_rows(context: Turn) -> list[list[tuple[str, str]]]:
    """The last rows of a question: « Back (where the step has a step before it), Cancel."""
    here = context.user.step or ""
    rule = BACK.get(here)
    rows = []
    if rule is not None and rule(answers(context)) is not None:
        rows.append([(context._.pgettext("button", "« Back"), f"hr:back:{here}")])
    rows.append(cancel_row(context))
    return rows


def so_far(context: Turn, answer: str) -> str:
    return context._("Your answer so far: <b>{answer}</b>", answer=escape(answer))


@step(DIALOG, "category")
async def ask_category(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    text = _("<b>🆘 Ask for help</b>\nWhat happened? Choose what fits best.")
    chosen = context.services.help.category(str(answers(context).get("category") or ""))
    if chosen is not None:  # came back (or editing): the answer given
        text += "\n\n" + so_far(context, _(chosen.label))
    rows = []
    if not answers(context).get("danger"):  # said already: the contacts were shown
        rows.append([(_.pgettext("button", "🚨 Someone is in danger now"), "hr:danger")])
    rows += [
        [(_(category.label), f"hr:cat:{category.id}")]
        for category in context.services.help.categories
    ]
    rows += closing_rows(context)
    await show(event, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "category")
async def danger(event: Event, context: Turn) -> None:
    """Danger now: the contacts first, then the request goes on (marked urgent)."""
    goto(context.user, "contacts", danger=True)
    await ask_contacts(event, context, None)


@at_step(DIALOG, "category")
async def chose_category(event: Event, context: Turn) -> None:
    category = context.services.help.category(button_value(event))
    if category is None:
        await expired(event, context)
        return
    data = answers(context)
    if (category.shows_contacts or data.get("danger")) and not data.get("contacts_seen"):
        goto(context.user, "contacts", category=category.id)
        await ask_contacts(event, context, None)
        return
    following = "review" if data.get("editing") else "for_whom"
    goto(context.user, following, category=category.id, via_contacts=False)
    await ask(event, context)


@step(DIALOG, "contacts")
async def ask_contacts(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    text = (
        contacts_text(context)
        + "\n\n"
        + _("When you are safe, continue: the village officers will get your request.")
    )
    rows = [[(_.pgettext("button", "Continue the request ▶️"), "hr:go")], *closing_rows(context)]
    await show(event, context, with_notice(notice, text), keyboard(rows))


async def after_contacts(event: Event, context: Turn) -> None:
    # "Danger now" chose no category yet; an urgent category already has one.
    data = answers(context)
    following = (
        "category" if "category" not in data else "review" if data.get("editing") else "for_whom"
    )
    goto(context.user, following, contacts_seen=True, via_contacts=following == "for_whom")
    await ask(event, context)


@step(DIALOG, "for_whom")
async def ask_for_whom(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    text = _("Who needs help?")
    labels = {
        "self": _.pgettext("button", "Me"),
        "family": _.pgettext("button", "A family member"),
    }
    if (who := answers(context).get("for_whom")) in labels:  # came back: the answer given
        text += "\n\n" + so_far(context, labels[who])
    rows = [[(label, f"hr:who:{key}")] for key, label in labels.items()]
    rows += closing_rows(context)
    await show(event, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "for_whom")
async def chose_for_whom(event: Event, context: Turn) -> None:
    who = button_value(event)
    if who not in ("self", "family"):
        await expired(event, context)
        return
    steps = SELF_STEPS if who == "self" else FAMILY_STEPS
    if who == answers(context).get("for_whom"):  # back and forward again: answers kept
        goto(context.user, steps[0])
    else:
        goto(context.user, steps[0], for_whom=who, subject={}, last_contact_range=None)
    await ask(event, context)
