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

from typing import Any

from bot.conversation import Event, Turn, routes
from bot.conversation.routes import Route
from bot.services import checklists
from bot.services.profiles import clean_village_name
from handlers.checklist_answers import (
    CHANGEABLE,
    DIALOG,
    answers,
    before,
    closing_rows,
    forward,
    kept,
    marked,
    scheme_labels,
)
from handlers.checklist_dates import agency_button, departure_button
from handlers.checklist_text import summary_line
from handlers.common import begin, goto, step, user_update
from handlers.keyboards import keyboard
from handlers.navigation import ask, at_step, expired, step_back
from handlers.screen import button_value, show, with_notice
from storage.models import Checklist


async def begin_setup(event: Event, context: Turn, notice: str | None = None) -> None:
    begin(context.user, DIALOG, "scheme")
    await ask_scheme(event, context, notice)


@step(DIALOG, "scheme")
async def ask_scheme(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    text = _(
        "<b>🧳 Departure checklist</b>\nA few questions so that the checklist fits your "
        "plan.\n\nHow will you be placed abroad?"
    )
    chosen = answers(context).get("scheme")
    rows = [
        [(marked(label, key == chosen), f"cl:s:{key}")]
        for key, label in scheme_labels(context).items()
    ]
    rows += closing_rows(context)
    await show(event, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "scheme")
async def chose_scheme(event: Event, context: Turn) -> None:
    """Stores the scheme and asks for the destination."""
    scheme = button_value(event)
    if scheme not in scheme_labels(context):
        await expired(event, context)
        return
    await forward(event, context, "country", scheme=scheme)


@step(DIALOG, "country")
async def ask_country(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    data = answers(context)
    countries = context.services.checklist.countries.values()
    rows = [
        [(marked(_(country.name), country.id == data.get("country")), f"cl:c:{country.id}")]
        for country in countries
    ]
    other = marked(_.pgettext("button", "Another country…"), bool(data.get("country_other")))
    rows.append([(other, "cl:c:other")])
    rows += closing_rows(context)
    text = with_notice(notice, _("Which country will you work in?"))
    await show(event, context, text, keyboard(rows))


@at_step(DIALOG, "country")
async def chose_country(event: Event, context: Turn) -> None:
    """Stores the destination (or asks for its name) and asks for the work."""
    country = button_value(event)
    if country == "other":
        goto(context.user, "country_other")
        await ask_country_name(event, context, None)
        return
    if country not in context.services.checklist.countries:
        await expired(event, context)
        return
    await forward(event, context, "sector", country=country, country_other=None)


async def typed_country(event: Event, context: Turn, text: str) -> None:
    name = clean_village_name(text)
    if name is None:
        notice = context._("Please type just the name of the country, in letters.")
        await ask_country_name(event, context, notice)
        return
    await forward(event, context, "sector", country=None, country_other=name)


@step(DIALOG, "country_other", on_text=typed_country)
async def ask_country_name(event: Event, context: Turn, notice: str | None) -> None:
    text = context._("Please type the country's name.")
    rows: list[Any] = []
    if name := answers(context).get("country_other"):
        text, rows = kept(context, text, name, "cl:co:keep")
    rows += closing_rows(context)
    await show(event, context, with_notice(notice, text), keyboard(rows) if rows else None)


@at_step(DIALOG, "country_other")
async def keep_country_name(event: Event, context: Turn) -> None:
    name = answers(context).get("country_other")
    if not name:
        await expired(event, context)
        return
    await forward(event, context, "sector", country=None, country_other=name)


@step(DIALOG, "sector")
async def ask_sector(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    chosen = answers(context).get("sector")
    sectors = context.services.checklist.sectors.values()
    rows = [
        [(marked(_(sector.name), sector.id == chosen), f"cl:sec:{sector.id}")]
        for sector in sectors
    ]
    rows += closing_rows(context)
    await show(event, context, with_notice(notice, _("What work will you do?")), keyboard(rows))


@at_step(DIALOG, "sector")
async def chose_sector(event: Event, context: Turn) -> None:
    """Stores the work and asks for the departure date."""
    sector = button_value(event)
    if sector not in context.services.checklist.sectors:
        await expired(event, context)
        return
    await forward(event, context, "departure", sector=sector)


# --- changing one answer, and « Back -----------------------------------------------------


async def begin_change(
    event: Event, context: Turn, plan: Checklist, notice: str | None = None
) -> None:
    """⚙️ Change answers: the list of answers, with every answer of the checklist kept."""
    departure = plan.departure_on.isoformat() if plan.departure_on else None
    plan_answers = {
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
    begin(context.user, DIALOG, "change", plan_answers)
    await ask_change(event, context, notice)


def _changeable(data: dict[str, Any]) -> tuple[str, ...]:
    return tuple(name for name in CHANGEABLE if name != "agency" or data.get("scheme") == "p3mi")


@step(DIALOG, "change")
async def ask_change(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    data = answers(context)
    plan = await checklists.get(context.db, context.user.person_id)
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
    await show(event, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "change")
async def chose_change(event: Event, context: Turn) -> None:
    """Asks the one question whose answer is to change."""
    target = button_value(event)
    if target not in _changeable(answers(context)):
        await expired(event, context)
        return
    goto(context.user, target)
    await ask(event, context)


@user_update
async def back(event: Event, context: Turn) -> None:
    """« Back: one step back (:func:`before`), every answer kept. Pressed on an old message
    (another step now) or forged, it has expired like any stale button."""
    previous = await step_back(event, context, DIALOG, before)
    if previous is None:
        return
    goto(context.user, previous)
    await ask(event, context)


ROUTES: list[Route] = [
    routes.choice(r"^cl:s:[a-z0-9]+$", chose_scheme),
    routes.choice(r"^cl:c:[a-z0-9-]+$", chose_country),
    routes.choice(r"^cl:co:keep$", keep_country_name),
    routes.choice(r"^cl:sec:[a-z0-9-]+$", chose_sector),
    routes.choice(r"^cl:dep:(unknown|keep)$", departure_button),
    routes.choice(r"^cl:ag:(skip|keep)$", agency_button),
    routes.choice(r"^cl:ch:[a-z]{1,12}$", chose_change),
    routes.choice(r"^cl:b:[a-z_]{1,16}$", back),
]
