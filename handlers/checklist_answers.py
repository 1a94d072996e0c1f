"""The checklist set-up's answers and rules: the way back through the questions, the
labels of the ways to go abroad, moving on to the next question, and storing the plan
once everything is answered.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from bot.conversation import Event, Turn
from bot.services import checklists
from handlers.common import end, goto, replan_reminders
from handlers.navigation import CHECKLIST, ask, open_screen

DIALOG = "checklist"
CHANGEABLE = ("scheme", "country", "sector", "departure", "agency")
KEPT_SHOWN = 24  # characters of a typed answer on its "Keep" button

# "« Back": the step before each step of the set-up (None: the first question).
BACK: dict[str, str | None] = {
    "scheme": None,
    "country": "scheme",
    "country_other": "country",
    "sector": "country",
    "departure": "sector",
    "agency": "departure",
}


def before(step_name: str, data: dict[str, Any]) -> str | None:
    """The step "« Back" leads to from ``step_name``: when one answer is being changed
    (``only``), the list of answers (or the country list, for a country's typed name)."""
    if step_name not in BACK:
        return None
    if data.get("only") and step_name != "country_other":
        return "change"
    return BACK[step_name]


def answers(context: Turn) -> dict[str, Any]:
    return dict(context.user.dialog_data or {})


def closing_rows(context: Turn) -> list[list[tuple[str, str]]]:
    """« Back, where the current step has a step before it."""
    here = context.user.step or ""
    if before(here, answers(context)) is None:
        return []
    return [[(context._.pgettext("button", "« Back"), f"cl:b:{here}")]]


def marked(label: str, chosen: bool) -> str:
    return ("✔️ " + label) if chosen else label


def kept(context: Turn, text: str, answer: str, data: str) -> tuple[str, list[Any]]:
    """A typed answer given before: shown under the question, with a button to keep it."""
    _ = context._
    text += "\n\n" + _("Your answer so far: <b>{answer}</b>", answer=escape(answer))
    short = answer if len(answer) <= KEPT_SHOWN else answer[: KEPT_SHOWN - 1].rstrip() + "…"
    return text, [[(_.pgettext("button", "Keep: {answer} ▶️", answer=short), data)]]


def scheme_labels(context: Turn) -> dict[str, str]:
    _ = context._
    return {
        "p3mi": _.pgettext("scheme", "Via a licensed agency (P3MI)"),
        "g2g": _.pgettext("scheme", "Government programme (G to G)"),
        # UKPS: a company placing its own staff (UU 18/2017 Pasal 49 huruf c), not an agency.
        "ukps": _.pgettext("scheme", "Sent by the company I work for"),
        "unsure": _.pgettext("scheme", "Not sure yet"),
    }


def date_problem(context: Turn, reason: str) -> str:
    _ = context._
    return {
        "past": _("That date has already passed. Please type a date in the future."),
        "far": _("That date is too far ahead. Please check the year."),
        "impossible": _("That date does not exist. Please check the day and the month."),
    }.get(reason, _("I could not read that date. Please type it like 15-03-2027."))


async def forward(event: Event, context: Turn, step_name: str, **given: Any) -> None:
    """Stores the ``given`` answers and asks ``step_name``; when one answer is being
    changed (``only``), stores it and finishes instead."""
    goto(context.user, step_name, **given)
    if answers(context).get("only"):
        await finish(event, context)
        return
    await ask(event, context)


async def finish(event: Event, context: Turn) -> None:
    """Stores the answers, re-plans the reminders and shows the checklist."""
    services = context.services
    now = services.clock.now()
    data = answers(context)
    agency = data.get("agency") if data.get("scheme") == "p3mi" else None
    plan = await checklists.ensure(context.db, context.user.person_id, now)
    plan.scheme = data.get("scheme")
    plan.country = data.get("country")
    plan.country_other = data.get("country_other")
    plan.sector = data.get("sector")
    departure = data.get("departure")
    plan.departure_on = date.fromisoformat(departure) if departure else None
    plan.departure_approx = bool(data.get("approx"))
    plan.agency = agency
    plan.updated_at = now
    end(context.user)
    await replan_reminders(context)
    if data.get("only"):
        notice = context._("Changed. The checklist and the reminders follow your new answer.")
    else:
        notice = context._("Your checklist is ready.")
    if plan.departure_on and data.get("assumed"):
        notice += "\n" + departure_assumed(context, plan.departure_on, plan.departure_approx)
    await open_screen(CHECKLIST, event, context, notice)


def departure_assumed(context: Turn, day: date, month_only: bool) -> str:
    """Names the day a month or a word such as "minggu depan" was taken to mean."""
    if month_only:
        return context._(
            "You gave the month only: the reminders count from {date}, its first day.",
            date=context._.date(day),
        )
    return context._("Departure date taken as {date}.", date=context._.date(day, "full"))
