"""Who an announcement reaches (villages, roles, languages, within the officer's area)
and when it goes.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from html import escape
from typing import Any

from bot.conversation import Event, Turn
from bot.services import announcements
from bot.services.when import WhenError, parse_when
from handlers.announce_steps import (
    DIALOG,
    PICKS,
    answers,
    audience_of,
    back_rows,
    keep_row,
    refuse,
    sender_scope,
)
from handlers.common import goto, step
from handlers.keyboards import LANGUAGE_NAMES, keyboard, role_labels
from handlers.navigation import ask, at_step, expired
from handlers.screen import button_value, show, with_notice

# --- audience ---------------------------------------------------------------------------


def _names(values: Collection[str], labels: dict[str, str], _: Any) -> str:
    return ", ".join(labels.get(value, value) for value in values) if values else _("all")


@step(DIALOG, "audience")
async def ask_audience(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    allowed, area_id, scope = await sender_scope(context)
    if not allowed:
        await refuse(event, context)
        return
    audience = audience_of(context)
    count = await announcements.count_recipients(context.db, scope, audience)
    villages = context.services.villages
    area = villages.area_name(area_id) if area_id else _("all areas")
    text = _(
        "<b>Who receives it?</b>\nArea: {area}\nVillages: {villages}\nWho: {roles}\n"
        "Languages: {languages}\n\nRecipients now: <b>{count}</b>",
        area=escape(area),
        villages=escape(
            _names(audience.villages, {v.id: v.name for v in villages.villages.values()}, _)
        ),
        roles=_names(audience.roles, role_labels(_), _),
        languages=_names(audience.locales, LANGUAGE_NAMES, _),
        count=_.number(count),
    )
    rows = []
    if scope is None or len(scope) > 1:
        rows.append([(_.pgettext("button", "Choose villages"), "an:pick:villages")])
    rows += [
        [(_.pgettext("button", "Choose who"), "an:pick:roles")],
        [(_.pgettext("button", "Choose languages"), "an:pick:locales")],
        [(_.pgettext("button", "Continue ▸"), "an:adone")],
        *back_rows(context),
    ]
    await show(event, context, with_notice(notice, text), keyboard(rows))


def _options(context: Turn, pick: str, scope: Collection[str] | None) -> dict[str, str]:
    _ = context._
    if pick == "villages":
        return {
            v.id: f"{v.name} ({v.kecamatan})"
            for v in context.services.villages.villages.values()
            if scope is None or v.id in scope
        }
    if pick == "roles":
        return role_labels(_)
    return dict(LANGUAGE_NAMES)


@at_step(DIALOG, "audience")
async def open_pick(event: Event, context: Turn) -> None:
    """Shows the toggles for villages, roles or languages."""
    pick = button_value(event)
    if pick not in PICKS:
        await expired(event, context)
        return
    goto(context.user, "pick", pick=pick)
    await ask(event, context)


@step(DIALOG, "pick")
async def ask_pick(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    pick = answers(context).get("pick", "roles")
    _allowed, _area, scope = await sender_scope(context)
    chosen = set(audience_of(context).to_json()[pick])
    options = _options(context, pick, scope)
    text = _("Tap to include or leave out. None ticked means all.")
    rows = [
        [(("✓ " if key in chosen else "") + label, f"an:t:{key}")]
        for key, label in options.items()
    ]
    rows.append([(_.pgettext("button", "Done"), "an:aud")])
    await show(event, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "pick")
async def toggle(event: Event, context: Turn) -> None:
    """Includes or leaves out one village, role or language (only within the area)."""
    key = button_value(event)
    pick = answers(context).get("pick", "roles")
    _allowed, _area, scope = await sender_scope(context)
    if key not in _options(context, pick, scope):
        await expired(event, context)
        return
    audience = audience_of(context).to_json()
    chosen = list(audience[pick])
    if key in chosen:
        chosen.remove(key)
    else:
        chosen.append(key)
    audience[pick] = chosen
    goto(context.user, "pick", audience=audience)
    await ask(event, context)


@at_step(DIALOG, "pick")
async def pick_done(event: Event, context: Turn) -> None:
    goto(context.user, "audience")
    await ask(event, context)


@at_step(DIALOG, "audience")
async def audience_done(event: Event, context: Turn) -> None:
    """Moves on to the time, unless nobody would receive the announcement."""
    _allowed, _area, scope = await sender_scope(context)
    if await announcements.count_recipients(context.db, scope, audience_of(context)) == 0:
        notice = context._("Nobody would receive this. Please widen the audience.")
        await ask(event, context, notice)
        return
    if answers(context).get("editing"):
        goto(context.user, "preview")
        await ask(event, context)
        return
    goto(context.user, "when")
    await ask(event, context)


# --- when ---------------------------------------------------------------------------------


@step(DIALOG, "when")
async def ask_when(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    data = answers(context)
    chosen = ("now" if data["at"] is None else "later") if "at" in data else None
    rows = [
        [(_marked(_.pgettext("button", "Send now"), chosen == "now"), "an:now")],
        [
            (
                _marked(_.pgettext("button", "Choose a date and time"), chosen == "later"),
                "an:later",
            )
        ],
        *back_rows(context),
    ]
    await show(event, context, with_notice(notice, _("When should it go out?")), keyboard(rows))


def _marked(label: str, chosen: bool) -> str:
    return ("✔️ " + label) if chosen else label


@at_step(DIALOG, "when")
async def when_chosen(event: Event, context: Turn) -> None:
    if button_value(event) == "now":
        goto(context.user, "preview", at=None)
        await ask(event, context)
    else:
        goto(context.user, "when_typed")
        await ask(event, context)


async def take_when(event: Event, context: Turn, text: str) -> None:
    _ = context._
    try:
        moment = parse_when(
            text, now=context.services.clock.now(), default_zone=context.services.settings.timezone
        )
    except WhenError as exc:
        notice = {
            "past": _("That time has already passed."),
            "far": _("Announcements can be planned at most one year ahead."),
        }.get(exc.reason, _("I could not read that date and time."))
        await ask(event, context, notice)
        return
    goto(context.user, "preview", at=moment.isoformat())
    await ask(event, context)


@step(DIALOG, "when_typed", on_text=take_when)
async def ask_when_typed(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    text = _(
        "Type the date and time like this: 24-12-2026 08:00, besok 08:00 or Jumat 19.00 "
        "(WIB; add WITA or WIT for other time zones)."
    )
    rows = []
    if at := answers(context).get("at"):  # came back: the time given can be kept
        given = _.datetime(datetime.fromisoformat(at))
        text += "\n\n" + _("Your answer so far: <b>{answer}</b>", answer=given)
        rows.append(keep_row(context, given, "an:wkeep"))
    rows += back_rows(context)
    await show(event, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "when_typed")
async def keep_when(event: Event, context: Turn) -> None:
    """Keeps the time given before (checked again when sending)."""
    if not answers(context).get("at"):
        await expired(event, context)
        return
    goto(context.user, "preview")
    await ask(event, context)
