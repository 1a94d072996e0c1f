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
```

Ticks are kept per item, so changing the scheme or destination keeps the ticks of items
that still apply (and brings back those that apply again).
"""

from __future__ import annotations

from datetime import date

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.context import BotContext
from bot.services import checklists
from bot.services.dates import DateError, parse_day
from bot.services.profiles import clean_village_name
from handlers.common import (
    Handlers,
    at_step,
    begin,
    button_value,
    end,
    goto,
    replan_reminders,
    show,
    step,
    with_notice,
)
from handlers.keyboards import keyboard

DIALOG = "checklist"


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
    rows = [[(label, f"cl:s:{key}")] for key, label in scheme_labels(context).items()]
    await show(update, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "scheme")
async def chose_scheme(update: Update, context: BotContext) -> None:
    """Stores the scheme and asks for the destination."""
    scheme = button_value(update)
    if scheme not in scheme_labels(context):
        from handlers.stale import expired

        await expired(update, context)
        return
    goto(context.user, "country", scheme=scheme)
    await ask_country(update, context, None)


@step(DIALOG, "country")
async def ask_country(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    countries = context.services.checklist.countries.values()
    rows = [[(_(country.name), f"cl:c:{country.id}")] for country in countries]
    rows.append([(_.pgettext("button", "Another country…"), "cl:c:other")])
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
        from handlers.stale import expired

        await expired(update, context)
        return
    goto(context.user, "sector", country=country, country_other=None)
    await ask_sector(update, context, None)


async def typed_country(update: Update, context: BotContext, text: str) -> None:
    name = clean_village_name(text)
    if name is None:
        notice = context._("Please type just the name of the country, in letters.")
        await ask_country_name(update, context, notice)
        return
    goto(context.user, "sector", country=None, country_other=name)
    await ask_sector(update, context, None)


@step(DIALOG, "country_other", on_text=typed_country)
async def ask_country_name(update: Update, context: BotContext, notice: str | None) -> None:
    await show(update, context, with_notice(notice, context._("Please type the country's name.")))


@step(DIALOG, "sector")
async def ask_sector(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    sectors = context.services.checklist.sectors.values()
    rows = [[(_(sector.name), f"cl:sec:{sector.id}")] for sector in sectors]
    await show(update, context, with_notice(notice, _("What work will you do?")), keyboard(rows))


@at_step(DIALOG, "sector")
async def chose_sector(update: Update, context: BotContext) -> None:
    """Stores the work and asks for the departure date."""
    sector = button_value(update)
    if sector not in context.services.checklist.sectors:
        from handlers.stale import expired

        await expired(update, context)
        return
    goto(context.user, "departure", sector=sector)
    await ask_departure(update, context, None)


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
    rows = [[(_.pgettext("button", "I don't know yet"), "cl:dep:unknown")]]
    await show(update, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "departure")
async def departure_unknown(update: Update, context: BotContext) -> None:
    await _after_departure(update, context, None, False)


async def _after_departure(
    update: Update, context: BotContext, departure: str | None, approx: bool, assumed: bool = False
) -> None:
    goto(context.user, "agency", departure=departure, approx=approx, assumed=assumed)
    if (context.user.dialog_data or {}).get("scheme") == "p3mi":
        await ask_agency(update, context, None)
    else:
        await _finish(update, context, agency=None)


async def typed_agency(update: Update, context: BotContext, text: str) -> None:
    name = " ".join(text.split())
    if not name or len(name) > 120:
        notice = context._("Please type the agency's name (at most 120 characters).")
        await ask_agency(update, context, notice)
        return
    await _finish(update, context, agency=name)


@step(DIALOG, "agency", on_text=typed_agency)
async def ask_agency(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    text = _("What is the name of the agency (P3MI)? It goes into the summary for your family.")
    rows = [[(_.pgettext("button", "Skip"), "cl:ag:skip")]]
    await show(update, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "agency")
async def skip_agency(update: Update, context: BotContext) -> None:
    await _finish(update, context, agency=None)


async def _finish(update: Update, context: BotContext, *, agency: str | None) -> None:
    """Stores the answers, re-plans the reminders and shows the checklist."""
    from handlers.checklist import show_checklist

    services = context.services
    now = services.clock.now()
    data = context.user.dialog_data or {}
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
    notice = context._("Your checklist is ready.")
    if plan.departure_on and data.get("assumed"):
        notice += "\n" + departure_assumed(context, plan.departure_on, plan.departure_approx)
    await show_checklist(update, context, notice)


def departure_assumed(context: BotContext, day: date, month_only: bool) -> str:
    """Names the day a month or a word such as "minggu depan" was taken to mean."""
    if month_only:
        return context._(
            "You gave the month only: the reminders count from {date}, its first day.",
            date=context._.date(day),
        )
    return context._("Departure date taken as {date}.", date=context._.date(day, "full"))


HANDLERS: Handlers = [
    CallbackQueryHandler(chose_scheme, pattern=r"^cl:s:[a-z0-9]+$"),
    CallbackQueryHandler(chose_country, pattern=r"^cl:c:[a-z0-9-]+$"),
    CallbackQueryHandler(chose_sector, pattern=r"^cl:sec:[a-z0-9-]+$"),
    CallbackQueryHandler(departure_unknown, pattern=r"^cl:dep:unknown$"),
    CallbackQueryHandler(skip_agency, pattern=r"^cl:ag:skip$"),
]
