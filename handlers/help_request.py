"""``/tolong`` (menu: 🆘 Ask for help): a request for help becomes a case for the officers.

Dialog ``help``::

    category ─(urgent, or contacts first)─▶ contacts ─▶ for_whom ─▶ [family: name ▶
      relationship] ▶ country ▶ city ▶ employer ▶ [family: last_contact ▶ contact] ▶
      description ▶ review ▶ Send

``country`` first offers "in Indonesia, not left yet" and "in a holding house
(penampungan)" (asked as "Where are you now?" for a problem before departure);
``subject["where"]`` keeps that as an id instead of a country, worded in the reader's
language when shown (:mod:`bot.case_text`); the city is then asked in Indonesia.

"« Back" (``hr:back:<step>``) goes one step back along the way the person came
(:data:`BACK`), every answer kept: a question that has an answer shows it and offers to
keep it. In editing mode (✏️ Edit at the review) the step the edit began at leads back
to the review.

``last_contact`` offers ranges as buttons (``help.yaml``) or takes the person's own words;
a range past ``lost_contact_urgent_after`` makes a "lost contact" request urgent.

Every answer is kept in ``users.dialog_data`` as it is given, so a restart loses nothing.
On Send the case, the officers' notices and its deadlines are committed before the
person sees their reference number. Emergency contacts are shown before any urgent
request, and to everyone (also without consent) from the menu.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from html import escape
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import case_text
from bot.context import BotContext, Services
from bot.services import case_alerts, profiles
from bot.services import help_requests as cases
from handlers.common import (
    Handlers,
    Prompt,
    answer_query,
    at_step,
    begin,
    button_value,
    end,
    goto,
    in_step,
    show,
    step,
    user_update,
    with_notice,
)
from handlers.keyboards import keyboard
from storage.models import HelpMessage, HelpRequest

log = logging.getLogger("desmigratif.cases")

DIALOG = "help"
SELF_STEPS = ("country", "city", "employer")
FAMILY_STEPS = ("name", "relationship", "country", "city", "employer", "last_contact", "contact")
OPTIONAL = frozenset({"city", "employer", "last_contact", "contact"})
MAX_FIELD = 200
LABEL_MAX = 30  # visible characters of a button (bot.catalogs.MAX_LABEL)


def _data(context: BotContext) -> dict[str, Any]:
    return dict(context.user.dialog_data or {})


def _details(data: dict[str, Any]) -> tuple[str, ...]:
    return FAMILY_STEPS if data.get("for_whom") == "family" else SELF_STEPS


def _before_detail(data: dict[str, Any], name: str) -> str:
    steps = _details(data)
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
    "description": lambda data: _details(data)[-1],
}


def contacts_text(context: BotContext) -> str:
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


def too_many_open(context: BotContext, *, urgent: bool) -> str:
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


def _my_requests_row(context: BotContext) -> list[tuple[str, str]]:
    return [(context._.pgettext("button", "📨 My requests"), "hr:list")]


async def _may_open(context: BotContext) -> bool:
    limit = context.services.settings.max_open_requests
    return await cases.may_open(context.db, context.user.telegram_id, limit)


# --- start -------------------------------------------------------------------------------


@user_update
async def start(update: Update, context: BotContext) -> None:
    """Starts a new request (``/tolong``, the menu, a job check's result)."""
    _ = context._
    if not profiles.has_consent(context.user):
        from handlers.stale import reprompt

        notice = _(
            "To send a request to the officers you need to agree to data processing first "
            "(/start). The emergency contacts below are for everyone."
        )
        if not profiles.is_registered(context.user):
            await reprompt(update, context, with_notice(notice, contacts_text(context)))
            return
        await show(
            update, context, with_notice(notice, contacts_text(context)), _menu_row(context)
        )
        return
    if not await _may_open(context):
        rows = [
            _my_requests_row(context),
            [(_.pgettext("menu", "🚨 Emergency contacts"), "hr:sos")],
            [(_.pgettext("button", "« Menu"), "menu:main")],
        ]
        await show(update, context, too_many_open(context, urgent=False), keyboard(rows))
        return
    from handlers.help_draft import offer

    if await offer(update, context, {}):  # an unsent request: continue it or start again
        return
    begin(context.user, DIALOG, "category")
    await ask_category(update, context, None)


@user_update
async def emergency_contacts(update: Update, context: BotContext) -> None:
    """The contacts alone (menu button, also for people who declined data processing)."""
    await show(update, context, contacts_text(context), _menu_row(context))


def _menu_row(context: BotContext) -> Any:
    return keyboard([[(context._.pgettext("button", "« Menu"), "menu:main")]])


def _cancel_row(context: BotContext) -> list[tuple[str, str]]:
    return [(context._.pgettext("button", "✖️ Cancel the request"), "hr:cancel")]


def _closing_rows(context: BotContext) -> list[list[tuple[str, str]]]:
    """The last rows of a question: « Back (where the step has a step before it), Cancel."""
    here = context.user.step or ""
    rule = BACK.get(here)
    rows = []
    if rule is not None and rule(_data(context)) is not None:
        rows.append([(context._.pgettext("button", "« Back"), f"hr:back:{here}")])
    rows.append(_cancel_row(context))
    return rows


@step(DIALOG, "category")
async def ask_category(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    text = _("<b>🆘 Ask for help</b>\nWhat happened? Choose what fits best.")
    chosen = context.services.help.category(str(_data(context).get("category") or ""))
    if chosen is not None:  # came back (or editing): the answer given
        text += "\n\n" + _so_far(context, _(chosen.label))
    rows = []
    if not _data(context).get("danger"):  # said already: the contacts were shown
        rows.append([(_.pgettext("button", "🚨 Someone is in danger now"), "hr:danger")])
    rows += [
        [(_(category.label), f"hr:cat:{category.id}")]
        for category in context.services.help.categories
    ]
    rows += _closing_rows(context)
    await show(update, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "category")
async def danger(update: Update, context: BotContext) -> None:
    """Danger now: the contacts first, then the request goes on (marked urgent)."""
    goto(context.user, "contacts", danger=True)
    await ask_contacts(update, context, None)


@at_step(DIALOG, "category")
async def chose_category(update: Update, context: BotContext) -> None:
    category = context.services.help.category(button_value(update))
    if category is None:
        from handlers.stale import expired

        await expired(update, context)
        return
    data = _data(context)
    if (category.shows_contacts or data.get("danger")) and not data.get("contacts_seen"):
        goto(context.user, "contacts", category=category.id)
        await ask_contacts(update, context, None)
        return
    following = "review" if data.get("editing") else "for_whom"
    goto(context.user, following, category=category.id, via_contacts=False)
    await STEP_PROMPTS[following](update, context, None)


@step(DIALOG, "contacts")
async def ask_contacts(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    text = (
        contacts_text(context)
        + "\n\n"
        + _("When you are safe, continue: the village officers will get your request.")
    )
    rows = [[(_.pgettext("button", "Continue the request ▶️"), "hr:go")], *_closing_rows(context)]
    await show(update, context, with_notice(notice, text), keyboard(rows))


async def after_contacts(update: Update, context: BotContext) -> None:
    # "Danger now" chose no category yet; an urgent category already has one.
    data = _data(context)
    following = (
        "category" if "category" not in data else "review" if data.get("editing") else "for_whom"
    )
    goto(context.user, following, contacts_seen=True, via_contacts=following == "for_whom")
    await STEP_PROMPTS[following](update, context, None)


@step(DIALOG, "for_whom")
async def ask_for_whom(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    text = _("Who needs help?")
    labels = {
        "self": _.pgettext("button", "Me"),
        "family": _.pgettext("button", "A family member"),
    }
    if (who := _data(context).get("for_whom")) in labels:  # came back: the answer given
        text += "\n\n" + _so_far(context, labels[who])
    rows = [[(label, f"hr:who:{key}")] for key, label in labels.items()]
    rows += _closing_rows(context)
    await show(update, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "for_whom")
async def chose_for_whom(update: Update, context: BotContext) -> None:
    who = button_value(update)
    if who not in ("self", "family"):
        from handlers.stale import expired

        await expired(update, context)
        return
    steps = SELF_STEPS if who == "self" else FAMILY_STEPS
    if who == _data(context).get("for_whom"):  # back and forward again: answers kept
        goto(context.user, steps[0])
    else:
        goto(context.user, steps[0], for_whom=who, subject={}, last_contact_range=None)
    await STEP_PROMPTS[steps[0]](update, context, None)


# --- details about the person who needs help --------------------------------------------


def _questions(context: BotContext) -> dict[str, str]:
    _ = context._
    data = _data(context)
    family = data.get("for_whom") == "family"
    subject = data.get("subject") or {}
    if data.get("category") == "pre_departure":  # maybe not abroad at all
        country = _("Where are they now?") if family else _("Where are you now?")
    else:
        country = (
            _("In which country are they now?") if family else _("In which country are you now?")
        )
    return {
        "name": _("What is the name of your family member who needs help?"),
        "relationship": _("{name} is my …", name=escape(subject.get("name") or "–")),
        "country": country,
        "city": _("In which city or district in Indonesia?")
        if subject.get("where")
        else _("In which city or area?"),
        "employer": _(
            "The name of the employer or the licensed placement agency (P3MI), if you know it:"
        ),
        "last_contact": _(
            "When did you last hear from them? Choose, or type it in your own words (for "
            "example: 3 weeks ago, by WhatsApp)."
        ),
        "contact": _(
            "Their phone or WhatsApp number, if you have it. Only the officers handling the "
            "request see it."
        ),
    }


def _next_step(context: BotContext, current: str) -> str:
    data = _data(context)
    steps = FAMILY_STEPS if data.get("for_whom") == "family" else SELF_STEPS
    index = steps.index(current)
    if index + 1 < len(steps):
        return steps[index + 1]
    return "review" if data.get("editing") else "description"


async def _ask_field(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    name = context.user.step or "name"
    text = _questions(context)[name]
    rows: list[list[tuple[str, str]]] = []
    if name == "relationship":
        rows += [
            [(label, f"hr:rel:{key}")] for key, label in case_text.relationship_labels(_).items()
        ]
    if name == "country":  # in Indonesia (not left yet, a holding house), then abroad
        rows += [[(words, f"hr:where:{key}")] for key, words in case_text.where_labels(_).items()]
        countries = context.services.checklist.countries.values()
        rows += [[(_(country.name), f"hr:cty:{country.id}")] for country in countries]
        text += "\n" + _("Or type the name of the country.")
    if name == "last_contact":
        ranges = context.services.help.last_contact_ranges
        rows += [[(_(r.label), f"hr:lc:{r.id}")] for r in ranges]
    if name in OPTIONAL:
        rows.append([(_.pgettext("button", "Skip ⏭"), "hr:skip")])
    if (kept := _kept(context, name)) is not None:  # came back: the answer given, kept
        text += "\n\n" + _so_far(context, kept)
        keep = _.pgettext("button", "Keep: {answer} ▶️", answer=kept)
        if len(keep.replace("\ufe0f", "")) > LABEL_MAX:  # never cut: it is shown above
            keep = _.pgettext("button", "Keep this answer ▶️")
        rows.insert(0, [(keep, "hr:keep")])
    rows += _closing_rows(context)
    await show(update, context, with_notice(notice, text), keyboard(rows))


def _so_far(context: BotContext, answer: str) -> str:
    return context._("Your answer so far: <b>{answer}</b>", answer=escape(answer))


def _kept(context: BotContext, name: str) -> str | None:
    """The answer already given to question ``name``, as the person reads it."""
    _ = context._
    subject: dict[str, str] = _data(context).get("subject") or {}
    if name == "country" and (where := subject.get("where")):
        return case_text.where_labels(_).get(where, where)
    value = subject.get(name)
    if value is None:
        return None
    if name == "relationship":
        return case_text.relationship_labels(_).get(value, value)
    return value


async def _store_field(
    update: Update,
    context: BotContext,
    value: str | None,
    *,
    where: str | None = None,
    **changes: Any,
) -> None:
    name = context.user.step or ""
    subject = dict(_data(context).get("subject") or {})
    if value is None:
        subject.pop(name, None)
    else:
        subject[name] = value
    if name == "country":  # a place in Indonesia or a country abroad, never both
        subject.pop("where", None)
        if where is not None:
            subject["where"] = where
    if name == "last_contact":  # a range only when it was chosen (not typed or skipped)
        changes.setdefault("last_contact_range", None)
    following = _next_step(context, name)
    goto(context.user, following, subject=subject, **changes)
    await STEP_PROMPTS[following](update, context, None)


async def typed_field(update: Update, context: BotContext, text: str) -> None:
    _ = context._
    value = " ".join(text.split())
    name = context.user.step or ""
    if name == "relationship":
        await _ask_field(update, context, _("Please choose one of the buttons."))
        return
    if len(value) > MAX_FIELD:
        notice = _(
            "That is too long for this question ({count} characters; at most {limit}). "
            "You can tell everything in the description later.",
            count=len(value),
            limit=MAX_FIELD,
        )
        await _ask_field(update, context, notice)
        return
    # ASCII digits only: "²" and Arabic-Indic digits pass isdigit() but dial nothing.
    if name == "contact" and not 7 <= sum(ch in "0123456789" for ch in value) <= 15:
        notice = _(
            "That does not look like a phone number. Example: 0812 3456 7890 or +60 12 345 6789"
        )
        await _ask_field(update, context, notice)
        return
    await _store_field(update, context, value)


for _name in FAMILY_STEPS:
    step(DIALOG, _name, on_text=typed_field)(_ask_field)


@at_step(DIALOG, *FAMILY_STEPS)
async def field_button(update: Update, context: BotContext) -> None:
    """Relationship, country (or where in Indonesia) and last-contact buttons, Skip on
    optional questions, and Keep on a question answered before."""
    from handlers.stale import expired

    _ = context._
    data = (update.callback_query.data or "") if update.callback_query else ""
    name = context.user.step or ""
    value = button_value(update)
    if data == "hr:skip" and name in OPTIONAL:
        await _store_field(update, context, None)
    elif data == "hr:keep" and _kept(context, name) is not None:
        following = _next_step(context, name)
        goto(context.user, following)
        await STEP_PROMPTS[following](update, context, None)
    elif data.startswith("hr:where:") and name == "country":
        if value not in case_text.where_labels(_):
            await expired(update, context)
            return
        await _store_field(update, context, None, where=value)
    elif data.startswith("hr:rel:") and name == "relationship":
        if value not in case_text.relationship_labels(_):
            await expired(update, context)
            return
        await _store_field(update, context, value)
    elif data.startswith("hr:cty:") and name == "country":
        country = context.services.checklist.countries.get(value)
        if country is None:
            await expired(update, context)
            return
        await _store_field(update, context, _(country.name))
    elif data.startswith("hr:lc:") and name == "last_contact":
        chosen = context.services.help.last_contact_range(value)
        if chosen is None:
            await expired(update, context)
            return
        await _store_field(update, context, _(chosen.label), last_contact_range=chosen.id)
    else:
        await expired(update, context)


# --- description ---------------------------------------------------------------------------


def attachment_of(update: Update) -> dict[str, str] | None:
    message = update.effective_message
    if message is None:
        return None
    if message.photo:
        return {"kind": "photo", "file_id": message.photo[-1].file_id}
    if message.voice:
        return {"kind": "voice", "file_id": message.voice.file_id}
    if message.document:
        return {"kind": "document", "file_id": message.document.file_id}
    return None


def attachment_summary(context: BotContext, attachments: list[dict[str, str]]) -> str:
    _ = context._
    kinds = [a.get("kind") for a in attachments]
    labels = {
        "photo": _.ngettext("{n} photo", "{n} photos", kinds.count("photo")),
        "voice": _.ngettext("{n} voice note", "{n} voice notes", kinds.count("voice")),
        "document": _.ngettext("{n} document", "{n} documents", kinds.count("document")),
    }
    parts = [text for kind, text in labels.items() if kind in kinds]
    return ", ".join(parts)


def message_body(context: BotContext, message: HelpMessage, limit: int | None = None) -> str:
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
async def ask_description(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    data = _data(context)
    has_some = bool(data.get("description") or data.get("attachments"))
    if has_some:
        text = _(
            "Received. You can send more (text, a photo of a document, a voice note), or "
            "continue to check your request."
        )
        rows = [[(_.pgettext("button", "Continue ▶️"), "hr:go")], *_closing_rows(context)]
    else:
        text = _(
            "Tell us in your own words what happened: where, when, who is involved, what "
            "help is needed. You can also send a photo of a document or a voice note."
        )
        rows = _closing_rows(context)
    await show(update, context, with_notice(notice, text), keyboard(rows))


def files_full(context: BotContext, attachments: list[dict[str, str]]) -> str | None:
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


def _too_long(context: BotContext, before: str, piece: str) -> str:
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


async def typed_description(update: Update, context: BotContext, text: str) -> None:
    # Several messages are joined, each kept whole; one that would pass the limit is
    # refused whole (and the person told), never cut.
    before = _data(context).get("description") or ""
    limit = context.services.settings.max_description_chars
    joined = cases.add_to_description(before, text, limit)
    if joined is None:
        await ask_description(update, context, _too_long(context, before, text))
        return
    goto(context.user, "description", description=joined)
    await ask_description(update, context, None)


async def description_media(update: Update, context: BotContext) -> None:
    _ = context._
    attachment = attachment_of(update)
    if attachment is None:
        notice = _("Here I can take text, a photo of a document or a voice note.")
        from handlers.stale import reprompt

        await reprompt(update, context, notice)
        return
    settings = context.services.settings
    attachments = list(_data(context).get("attachments") or [])
    if (refused := files_full(context, attachments)) is not None:
        await ask_description(update, context, refused)
        return
    attachments.append(attachment)
    changes: dict[str, Any] = {"attachments": attachments}
    message = update.effective_message
    if message is not None and message.caption:
        before = _data(context).get("description") or ""
        joined = cases.add_to_description(before, message.caption, settings.max_description_chars)
        if joined is None:  # the file with its caption, or nothing: never half of it
            await ask_description(update, context, _too_long(context, before, message.caption))
            return
        changes["description"] = joined
    goto(context.user, "description", **changes)
    await ask_description(update, context, None)


step(DIALOG, "description", on_text=typed_description, on_media=description_media)(ask_description)


async def description_done(update: Update, context: BotContext) -> None:
    data = _data(context)
    if not (data.get("description") or data.get("attachments")):
        await ask_description(update, context, context._("Please tell us what happened first."))
        return
    goto(context.user, "review", editing=False)
    await ask_review(update, context, None)


@at_step(DIALOG, "contacts", "description")
async def go_on(update: Update, context: BotContext) -> None:
    """The Continue button of the contacts screen and of the description."""
    if in_step(context.user, DIALOG, "contacts"):
        await after_contacts(update, context)
    else:
        await description_done(update, context)


# --- review, edit, send ------------------------------------------------------------------


def _draft(context: BotContext) -> cases.Draft:
    data = _data(context)
    category = str(data.get("category") or "other")
    last_contact = data.get("last_contact_range") if data.get("for_whom") == "family" else None
    return cases.Draft(
        category=category,
        for_whom=str(data.get("for_whom") or "self"),
        description=str(data.get("description") or ""),
        danger_now=bool(data.get("danger")),
        subject={k: str(v) for k, v in (data.get("subject") or {}).items()} or None,
        attachments=tuple(data.get("attachments") or ()),
        urgent_by_content=context.services.help.lost_contact_urgent(category, last_contact),
    )


async def ask_review(
    update: Update, context: BotContext, notice: str | None, *, refused: bool = False
) -> None:
    _ = context._
    services = context.services
    draft = _draft(context)
    lines = [_("<b>Please check your request</b>")]
    urgent = " · " + _("🚨 URGENT") if draft.urgent else ""
    lines.append(case_text.category(_, services, draft.category) + urgent)
    if draft.for_whom == "self":
        lines.append(_("For: me"))
    else:
        lines.append(_("For: a family member"))
    lines += case_text.subject_lines(_, draft.subject, phones=True)
    description = draft.description
    if description:
        shown = case_text.summary(description, case_text.DESCRIPTION_ON_PAGE)
        lines.append(_("What happened: {text}", text=shown))
        if case_text.cut(description, case_text.DESCRIPTION_ON_PAGE) != description:
            lines.append(
                _("({count} characters in all: everything is sent)", count=len(description))
            )
    if draft.attachments:
        lines.append(
            _("Files: {files}", files=attachment_summary(context, list(draft.attachments)))
        )
    rows = [
        [(_.pgettext("button", "✅ Send to the officers"), "hr:send")],
        [(_.pgettext("button", "✏️ Edit"), "hr:edit")],
        _cancel_row(context),
    ]
    if refused:  # too many open requests: their requests first; the draft stays
        rows.insert(0, _my_requests_row(context))
    await show(update, context, with_notice(notice, "\n".join(lines)), keyboard(rows))


step(DIALOG, "review")(ask_review)  # typed text and files: handlers/help_draft.py


@step(DIALOG, "edit")
async def ask_edit(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    rows = [
        [(_.pgettext("button", "What happened (category)"), "hr:ed:category")],
        [(_.pgettext("button", "Who needs help (details)"), "hr:ed:subject")],
        [(_.pgettext("button", "The description (rewrite it)"), "hr:ed:description")],
        [(_.pgettext("button", "« Back to the request"), "hr:ed:review")],
    ]
    await show(
        update, context, with_notice(notice, _("What do you want to change?")), keyboard(rows)
    )


@at_step(DIALOG, "review")
async def edit(update: Update, context: BotContext) -> None:
    goto(context.user, "edit")
    await ask_edit(update, context, None)


@at_step(DIALOG, "edit")
async def edit_part(update: Update, context: BotContext) -> None:
    part = button_value(update)
    if part == "category":
        goto(context.user, "category", editing=True)
        await ask_category(update, context, None)
    elif part == "subject":
        goto(context.user, "for_whom", editing=True)
        await ask_for_whom(update, context, None)
    elif part == "description":
        goto(context.user, "description", description="", attachments=[], editing=False)
        await ask_description(update, context, None)
    else:
        goto(context.user, "review", editing=False)
        await ask_review(update, context, None)


@at_step(DIALOG, "review")
async def send(update: Update, context: BotContext) -> None:
    """Stores the case, its notices and deadlines, commits, and only then answers."""
    _ = context._
    services = context.services
    now = services.clock.now()
    user = context.user
    draft = _draft(context)
    # Checked again here: an officer (or the person, from an old message) may have
    # reopened a request while this one was being written.
    if not await _may_open(context):
        notice = too_many_open(context, urgent=draft.urgent)
        await ask_review(update, context, notice, refused=True)
        return
    case = await cases.create(
        context.db,
        requester_id=user.telegram_id,
        village_id=user.village_id,
        draft=draft,
        now=now,
    )
    reached = await case_alerts.alert_officers(
        context.db,
        services.villages,
        case,
        "new",
        admin_ids=services.settings.admin_ids,
        groups=services.settings.officer_groups,
        now=now,
    )
    deadlines = services.help.deadlines
    await case_alerts.plan_new(
        context.db,
        case,
        urgent_realert=deadlines.urgent_realert,
        urgent_escalate=deadlines.urgent_escalate,
        normal_escalate=deadlines.normal_escalate,
        now=now,
    )
    end(user, finished=True)
    cases.drop_draft(user)
    rows = [_my_requests_row(context), [(_.pgettext("button", "« Menu"), "menu:main")]]
    # The reference number is shown only after the case is committed (commit, then
    # talk). If Telegram keeps failing, the delivery engine retries the confirmation
    # with its backoff.
    text = case_text.saved(_, case, reached=bool(reached))
    if not reached:  # nobody was told: the emergency contacts too
        text += "\n\n" + contacts_text(context)
    await show(
        update,
        context,
        text,
        keyboard(rows),
        if_lost=functools.partial(_confirm_later, services, case.id, reached=bool(reached)),
    )


async def _confirm_later(services: Services, case_id: int, *, reached: bool) -> None:
    log.warning("confirmation of case %s failed; queued for delivery", case_id)
    async with services.sessions() as session, session.begin():
        case = await session.get(HelpRequest, case_id)
        if case is not None:  # the same truth as the lost answer: who was told, or nobody
            await case_alerts.notify(
                session, case, "created", requester=True, now=services.clock.now(), reached=reached
            )


STEP_PROMPTS: dict[str, Prompt] = {
    **dict.fromkeys(FAMILY_STEPS, _ask_field),
    "category": ask_category,
    "contacts": ask_contacts,
    "for_whom": ask_for_whom,
    "description": ask_description,
    "review": ask_review,
}


@user_update
async def back(update: Update, context: BotContext) -> None:
    """« Back: one step back (:data:`BACK`), every answer kept. Pressed on an old message
    (the person is at another step now), it has expired like any stale button."""
    here = button_value(update)
    rule = BACK.get(here)
    previous = rule(_data(context)) if rule and in_step(context.user, DIALOG, here) else None
    if previous is None:
        from handlers.stale import expired

        await expired(update, context)
        return
    goto(context.user, previous, **({"editing": False} if previous == "review" else {}))
    await STEP_PROMPTS[previous](update, context, None)


@user_update
async def cancel(update: Update, context: BotContext) -> None:
    from handlers.menu import main_menu

    if not in_step(context.user, DIALOG):
        from handlers.stale import expired

        await expired(update, context)
        return
    from handlers.help_draft import leave_prompt

    if await leave_prompt(update, context):  # something written: send, keep or discard?
        return
    end(context.user)
    await answer_query(update, context, context._("Request cancelled."))
    await main_menu(
        update, context, notice=context._("The request was cancelled; nothing was sent.")
    )


HANDLERS: Handlers = [
    CommandHandler("tolong", start, filters=filters.ChatType.PRIVATE),
    CallbackQueryHandler(start, pattern=r"^hr:new$"),
    CallbackQueryHandler(emergency_contacts, pattern=r"^hr:sos$"),
    CallbackQueryHandler(danger, pattern=r"^hr:danger$"),
    CallbackQueryHandler(chose_category, pattern=r"^hr:cat:[a-z_]{1,24}$"),
    CallbackQueryHandler(go_on, pattern=r"^hr:go$"),
    CallbackQueryHandler(chose_for_whom, pattern=r"^hr:who:[a-z]{1,8}$"),
    CallbackQueryHandler(
        field_button,
        pattern=r"^hr:(skip|keep|rel:[a-z]{1,10}|cty:[a-z0-9-]{1,24}|where:[a-z]{1,12}"
        r"|lc:[a-z0-9]{1,12})$",
    ),
    CallbackQueryHandler(back, pattern=r"^hr:back:[a-z_]{1,16}$"),
    CallbackQueryHandler(edit, pattern=r"^hr:edit$"),
    CallbackQueryHandler(edit_part, pattern=r"^hr:ed:[a-z]{1,12}$"),
    CallbackQueryHandler(send, pattern=r"^hr:send$"),
    CallbackQueryHandler(cancel, pattern=r"^hr:cancel$"),
]
