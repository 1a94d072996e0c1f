"""A registered person opened another village's link (a poster's QR code): offer to move
them to that village, or keep theirs."""

from __future__ import annotations

from html import escape

from bot.conversation import Event, Turn, routes
from bot.conversation.routes import Route
from bot.services import profiles
from handlers.common import begin, end, step
from handlers.keyboards import choice
from handlers.navigation import at_step, go_home
from handlers.screen import button_value, show, with_notice

DIALOG = "village_switch"


async def offer_village_switch(
    event: Event, context: Turn, village_id: str, notice: str | None = None
) -> None:
    """A registered user opened another village's link: offer to move them there."""
    _ = context._
    village = context.services.villages.village(village_id)
    assert village is not None
    begin(context.user, DIALOG, "confirm", {"village": village_id})
    text = _(
        "This link is for the village of {village}. Is that your village now?",
        village=escape(village.name),
    )
    markup = choice(
        (_.pgettext("button", "Yes, change my village"), "vsw:yes"),
        (_.pgettext("button", "No, keep it"), "vsw:no"),
    )
    await show(event, context, with_notice(notice, text), markup)


@at_step(DIALOG, "confirm")
async def village_switch(event: Event, context: Turn) -> None:
    """Moves the user to the village of the link they opened, or leaves it."""
    user = context.user
    village_id = (user.dialog_data or {}).get("village")
    end(user)
    _ = context._
    if button_value(event) == "yes" and village_id and profiles.has_consent(user):
        profiles.set_village(user, village_id, None, context.services.clock.now())
        await go_home(event, context, notice=_("Your village has been changed."))
    else:
        await go_home(event, context, notice=_("Your village stays as it was."))


async def _ask_switch_again(event: Event, context: Turn, notice: str | None) -> None:
    village_id = (context.user.dialog_data or {}).get("village")
    if village_id is None or context.services.villages.village(village_id) is None:
        end(context.user)
        await go_home(event, context, notice=notice)
        return
    await offer_village_switch(event, context, village_id, notice)


step(DIALOG, "confirm")(_ask_switch_again)


ROUTES: list[Route] = [
    routes.choice(r"^vsw:(yes|no)$", village_switch),
]
