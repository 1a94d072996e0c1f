"""The checklist set-up's questions about the departure date (a day, a month, words
such as "minggu depan", or not known yet) and the placement agency.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.conversation import Event, Turn
from bot.services.dates import DateError, parse_day
from handlers.checklist_answers import (
    DIALOG,
    answers,
    closing_rows,
    date_problem,
    finish,
    forward,
    kept,
    marked,
)
from handlers.common import goto, step
from handlers.keyboards import keyboard
from handlers.navigation import at_step, expired
from handlers.screen import button_value, show, with_notice


async def typed_departure(event: Event, context: Turn, text: str) -> None:
    today = context.services.clock.now().astimezone(context._.tz).date()
    try:
        day = parse_day(text, today=today)
    except DateError as exc:
        await ask_departure(event, context, date_problem(context, exc.reason))
        return
    await _after_departure(
        event, context, day.value.isoformat(), day.month_only, assumed=day.assumed
    )


@step(DIALOG, "departure", on_text=typed_departure)
async def ask_departure(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    text = _(
        "When do you plan to leave? Type the date, for example 15-03-2027 or 15/3/2027, or "
        "just the month, for example Maret 2027 or bulan depan."
    )
    data = answers(context)
    given = "departure" in data  # answered before (Back, or changing this answer only)
    rows: list[Any] = []
    if given and data["departure"]:
        day = date.fromisoformat(data["departure"])
        shown = _.date(day, "MMMM y") if data.get("approx") else _.date(day)
        text, rows = kept(context, text, shown, "cl:dep:keep")
    unknown = marked(_.pgettext("button", "I don't know yet"), given and not data["departure"])
    rows.append([(unknown, "cl:dep:unknown")])
    rows += closing_rows(context)
    await show(event, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "departure")
async def departure_button(event: Event, context: Turn) -> None:
    """The "I don't know yet" button, or "Keep" for the date given before."""
    data = answers(context)
    if button_value(event) == "unknown":
        await _after_departure(event, context, None, False)
    elif data.get("departure"):
        await _after_departure(
            event, context, data["departure"], bool(data.get("approx")), bool(data.get("assumed"))
        )
    else:
        await expired(event, context)


async def _after_departure(
    event: Event, context: Turn, departure: str | None, approx: bool, assumed: bool = False
) -> None:
    given = {"departure": departure, "approx": approx, "assumed": assumed}
    if answers(context).get("scheme") == "p3mi" or answers(context).get("only"):
        await forward(event, context, "agency", **given)
        return
    goto(context.user, "agency", **given, agency=None)
    await finish(event, context)


async def typed_agency(event: Event, context: Turn, text: str) -> None:
    name = " ".join(text.split())
    if not name or len(name) > 120:
        notice = context._("Please type the agency's name (at most 120 characters).")
        await ask_agency(event, context, notice)
        return
    goto(context.user, "agency", agency=name)
    await finish(event, context)


@step(DIALOG, "agency", on_text=typed_agency)
async def ask_agency(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    text = _("What is the name of the agency (P3MI)? It goes into the summary for your family.")
    rows: list[Any] = []
    if agency := answers(context).get("agency"):
        text, rows = kept(context, text, agency, "cl:ag:keep")
    rows.append([(_.pgettext("button", "Skip"), "cl:ag:skip")])
    rows += closing_rows(context)
    await show(event, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "agency")
async def agency_button(event: Event, context: Turn) -> None:
    """Skip (no agency), or keep the name given before."""
    if button_value(event) == "keep":
        if not answers(context).get("agency"):
            await expired(event, context)
            return
    else:
        goto(context.user, "agency", agency=None)
    await finish(event, context)
