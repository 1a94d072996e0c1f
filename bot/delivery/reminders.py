"""Rendering due reminders for their recipients, at the moment they are due.

A reminder is skipped when it no longer applies (its items are done, the person turned
reminders off, erased their data or withdrew consent, a nudge after departure, a departure
reminder whose successor's day has come: after downtime only the latest one goes; the
same for expiry reminders, and none once the document has run out) and
put off to the end of the person's quiet hours when it falls inside them. The text is in
the person's current language; the checklist's own texts come from the same gettext catalogs.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.context import Services
from bot.delivery.outgoing import Outgoing
from bot.i18n import Translator
from bot.offices import office_for
from bot.services import checklists, reminders
from bot.services.profiles import CONSENT_GIVEN
from storage.models import Checklist, User


async def render_reminders(services: Services, items: list[Outgoing]) -> None:
    content = services.checklist
    default_zone = services.settings.timezone
    now = services.clock.now()
    async with services.sessions() as session:
        person_ids = {item.person_id for item in items if item.person_id is not None}
        people = {
            user.person_id: user
            for user in (
                await session.scalars(select(User).where(User.person_id.in_(person_ids)))
            ).all()
        }
        plans = {
            plan.person_id: plan
            for plan in (
                await session.scalars(select(Checklist).where(Checklist.person_id.in_(person_ids)))
            ).all()
        }
        for item in items:
            if item.skip_reason is not None:
                continue
            user, plan = people.get(item.person_id or 0), plans.get(item.person_id or 0)
            if user is None or user.consent != CONSENT_GIVEN or plan is None:
                item.skip_reason = "no consent"
                continue
            if user.reminders_off:
                item.skip_reason = "reminders off"
                continue
            if (wake := reminders.quiet_until(user, now, default_zone)) is not None:
                item.defer_until = wake
                continue
            view = await checklists.view(session, content, plan)
            if (reason := _stale(services, item.payload or {}, plan, user, view)) is not None:
                item.skip_reason = reason
                continue
            tz = reminders.zone(user, default_zone)
            _ = services.i18n.translator(user.locale).with_zone(tz)
            today = now.astimezone(tz).date()
            item.text = _text(_, services, item.payload or {}, view, plan, today)
            if item.text is None:
                item.skip_reason = "done"


def _stale(
    services: Services,
    payload: dict[str, object],
    plan: Checklist,
    user: User,
    view: checklists.View,
) -> str | None:
    """Why a reminder found late (after downtime) no longer makes sense, or None."""
    today = services.clock.now().astimezone(reminders.zone(user, services.settings.timezone))
    if "nudge" in payload and reminders.departed(plan.departure_on, today.date()):
        return "departed"
    if "r" in payload and reminders.overtaken(
        services.checklist, str(payload["r"]), plan.departure_on, today.date()
    ):
        return "overtaken"
    if "expiry" in payload:
        mark = view.marks.get(str(payload["expiry"]))
        expires_on = mark.expires_on if mark is not None else None
        return _expiry_stale(services, int(str(payload.get("days", 0))), expires_on, today.date())
    return None


def _expiry_stale(
    services: Services, days: int, expires_on: date | None, today: date
) -> str | None:
    """The departure rule (:func:`bot.services.reminders.overtaken`) for expiry reminders:
    each speaks for the days up to the next one (the 90-day one until the 30-day one's day,
    the last until the expiry date), so one found on or after its successor's day is left
    out, and none goes once the document has run out (from its expiry date on)."""
    if expires_on is None:
        return None
    if today >= expires_on:
        return "expired"
    later = [other for other in services.checklist.expiry_reminder_days if other < days]
    if today >= expires_on - timedelta(days=max(later, default=0)):
        return "overtaken"
    return None


def _text(
    _: Translator,
    services: Services,
    payload: dict[str, object],
    view: checklists.View,
    plan: Checklist,
    today: date,
) -> str | None:
    content = services.checklist
    if "r" in payload:
        reminder = content.reminders.get(str(payload["r"]))
        if reminder is None:
            return None
        missing = [content.items[i] for i in reminder.items if not view.done(i)]
        if reminder.items and not missing:
            return None
        when = plan.departure_on
        head = (
            _("⏰ <b>Departure reminder</b> – departure: {date}", date=_.date(when))
            if when is not None and reminder.offset_days < 0
            else _("⏰ <b>Reminder</b>")
        )
        lines = [head, _(reminder.text, office=office_for(_, content, plan.country))]
        if missing:
            lines.append(_("Still to do:") + "\n" + "\n".join(f"• {_(i.title)}" for i in missing))
        lines.append(_("/persiapan opens your checklist; /pengingat changes reminders."))
        return "\n\n".join(lines)
    if "expiry" in payload:
        item = content.items.get(str(payload["expiry"]))
        mark = view.marks.get(str(payload["expiry"]))
        if item is None or mark is None or mark.expires_on is None:
            return None
        return _.ngettext(
            "📅 Your {item} expires on {date}, in {n} day. Renew it in time, and never give it "
            "to anyone to renew for you.",
            "📅 Your {item} expires on {date}, in {n} days. Renew it in time, and never give it "
            "to anyone to renew for you.",
            (mark.expires_on - today).days,  # the days really left, even when found late
            item=_(item.title),
            date=_.date(mark.expires_on),
        )
    if "nudge" in payload:
        missing = view.missing
        if not missing:
            return None
        listing = "\n".join(f"• {_(item.title)}" for item in missing[:5])
        text = _.ngettext(
            "📝 {n} item of your departure checklist is still open:",
            "📝 {n} items of your departure checklist are still open:",
            len(missing),
        )
        return f"{text}\n{listing}\n\n" + _(
            "/persiapan opens your checklist; /pengingat changes reminders."
        )
    return None


async def after_reminder(services: Services, item: Outgoing) -> None:
    """After a nudge, plan the next one (a week on, if items are still open)."""
    if not (item.payload or {}).get("nudge"):
        return
    async with services.sessions() as session, session.begin():
        user = await session.get(User, item.person_id) if item.person_id else None
        if user is not None:
            await reminders.plan(
                session,
                user,
                services.checklist,
                now=services.clock.now() + timedelta(seconds=1),
                default_zone=services.settings.timezone,
            )
