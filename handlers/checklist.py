"""The departure checklist: ``/persiapan`` (menu: 🧳 Checklist).

One message shows the checklist grouped, with progress (``7 / 15`` and a bar); it is edited
in place as the user opens item pages and ticks items. An item page says why it matters,
where to get it, what it costs (free items name the law that makes them free) and the
warning signs around it; items such as the passport take an expiry date, and the bot
reminds before it runs out. "Share with family" sends a plain-text summary to forward.
"""

from __future__ import annotations

from html import escape

from bot.content.checklist import GROUPS, Item
from bot.conversation import Event, Turn, routes
from bot.conversation.routes import Route
from bot.offices import office_for
from bot.services import checklists, profiles
from bot.services.dates import DateError, parse_day
from handlers.checklist_answers import DIALOG, date_problem
from handlers.checklist_public import show_steps
from handlers.checklist_setup import begin_change, begin_setup
from handlers.checklist_text import bar, departure, group_labels, item_text, summary_line
from handlers.common import begin, end, replan_reminders, step, user_update
from handlers.keyboards import keyboard
from handlers.navigation import CHECKLIST, expired, reprompt, screen
from handlers.screen import button_value, show, with_notice
from storage.models import Checklist


@screen(CHECKLIST)
async def show_checklist(event: Event, context: Turn, notice: str | None = None) -> None:
    """The whole checklist with progress, edited in place."""
    _ = context._
    content = context.services.checklist
    plan = await checklists.get(context.db, context.user.person_id)
    if plan is None:
        await begin_setup(event, context, notice)
        return
    view = await checklists.view(context.db, content, plan)
    done, total = view.progress
    lines = [
        _("<b>🧳 Departure checklist</b>"),
        summary_line(context, plan),
        _("Progress: {done} / {total}", done=done, total=total) + f"  {bar(done, total)}",
    ]
    # The items are the buttons below; the text gives each group's progress, so the
    # message stays short on a small screen.
    labels = group_labels(context)
    lines.append("")
    for group in GROUPS:
        in_group = [item for item in view.items if item.group == group]
        if in_group:
            ticked = sum(1 for item in in_group if view.done(item.id))
            lines.append(f"{labels[group]}: {ticked} / {len(in_group)}")
    lines.append("\n" + _("Tap an item to see why it matters, where to get it and what it costs."))
    rows: list[list[tuple[str, str]]] = [
        [(("✅ " if view.done(item.id) else "⬜ ") + _(item.title), f"cl:i:{item.id}")]
        for item in view.items
    ]
    rows += [
        [(_.pgettext("button", "📤 Share with family"), "cl:share")],
        [
            (_.pgettext("button", "⚙️ Change answers"), "cl:setup"),
            (_.pgettext("button", "⏰ Reminders"), "rem:open"),
        ],
        [(_.pgettext("button", "« Menu"), "menu:main")],
    ]
    await show(event, context, with_notice(notice, "\n".join(lines)), keyboard(rows))


@user_update
async def checklist_command(event: Event, context: Turn) -> None:
    """Shows the checklist (set-up first, the first time)."""
    if profiles.is_registered(context.user) and not profiles.has_consent(context.user):
        end(context.user)  # public information: the steps, read-only, nothing kept
        await show_steps(event, context)
        return
    if not profiles.has_consent(context.user):
        notice = context._(
            "The checklist keeps your plans, so it needs your agreement to data processing "
            "first. Send /start to give it."
        )
        await reprompt(event, context, notice)
        return
    end(context.user)
    await show_checklist(event, context)


@user_update
async def open_checklist(event: Event, context: Turn) -> None:
    """The checklist from a button (menu, item page)."""
    if profiles.is_registered(context.user) and not profiles.has_consent(context.user):
        end(context.user)
        await show_steps(event, context)
        return
    if not profiles.has_consent(context.user):
        await expired(event, context)
        return
    end(context.user)
    await show_checklist(event, context)


@user_update
async def change_answers(event: Event, context: Turn) -> None:
    if not profiles.has_consent(context.user):
        await expired(event, context)
        return
    plan = await checklists.get(context.db, context.user.person_id)
    if plan is None:
        await begin_setup(event, context)
        return
    # One answer at a time: the others, the ticks and the expiry dates stay as they are.
    await begin_change(event, context, plan)


async def _own_item(event: Event, context: Turn) -> tuple[Checklist, Item] | None:
    """The pressed item if it belongs to this user's checklist; else the button expired."""

    plan = await checklists.get(context.db, context.user.person_id)
    item_id = button_value(event)
    content = context.services.checklist
    if (
        plan is None
        or not profiles.has_consent(context.user)
        or not checklists.applies(content, plan, item_id)
    ):
        await expired(event, context)
        return None
    return plan, content.items[item_id]


async def show_item(event: Event, context: Turn, item: Item, notice: str | None = None) -> None:
    _ = context._
    marks = await checklists.marks(context.db, context.user.person_id)
    mark = marks.get(item.id)
    done = mark is not None and mark.ticked_at is not None
    plan = await checklists.get(context.db, context.user.person_id)
    office = office_for(_, context.services.checklist, plan.country if plan else None)
    # The button says what a tap does (an action), not the item's state (glossary).
    toggle = (
        _.pgettext("button", "↩️ Mark as not done")
        if done
        else _.pgettext("button", "✅ Mark as done")
    )
    rows = [[(toggle, f"cl:t:{item.id}")]]
    if item.expiry:
        rows.append([(_.pgettext("button", "📅 Enter the expiry date"), f"cl:d:{item.id}")])
    rows.append([(_.pgettext("button", "« Checklist"), "cl:v")])
    text = item_text(context, item, done, mark.expires_on if mark else None, office)
    await show(event, context, with_notice(notice, text), keyboard(rows))


@user_update
async def open_item(event: Event, context: Turn) -> None:
    """Shows one item's page."""
    found = await _own_item(event, context)
    if found is not None:
        end(context.user)
        await show_item(event, context, found[1])


@user_update
async def toggle_item(event: Event, context: Turn) -> None:
    """Ticks or unticks the item, re-plans reminders, shows the checklist's progress."""
    found = await _own_item(event, context)
    if found is None:
        return
    _plan, item = found
    services = context.services
    now = services.clock.now()
    await checklists.toggle(context.db, context.user.person_id, item.id, now)
    await replan_reminders(context)
    end(context.user)
    await show_checklist(event, context)


@user_update
async def ask_expiry_date(event: Event, context: Turn) -> None:
    found = await _own_item(event, context)
    if found is None or not found[1].expiry:
        if found is not None:
            await expired(event, context)
        return
    begin(context.user, DIALOG, "expiry", {"item": found[1].id})
    await ask_expiry(event, context, None)


async def typed_expiry(event: Event, context: Turn, text: str) -> None:
    services = context.services
    item_id = (context.user.dialog_data or {}).get("item", "")
    item = services.checklist.items.get(item_id)
    if item is None:
        end(context.user)
        await show_checklist(event, context)
        return
    today = services.clock.now().astimezone(context._.tz).date()
    try:
        day = parse_day(text, today=today, max_years=15, month_day="last")
    except DateError as exc:
        await ask_expiry(event, context, date_problem(context, exc.reason))
        return
    await checklists.set_expiry(context.db, context.user.person_id, item_id, day.value)
    await replan_reminders(context)
    end(context.user)
    notice = _expiry_saved(context, (day.value - today).days)
    if day.month_only:  # an expiry given as a month: valid through that month
        notice += "\n" + context._(
            "You gave the month only: I count it as valid until {date}, its last day.",
            date=context._.date(day.value),
        )
    await show_item(event, context, item, notice)


def _expiry_saved(context: Turn, days_left: int) -> str:
    """Promise only the reminders still ahead: one due today or earlier is not promised
    (it may already be past 09:00), and a date too close for any gets advice instead."""
    _ = context._
    ahead = [d for d in context.services.checklist.expiry_reminder_days if d < days_left]
    if ahead:
        return _(
            "Saved. I will remind you {days} days before it runs out.",
            days=" / ".join(str(d) for d in ahead),
        )
    if days_left <= 0:
        return _("Saved. It runs out today: please renew it as soon as you can.")
    return _.ngettext(
        "Saved. It runs out in {n} day, too soon for a reminder: please renew it now.",
        "Saved. It runs out in {n} days, too soon for a reminder: please renew it now.",
        days_left,
    )


@step(DIALOG, "expiry", on_text=typed_expiry)
async def ask_expiry(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    item = context.services.checklist.items.get((context.user.dialog_data or {}).get("item", ""))
    title = _(item.title) if item else ""
    text = _(
        "Until when is it valid ({item})? Type the date, for example 15-03-2030, or the month, "
        "for example Maret 2030.",
        item=escape(title),
    )
    await show(event, context, with_notice(notice, text))


@user_update
async def share(event: Event, context: Turn) -> None:
    """A plain-text summary to forward to the family."""

    _ = context._
    plan = await checklists.get(context.db, context.user.person_id)
    if plan is None or not profiles.has_consent(context.user):
        await expired(event, context)
        return
    view = await checklists.view(context.db, context.services.checklist, plan)
    done, total = view.progress
    sector = context.services.checklist.sectors.get(plan.sector or "")
    country = context.services.checklist.countries.get(plan.country or "")
    lines = [
        _("Departure preparation — summary"),
        _("Destination: {value}", value=_(country.name) if country else plan.country_other or "–"),
        _("Work: {value}", value=_(sector.name) if sector else "–"),
        _("Departure: {value}", value=departure(context, plan)),
        _("Agency: {value}", value=plan.agency or "–"),
        "",
        _("Done ({done} of {total}):", done=done, total=total),
        *[f"✓ {_(item.title)}" for item in view.items if view.done(item.id)],
        "",
        _("Still missing:"),
        *[f"✗ {_(item.title)}" for item in view.missing],
        "",
        _(
            "Help lines: KemenP2MI/BP2MI 0800-1000 (free, 24 hours), police 110. The worker "
            "keeps their own passport."
        ),
    ]
    # Plain text, no formatting: it is meant to be forwarded or copied as it is.
    context.replies.send(event.chat, "\n".join(lines), plain=True)


ROUTES: list[Route] = [
    routes.command("persiapan", checklist_command),
    routes.choice(r"^cl:v$", open_checklist),
    routes.choice(r"^cl:setup$", change_answers),
    routes.choice(r"^cl:i:[a-z0-9-]+$", open_item),
    routes.choice(r"^cl:t:[a-z0-9-]+$", toggle_item),
    routes.choice(r"^cl:d:[a-z0-9-]+$", ask_expiry_date),
    routes.choice(r"^cl:share$", share),
]
