"""Setting up (or changing) the departure checklist: scheme → destination → work →
departure date → agency (for P3MI placements).

```mermaid
stateDiagram-v2
    [*] --> scheme: /persiapan (first time) or cl:setup
    scheme --> country: cl:s:<scheme>
    country --> country_other: cl:c:other
    country --> sector: cl:c:<country>
    country_other --> sector: typed name
    sector --> departure: cl:sec:<sector>
    departure --> agency: typed date or cl:dep:unknown (P3MI)
    departure --> [*]: typed date or cl:dep:unknown (checklist shown)
    agency --> [*]: typed name or cl:ag:skip
    change --> scheme/country/sector/departure/agency: cl:ch:<step> (then [*])
```

"« Back" (``cl:b:<step>``, the step it was shown at) goes one step back (:func:`before`),
every answer kept: a button answer given is marked "✔️", a typed one is shown with a
"Keep" button.

"⚙️ Change answers" on the checklist opens the list of answers (step ``change``,
``cl:ch:<step>``): each changes that one answer only (``only`` in the dialog data, the
others are filled in from the checklist), then the reminders are planned again.

Ticks are kept per item, so changing the scheme or destination keeps the ticks of items
that still apply (and brings back those that apply again).
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.context import BotContext
from bot.services import checklists
from bot.services.dates import DateError, parse_day
from bot.services.profiles import clean_village_name
from handlers.checklist_text import summary_line
from handlers.common import (
    CHECKLIST,
    Handlers,
    Prompt,
    at_step,
    begin,
    end,
    expired,
    goto,
    open_screen,
    replan_reminders,
    step,
    step_back,
    user_update,
)
from handlers.keyboards import keyboard
from handlers.screen import button_value, show, with_notice
from storage.models import Checklist

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


def _data(context: BotContext) -> dict[str, Any]:
    return dict(context.user.dialog_data or {})


def _closing_rows(context: BotContext) -> list[list[tuple[str, str]]]:
    """« Back, where the current step has a step before it."""
    here = context.user.step or ""
    if before(here, _data(context)) is None:
        return []
    return [[(context._.pgettext("button", "« Back"), f"cl:b:{here}")]]


def _marked(label: str, chosen: bool) -> str:
    return ("✔️ " + label) if chosen else label


def _kept(context: BotContext, text: str, answer: str, data: str) -> tuple[str, list[Any]]:
    """A typed answer given before: shown under the question, with a button to keep it."""
    _ = context._
    text += "\n\n" + _("Your answer so far: <b>{answer}</b>", answer=escape(answer))
    short = answer if len(answer) <= KEPT_SHOWN else answer[: KEPT_SHOWN - 1].rstrip() + "…"
    return text, [[(_.pgettext("button", "Keep: {answer} ▶️", answer=short), data)]]


def scheme_labels(context: BotContext) -> dict[str, str]:
    _ = context._
    return {
        "p3mi": _.pgettext("scheme", "Via a licensed agency (P3MI)"),
        "g2g": _.pgettext("scheme", "Government programme (G to G)"),
        # UKPS: a company placing its own staff (UU 18/2017 Pasal 49 huruf c), not an agency.
        "ukps": _.pgettext("scheme", "Sent by the company I work for"),
        "unsure": _.pgettext("scheme", "Not sure yet"),
    }


async def begin_setup(update: Update, context: BotContext, notice: str | None = None) -> None:
    begin(context.user, DIALOG, "scheme")
    await ask_scheme(update, context, notice)


@step(DIALOG, "scheme")
async def ask_scheme(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    text = _(
        "<b>🧳 Departure checklist</b>\nA few questions so that the checklist fits your "
        "plan.\n\nHow will you be placed abroad?"
    )
    chosen = _data(context).get("scheme")
    rows = [
        [(_marked(label, key == chosen), f"cl:s:{key}")]
        for key, label in scheme_labels(context).items()
    ]
    rows += _closing_rows(context)
    await show(update, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "scheme")
async def chose_scheme(update: Update, context: BotContext) -> None:
    """Stores the scheme and asks for the destination."""
    scheme = button_value(update)
    if scheme not in scheme_labels(context):
        await expired(update, context)
        return
    await _forward(update, context, "country", scheme=scheme)


@step(DIALOG, "country")
async def ask_country(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    data = _data(context)
    countries = context.services.checklist.countries.values()
    rows = [
        [(_marked(_(country.name), country.id == data.get("country")), f"cl:c:{country.id}")]
        for country in countries
    ]
    other = _marked(_.pgettext("button", "Another country…"), bool(data.get("country_other")))
    rows.append([(other, "cl:c:other")])
    rows += _closing_rows(context)
    text = with_notice(notice, _("Which country will you work in?"))
    await show(update, context, text, keyboard(rows))


@at_step(DIALOG, "country")
async def chose_country(update: Update, context: BotContext) -> None:
    """Stores the destination (or asks for its name) and asks for the work."""
    country = button_value(update)
    if country == "other":
        goto(context.user, "country_other")
        await ask_country_name(update, context, None)
        return
    if country not in context.services.checklist.countries:
        await expired(update, context)
        return
    await _forward(update, context, "sector", country=country, country_other=None)


async def typed_country(update: Update, context: BotContext, text: str) -> None:
    name = clean_village_name(text)
    if name is None:
        notice = context._("Please type just the name of the country, in letters.")
        await ask_country_name(update, context, notice)
        return
    await _forward(update, context, "sector", country=None, country_other=name)


@step(DIALOG, "country_other", on_text=typed_country)
async def ask_country_name(update: Update, context: BotContext, notice: str | None) -> None:
    text = context._("Please type the country's name.")
    rows: list[Any] = []
    if name := _data(context).get("country_other"):
        text, rows = _kept(context, text, name, "cl:co:keep")
    rows += _closing_rows(context)
    await show(update, context, with_notice(notice, text), keyboard(rows) if rows else None)


@at_step(DIALOG, "country_other")
async def keep_country_name(update: Update, context: BotContext) -> None:
    name = _data(context).get("country_other")
    if not name:
        await expired(update, context)
        return
    await _forward(update, context, "sector", country=None, country_other=name)


@step(DIALOG, "sector")
async def ask_sector(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    chosen = _data(context).get("sector")
    sectors = context.services.checklist.sectors.values()
    rows = [
        [(_marked(_(sector.name), sector.id == chosen), f"cl:sec:{sector.id}")]
        for sector in sectors
    ]
    rows += _closing_rows(context)
    await show(update, context, with_notice(notice, _("What work will you do?")), keyboard(rows))


@at_step(DIALOG, "sector")
async def chose_sector(update: Update, context: BotContext) -> None:
    """Stores the work and asks for the departure date."""
    sector = button_value(update)
    if sector not in context.services.checklist.sectors:
        await expired(update, context)
        return
    await _forward(update, context, "departure", sector=sector)


def date_problem(context: BotContext, reason: str) -> str:
    _ = context._
    return {
        "past": _("That date has already passed. Please type a date in the future."),
        "far": _("That date is too far ahead. Please check the year."),
        "impossible": _("That date does not exist. Please check the day and the month."),
    }.get(reason, _("I could not read that date. Please type it like 15-03-2027."))


async def typed_departure(update: Update, context: BotContext, text: str) -> None:
    today = context.services.clock.now().astimezone(context._.tz).date()
    try:
        day = parse_day(text, today=today)
    except DateError as exc:
        await ask_departure(update, context, date_problem(context, exc.reason))
        return
    await _after_departure(
        update, context, day.value.isoformat(), day.month_only, assumed=day.assumed
    )


@step(DIALOG, "departure", on_text=typed_departure)
async def ask_departure(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    text = _(
        "When do you plan to leave? Type the date, for example 15-03-2027 or 15/3/2027, or "
        "just the month, for example Maret 2027 or bulan depan."
    )
    data = _data(context)
    given = "departure" in data  # answered before (Back, or changing this answer only)
    rows: list[Any] = []
    if given and data["departure"]:
        day = date.fromisoformat(data["departure"])
        shown = _.date(day, "MMMM y") if data.get("approx") else _.date(day)
        text, rows = _kept(context, text, shown, "cl:dep:keep")
    unknown = _marked(_.pgettext("button", "I don't know yet"), given and not data["departure"])
    rows.append([(unknown, "cl:dep:unknown")])
    rows += _closing_rows(context)
    await show(update, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "departure")
async def departure_button(update: Update, context: BotContext) -> None:
    """The "I don't know yet" button, or "Keep" for the date given before."""
    data = _data(context)
    if button_value(update) == "unknown":
        await _after_departure(update, context, None, False)
    elif data.get("departure"):
        await _after_departure(
            update, context, data["departure"], bool(data.get("approx")), bool(data.get("assumed"))
        )
    else:
        await expired(update, context)


async def _after_departure(
    update: Update, context: BotContext, departure: str | None, approx: bool, assumed: bool = False
) -> None:
    answers = {"departure": departure, "approx": approx, "assumed": assumed}
    if _data(context).get("scheme") == "p3mi" or _data(context).get("only"):
        await _forward(update, context, "agency", **answers)
        return
    goto(context.user, "agency", **answers, agency=None)
    await _finish(update, context)


async def typed_agency(update: Update, context: BotContext, text: str) -> None:
    name = " ".join(text.split())
    if not name or len(name) > 120:
        notice = context._("Please type the agency's name (at most 120 characters).")
        await ask_agency(update, context, notice)
        return
    goto(context.user, "agency", agency=name)
    await _finish(update, context)


@step(DIALOG, "agency", on_text=typed_agency)
async def ask_agency(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    text = _("What is the name of the agency (P3MI)? It goes into the summary for your family.")
    rows: list[Any] = []
    if agency := _data(context).get("agency"):
        text, rows = _kept(context, text, agency, "cl:ag:keep")
    rows.append([(_.pgettext("button", "Skip"), "cl:ag:skip")])
    rows += _closing_rows(context)
    await show(update, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "agency")
async def agency_button(update: Update, context: BotContext) -> None:
    """Skip (no agency), or keep the name given before."""
    if button_value(update) == "keep":
        if not _data(context).get("agency"):
            await expired(update, context)
            return
    else:
        goto(context.user, "agency", agency=None)
    await _finish(update, context)


async def _forward(update: Update, context: BotContext, step_name: str, **answers: Any) -> None:
    """Stores ``answers`` and asks ``step_name``; when one answer is being changed
    (``only``), stores it and finishes instead."""
    goto(context.user, step_name, **answers)
    if _data(context).get("only"):
        await _finish(update, context)
        return
    await PROMPTS[step_name](update, context, None)


async def _finish(update: Update, context: BotContext) -> None:
    """Stores the answers, re-plans the reminders and shows the checklist."""
    services = context.services
    now = services.clock.now()
    data = _data(context)
    agency = data.get("agency") if data.get("scheme") == "p3mi" else None
    plan = await checklists.ensure(context.db, context.user.telegram_id, now)
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
    await open_screen(CHECKLIST, update, context, notice)


def departure_assumed(context: BotContext, day: date, month_only: bool) -> str:
    """Names the day a month or a word such as "minggu depan" was taken to mean."""
    if month_only:
        return context._(
            "You gave the month only: the reminders count from {date}, its first day.",
            date=context._.date(day),
        )
    return context._("Departure date taken as {date}.", date=context._.date(day, "full"))


# --- changing one answer, and « Back -----------------------------------------------------


async def begin_change(
    update: Update, context: BotContext, plan: Checklist, notice: str | None = None
) -> None:
    """⚙️ Change answers: the list of answers, with every answer of the checklist kept."""
    departure = plan.departure_on.isoformat() if plan.departure_on else None
    answers = {
        "only": True,
        "scheme": plan.scheme,
        "country": plan.country,
        "country_other": plan.country_other,
        "sector": plan.sector,
        "departure": departure,
        "approx": plan.departure_approx,
        "assumed": False,
        "agency": plan.agency,
    }
    begin(context.user, DIALOG, "change", answers)
    await ask_change(update, context, notice)


def _changeable(data: dict[str, Any]) -> tuple[str, ...]:
    return tuple(name for name in CHANGEABLE if name != "agency" or data.get("scheme") == "p3mi")


@step(DIALOG, "change")
async def ask_change(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    data = _data(context)
    plan = await checklists.get(context.db, context.user.telegram_id)
    labels = {
        "scheme": _.pgettext("button", "🧭 How you go"),
        "country": _.pgettext("button", "🌏 Country"),
        "sector": _.pgettext("button", "🧰 Work"),
        "departure": _.pgettext("button", "📅 Departure date"),
        "agency": _.pgettext("button", "🏢 Agency"),
    }
    rows = [[(labels[name], f"cl:ch:{name}")] for name in _changeable(data)]
    rows.append([(_.pgettext("button", "« Checklist"), "cl:v")])
    text = _("What do you want to change?")
    if plan is not None:
        text = summary_line(context, plan) + "\n\n" + text
    await show(update, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "change")
async def chose_change(update: Update, context: BotContext) -> None:
    """Asks the one question whose answer is to change."""
    target = button_value(update)
    if target not in _changeable(_data(context)):
        await expired(update, context)
        return
    goto(context.user, target)
    await PROMPTS[target](update, context, None)


@user_update
async def back(update: Update, context: BotContext) -> None:
    """« Back: one step back (:func:`before`), every answer kept. Pressed on an old message
    (another step now) or forged, it has expired like any stale button."""
    previous = await step_back(update, context, DIALOG, before)
    if previous is None:
        return
    goto(context.user, previous)
    await PROMPTS[previous](update, context, None)


PROMPTS: dict[str, Prompt] = {
    "scheme": ask_scheme,
    "country": ask_country,
    "country_other": ask_country_name,
    "sector": ask_sector,
    "departure": ask_departure,
    "agency": ask_agency,
    "change": ask_change,
}

HANDLERS: Handlers = [
    CallbackQueryHandler(chose_scheme, pattern=r"^cl:s:[a-z0-9]+$"),
    CallbackQueryHandler(chose_country, pattern=r"^cl:c:[a-z0-9-]+$"),
    CallbackQueryHandler(keep_country_name, pattern=r"^cl:co:keep$"),
    CallbackQueryHandler(chose_sector, pattern=r"^cl:sec:[a-z0-9-]+$"),
    CallbackQueryHandler(departure_button, pattern=r"^cl:dep:(unknown|keep)$"),
    CallbackQueryHandler(agency_button, pattern=r"^cl:ag:(skip|keep)$"),
    CallbackQueryHandler(chose_change, pattern=r"^cl:ch:[a-z]{1,12}$"),
    CallbackQueryHandler(back, pattern=r"^cl:b:[a-z_]{1,16}$"),
]
