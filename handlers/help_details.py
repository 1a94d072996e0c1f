"""The help request's questions about the person who needs help: name, relationship,
where they are, employer, last contact, phone (the family's questions; a person
asking for themselves gets where, city and employer).
"""

from __future__ import annotations

from html import escape
from typing import Any

from bot import case_text
from bot.conversation import Event, Turn
from handlers.common import goto, step
from handlers.help_steps import (
    DIALOG,
    FAMILY_STEPS,
    LABEL_MAX,
    MAX_FIELD,
    OPTIONAL,
    SELF_STEPS,
    answers,
    closing_rows,
    so_far,
)
from handlers.keyboards import keyboard
from handlers.navigation import ask, at_step, expired
from handlers.screen import button_value, show, with_notice


def _questions(context: Turn) -> dict[str, str]:
    _ = context._
    data = answers(context)
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


def _next_step(context: Turn, current: str) -> str:
    data = answers(context)
    steps = FAMILY_STEPS if data.get("for_whom") == "family" else SELF_STEPS
    index = steps.index(current)
    if index + 1 < len(steps):
        return steps[index + 1]
    return "review" if data.get("editing") else "description"


async def _ask_field(event: Event, context: Turn, notice: str | None) -> None:
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
        text += "\n\n" + so_far(context, kept)
        keep = _.pgettext("button", "Keep: {answer} ▶️", answer=kept)
        if len(keep.replace("\ufe0f", "")) > LABEL_MAX:  # never cut: it is shown above
            keep = _.pgettext("button", "Keep this answer ▶️")
        rows.insert(0, [(keep, "hr:keep")])
    rows += closing_rows(context)
    await show(event, context, with_notice(notice, text), keyboard(rows))


def _kept(context: Turn, name: str) -> str | None:
    """The answer already given to question ``name``, as the person reads it."""
    _ = context._
    subject: dict[str, str] = answers(context).get("subject") or {}
    if name == "country" and (where := subject.get("where")):
        return case_text.where_labels(_).get(where, where)
    value = subject.get(name)
    if value is None:
        return None
    if name == "relationship":
        return case_text.relationship_labels(_).get(value, value)
    return value


async def _store_field(
    event: Event,
    context: Turn,
    value: str | None,
    *,
    where: str | None = None,
    **changes: Any,
) -> None:
    name = context.user.step or ""
    subject = dict(answers(context).get("subject") or {})
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
    await ask(event, context)


async def typed_field(event: Event, context: Turn, text: str) -> None:
    _ = context._
    value = " ".join(text.split())
    name = context.user.step or ""
    if name == "relationship":
        await _ask_field(event, context, _("Please choose one of the buttons."))
        return
    if len(value) > MAX_FIELD:
        notice = _(
            "That is too long for this question ({count} characters; at most {limit}). "
            "You can tell everything in the description later.",
            count=len(value),
            limit=MAX_FIELD,
        )
        await _ask_field(event, context, notice)
        return
    # ASCII digits only: "²" and Arabic-Indic digits pass isdigit() but dial nothing.
    if name == "contact" and not 7 <= sum(ch in "0123456789" for ch in value) <= 15:
        notice = _(
            "That does not look like a phone number. Example: 0812 3456 7890 or +60 12 345 6789"
        )
        await _ask_field(event, context, notice)
        return
    await _store_field(event, context, value)


for _name in FAMILY_STEPS:
    step(DIALOG, _name, on_text=typed_field)(_ask_field)


@at_step(DIALOG, *FAMILY_STEPS)
async def field_button(event: Event, context: Turn) -> None:
    """Relationship, country (or where in Indonesia) and last-contact buttons, Skip on
    optional questions, and Keep on a question answered before."""

    _ = context._
    data = event.choice
    name = context.user.step or ""
    value = button_value(event)
    if data == "hr:skip" and name in OPTIONAL:
        await _store_field(event, context, None)
    elif data == "hr:keep" and _kept(context, name) is not None:
        following = _next_step(context, name)
        goto(context.user, following)
        await ask(event, context)
    elif data.startswith("hr:where:") and name == "country":
        if value not in case_text.where_labels(_):
            await expired(event, context)
            return
        await _store_field(event, context, None, where=value)
    elif data.startswith("hr:rel:") and name == "relationship":
        if value not in case_text.relationship_labels(_):
            await expired(event, context)
            return
        await _store_field(event, context, value)
    elif data.startswith("hr:cty:") and name == "country":
        country = context.services.checklist.countries.get(value)
        if country is None:
            await expired(event, context)
            return
        await _store_field(event, context, _(country.name))
    elif data.startswith("hr:lc:") and name == "last_contact":
        chosen = context.services.help.last_contact_range(value)
        if chosen is None:
            await expired(event, context)
            return
        await _store_field(event, context, _(chosen.label), last_contact_range=chosen.id)
    else:
        await expired(event, context)
