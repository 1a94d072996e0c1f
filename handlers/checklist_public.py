"""The legal steps to work abroad, read-only, for someone who declined data processing.

The consent screen promises that public information stays open to them. The checklist's
items are public (the legal procedure, what each step costs, where to get it, the warning
signs); only a person's own checklist (destination, dates, ticks, reminders) is personal.
So ``/persiapan`` and the menu show them the general steps with the same item pages,
without ticks or expiry dates, and nothing about them is read or written.
"""

from __future__ import annotations

from bot.content.checklist import Item
from bot.conversation import Event, Turn, routes
from bot.conversation.routes import Route
from bot.offices import office_name
from bot.services import profiles
from handlers.checklist_text import group_labels, item_text
from handlers.common import user_update
from handlers.keyboards import keyboard
from handlers.navigation import CHECKLIST, expired, open_screen
from handlers.screen import show

# The scheme most people leave by (through a licensed agency): its steps include every
# general one; destination and work are unknown, so every item that applies to any of
# them is shown.
GENERAL_SCHEME = "p3mi"


def general_steps(context: Turn) -> list[Item]:
    return context.services.checklist.items_for(GENERAL_SCHEME, None, None)


async def show_steps(event: Event, context: Turn) -> None:
    """The general steps, grouped; each item opens its page."""
    _ = context._
    items = general_steps(context)
    labels = group_labels(context)
    lines = [
        _("<b>🧳 The legal steps to work abroad</b>"),
        _(
            "These are the steps of the legal procedure for working abroad. Nothing is saved "
            "for you: to tick items, get reminders and a checklist for your destination, "
            "agree to data processing with /start."
        ),
        "",
    ]
    groups = dict.fromkeys(item.group for item in items)
    lines += [f"{labels[group]}: {sum(item.group == group for item in items)}" for group in groups]
    lines.append("\n" + _("Tap an item to see why it matters, where to get it and what it costs."))
    rows = [[(_(item.title), f"cp:i:{item.id}")] for item in items]
    rows.append([(_.pgettext("button", "« Menu"), "menu:main")])
    await show(event, context, "\n".join(lines), keyboard(rows))


@user_update
async def open_steps(event: Event, context: Turn) -> None:
    if not await _public_only(event, context):
        await show_steps(event, context)


@user_update
async def open_step(event: Event, context: Turn) -> None:
    if await _public_only(event, context):
        return
    _ = context._
    item_id = event.choice.removeprefix("cp:i:")
    item = next((item for item in general_steps(context) if item.id == item_id), None)
    if item is None:  # forged, or an item removed from the content since
        await expired(event, context)
        return
    # No destination is known: the office is named in general words.
    text = item_text(context, item, None, None, office_name(_, None))
    rows = [
        [(_.pgettext("button", "« Back to the steps"), "cp:v")],
        [(_.pgettext("button", "« Menu"), "menu:main")],
    ]
    await show(event, context, text, keyboard(rows))


async def _public_only(event: Event, context: Turn) -> bool:
    """Someone with a checklist of their own gets it instead (an old button pressed after
    agreeing); someone still setting up is asked to finish first. True when handled."""
    user = context.user
    if profiles.has_consent(user):
        await open_screen(CHECKLIST, event, context)
        return True
    if not profiles.is_registered(user):
        await expired(event, context)
        return True
    return False


ROUTES: list[Route] = [
    routes.choice(r"^cp:v$", open_steps),
    routes.choice(r"^cp:i:[a-z0-9-]{1,40}$", open_step),
]
