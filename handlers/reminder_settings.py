"""``/pengingat``: which reminders are planned, the reminder switch, the time zone and the
quiet hours in which no reminder is sent (it waits for the morning)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.conversation import Event, Turn, routes
from bot.conversation.routes import Route
from bot.services import checklists, profiles, reminders
from handlers.common import replan_reminders, user_update
from handlers.keyboards import keyboard
from handlers.navigation import expired, reprompt
from handlers.screen import show, with_notice
from storage.models import Delivery

# Indonesia's own zones first; the destinations' zones come from checklist.yaml.
HOME_ZONES = {
    "wib": ("WIB", "Asia/Jakarta"),
    "wita": ("WITA", "Asia/Makassar"),
    "wit": ("WIT", "Asia/Jayapura"),
}
QUIET_PRESETS = {"21-6": (21, 6), "22-7": (22, 7), "20-5": (20, 5), "23-8": (23, 8), "off": (0, 0)}


def _zones(context: Turn) -> dict[str, tuple[str, str]]:
    """Button key → (label, IANA zone): WIB/WITA/WIT, then each destination."""
    zones = dict(HOME_ZONES)
    for country in context.services.checklist.countries.values():
        zones[country.id] = (context._(country.name), country.timezone)
    return zones


def zone_name(context: Turn, zone: str) -> str:
    """WIB, WITA, WIT or the destination's name for an IANA zone (else the zone itself)."""
    for label, candidate in _zones(context).values():
        if candidate == zone:
            return label
    return zone


def _zone_label(context: Turn) -> str:
    current = context.user.timezone or context.services.settings.timezone
    name = zone_name(context, current)
    if name == current:
        return current
    offset = context.services.clock.now().astimezone(ZoneInfo(current)).strftime("%z")
    return f"{name} (UTC{offset[:3]}:{offset[3:]})"


def _hours(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _describe(context: Turn, row: Delivery) -> str:
    _ = context._
    payload = row.payload or {}
    content = context.services.checklist
    if "r" in payload and (reminder := content.reminders.get(str(payload["r"]))):
        days = abs(reminder.offset_days)
        if reminder.offset_days < 0:
            return _.ngettext("{n} day before departure", "{n} days before departure", days)
        return _.ngettext("{n} day after arrival", "{n} days after arrival", days)
    if "expiry" in payload and (item := content.items.get(str(payload["expiry"]))):
        # Planned ``days`` before the expiry date, so the two dates are never confused.
        day = row.due_at.astimezone(_.tz).date() + timedelta(days=int(payload.get("days", 0)))
        return _("{item} expires on {date}", item=_(item.title), date=_.date(day, "medium"))
    return _("open items of the checklist")


async def show_settings(event: Event, context: Turn, notice: str | None = None) -> None:
    _ = context._
    user = context.user
    lines = [
        _("<b>⏰ Reminders</b>"),
        _("Reminders are off.") if user.reminders_off else _("Reminders are on."),
        _("Time zone: {zone}", zone=_zone_label(context)),
        _(
            "Quiet hours: {start}–{end} (reminders wait until the morning)",
            start=_hours(user.quiet_start),
            end=_hours(user.quiet_end),
        )
        if user.quiet_start != user.quiet_end
        else _("Quiet hours: none"),
    ]
    planned = await reminders.upcoming(context.db, user.person_id)
    if planned:
        lines.append(_("<b>Next reminders:</b>"))
        lines += [
            "• "
            + _(
                "{date}: reminder — {what}",
                date=_.date(row.due_at, "medium"),
                what=_describe(context, row),
            )
            for row in planned
        ]
    elif not user.reminders_off:
        plan = await checklists.get(context.db, user.person_id)
        lines.append(
            _("Nothing is planned yet: fill in your departure checklist with /persiapan.")
            if plan is None
            else _("Nothing is planned right now.")
        )
    switch = (
        (_.pgettext("button", "🔔 Turn reminders on"), "rem:on")
        if user.reminders_off
        else (_.pgettext("button", "🔕 Turn reminders off"), "rem:off")
    )
    rows = [
        [switch],
        [(_.pgettext("button", "🕒 Time zone"), "rem:tz")],
        [(_.pgettext("button", "🌙 Quiet hours"), "rem:q")],
        [(_.pgettext("button", "« Menu"), "menu:main")],
    ]
    await show(event, context, with_notice(notice, "\n".join(lines)), keyboard(rows))


async def _refuse_without_consent(event: Event, context: Turn) -> bool:
    if profiles.has_consent(context.user):
        return False

    await reprompt(
        event,
        context,
        context._("Reminders need your agreement to data processing. Send /start to give it."),
    )
    return True


@user_update
async def settings_command(event: Event, context: Turn) -> None:
    """Shows the planned reminders and their settings."""
    if await _refuse_without_consent(event, context):
        return
    await show_settings(event, context)


@user_update
async def settings_button(event: Event, context: Turn) -> None:
    """Switch, time zone and quiet hours."""
    if await _refuse_without_consent(event, context):
        return
    _ = context._
    data = event.choice
    user = context.user
    now = context.services.clock.now()
    if data in ("rem:on", "rem:off"):
        user.reminders_off = data == "rem:off"
        user.updated_at = now
        await replan_reminders(context)
        await show_settings(event, context, _("Saved."))
    elif data == "rem:tz":
        rows = [[(label, f"rem:z:{key}")] for key, (label, _zone) in _zones(context).items()]
        await show(event, context, _("Which time zone are you in?"), keyboard(rows))
    elif data.startswith("rem:z:") and (chosen := _zones(context).get(data[6:])):
        user.timezone = chosen[1]
        user.updated_at = now
        context._ = context._.with_zone(ZoneInfo(chosen[1]))
        await replan_reminders(context)
        await show_settings(event, context, context._("Saved."))
    elif data == "rem:q":
        rows = [
            [
                (
                    _("{start}–{end}", start=f"{a:02d}:00", end=f"{b:02d}:00")
                    if a != b
                    else _.pgettext("button", "No quiet hours"),
                    f"rem:qh:{key}",
                )
            ]
            for key, (a, b) in QUIET_PRESETS.items()
        ]
        await show(event, context, _("When should reminders stay quiet?"), keyboard(rows))
    elif data.startswith("rem:qh:") and (hours := QUIET_PRESETS.get(data[7:])):
        user.quiet_start, user.quiet_end = hours[0] * 60, hours[1] * 60
        user.updated_at = now
        await show_settings(event, context, _("Saved."))
    elif data == "rem:open":
        await show_settings(event, context)
    else:
        await expired(event, context)


ROUTES: list[Route] = [
    routes.command("pengingat", settings_command),
    routes.choice(r"^rem:[a-z0-9:-]+$", settings_button),
]
