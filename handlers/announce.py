"""``/umumkan``: an officer writes an announcement, picks the audience and the time,
previews it and sends it.

```mermaid
stateDiagram-v2
    [*] --> text: /umumkan or an:new (officers and admins only)
    text --> photo: typed text
    text --> versions: photo with caption
    photo --> versions: photo / an:skip
    versions --> version: an:lang:jv|en
    version --> versions: typed text
    versions --> audience: an:vdone
    audience --> pick: an:pick:villages|roles|locales
    pick --> audience: an:aud
    audience --> when: an:adone (refused while nobody would receive it)
    when --> when_typed: an:later
    when --> preview: an:now
    when_typed --> preview: typed date and time
    preview --> edit: an:edit
    edit --> text/versions/audience/when: then back to preview
    preview --> [*]: an:send (rows created) / an:cancel
```

"« Back" (``an:back:<step>``, the step it was shown at) goes one step back (:func:`before`;
while editing, to the list of what to change), every answer kept: the text and the time
given are offered to keep, the photo to keep or remove, the choices are marked.

Everything typed is kept in ``users.dialog_data``; the audience is checked against the
officer's area at every step and again when sending, so edited callback data cannot
reach anyone outside it.
"""

from __future__ import annotations

from bot.conversation import Event, Turn, routes
from bot.conversation.routes import Route
from bot.services.announcements import Audience
from handlers.announce_audience import (
    audience_done,
    keep_when,
    open_pick,
    pick_done,
    toggle,
    when_chosen,
)
from handlers.announce_send import edit, edit_chosen, send
from handlers.announce_steps import (
    DIALOG,
    before,
    refuse,
    sender_scope,
)
from handlers.announce_text import chose_version, keep_text, skip_photo, versions_done
from handlers.common import begin, end, goto, user_update
from handlers.navigation import ask, expired, go_home, step_back


@user_update
async def start(event: Event, context: Turn) -> None:
    """Starts a new announcement (officers and admins only)."""
    allowed, _area, _scope = await sender_scope(context)
    if not allowed:
        await refuse(event, context)
        return
    begin(context.user, DIALOG, "text", {"texts": {}, "audience": Audience().to_json()})
    await ask(event, context)


@user_update
async def back(event: Event, context: Turn) -> None:
    """« Back: one step back (:func:`before`), every answer kept. Pressed on an old message
    (another step now) or forged, it has expired like any stale button."""
    previous = await step_back(event, context, DIALOG, before)
    if previous is None:
        return
    allowed, _area, _scope = await sender_scope(context)
    if not allowed:
        await refuse(event, context)
        return
    goto(context.user, previous)
    await ask(event, context)


@user_update
async def cancel(event: Event, context: Turn) -> None:
    """Drops the draft."""

    if context.user.dialog != DIALOG:
        await expired(event, context)
        return
    end(context.user)
    await go_home(event, context, notice=context._("The announcement was not sent."))


ROUTES: list[Route] = [
    routes.command("umumkan", start),
    routes.choice(r"^an:new$", start),
    routes.choice(r"^an:cancel$", cancel),
    routes.choice(r"^an:(skip|nophoto)$", skip_photo),
    routes.choice(r"^an:keep$", keep_text),
    routes.choice(r"^an:wkeep$", keep_when),
    routes.choice(r"^an:back:[a-z_]{1,12}$", back),
    routes.choice(r"^an:lang:[a-z]{2}$", chose_version),
    routes.choice(r"^an:vdone$", versions_done),
    routes.choice(r"^an:adone$", audience_done),
    routes.choice(r"^an:pick:[a-z]+$", open_pick),
    routes.choice(r"^an:t:[a-z0-9-]+$", toggle),
    routes.choice(r"^an:aud$", pick_done),
    routes.choice(r"^an:(now|later)$", when_chosen),
    routes.choice(r"^an:edit$", edit),
    routes.choice(r"^an:e:[a-z]+$", edit_chosen),
    routes.choice(r"^an:send$", send),
]
