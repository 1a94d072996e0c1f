"""Asking for a village, shared by onboarding and profile editing.

Two steps inside the host dialog: ``village`` (a button per Desmigratif village, plus
"Another village…") and ``village_other`` (the name typed). When the answer is known the
picker calls ``done(event, context, village_id, other_village)`` and the host dialog
goes on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.conversation import Event, Turn, routes
from bot.services import profiles
from handlers.common import goto, step
from handlers.keyboards import village_keyboard
from handlers.navigation import at_step, expired
from handlers.screen import button_value, show, with_notice

Done = Callable[[Event, Turn, str | None, str | None], Awaitable[None]]


class VillagePicker:
    def __init__(self, dialog: str, prefix: str, done: Done, *, from_link: bool) -> None:
        """``from_link``: the village pre-selected in ``dialog_data["village"]`` came from a
        poster's deep link (onboarding), not from the user's profile."""
        self.dialog, self.prefix, self.done, self.from_link = dialog, prefix, done, from_link
        step(dialog, "village")(self.ask)
        step(dialog, "village_other", on_text=self.typed)(self.ask_name)
        self.route = routes.choice(
            rf"^{prefix}:[a-z0-9-]+$", at_step(dialog, "village")(self.chose)
        )

    async def ask(self, event: Event, context: Turn, notice: str | None) -> None:
        _ = context._
        preselected = (context.user.dialog_data or {}).get("village")
        text = _("Which village do you live in?")
        if preselected and self.from_link:
            text = _("Which village do you live in? The link you opened names the one marked ✅.")
        markup = village_keyboard(_, context.services.villages, self.prefix, preselected)
        await show(event, context, with_notice(notice, text), markup)

    async def chose(self, event: Event, context: Turn) -> None:
        """Takes the pressed village, or asks for the name of another one."""
        village_id = button_value(event)
        if village_id == "other":
            goto(context.user, "village_other")
            await self.ask_name(event, context, None)
            return
        if context.services.villages.village(village_id) is None:
            await expired(event, context)
            return
        await self.done(event, context, village_id, None)

    async def ask_name(self, event: Event, context: Turn, notice: str | None) -> None:
        text = context._("Please type the name of your village and its kecamatan (sub-district).")
        await show(event, context, with_notice(notice, text))

    async def typed(self, event: Event, context: Turn, text: str) -> None:
        """Takes a typed village name, or asks again when it is not a usable name."""
        name = profiles.clean_village_name(text)
        if name is None:
            notice = context._(
                "Please type just the name of your village, in letters (at most {limit} "
                "characters).",
                limit=profiles.MAX_VILLAGE_NAME,
            )
            await self.ask_name(event, context, notice)
            return
        await self.done(event, context, None, name)
