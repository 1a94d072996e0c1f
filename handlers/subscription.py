"""``/berhenti`` stops announcements for the user, ``/mulai`` starts them again.

Only announcements: replies to the user's own help requests still reach them.
"""

from __future__ import annotations

from bot.conversation import Event, Turn, routes
from bot.conversation.routes import Route
from bot.services import profiles
from handlers.common import user_update
from handlers.navigation import reprompt


@user_update
async def stop(event: Event, context: Turn) -> None:
    """Stops announcements."""
    await _switch(event, context, off=True)


@user_update
async def resume(event: Event, context: Turn) -> None:
    """Starts announcements again."""
    await _switch(event, context, off=False)


async def _switch(event: Event, context: Turn, *, off: bool) -> None:

    _ = context._
    if not profiles.has_consent(context.user):
        await reprompt(
            event,
            context,
            _("Announcements only go to registered people who agreed to data processing."),
        )
        return
    profiles.set_announcements(context.user, off=off, now=context.services.clock.now())
    if off:
        notice = _("You will no longer receive announcements. Send /mulai to receive them again.")
    else:
        notice = _("You will receive announcements again. Send /berhenti to stop them.")
    await reprompt(event, context, notice)


ROUTES: list[Route] = [
    routes.command("berhenti", stop),
    routes.command("mulai", resume),
]
