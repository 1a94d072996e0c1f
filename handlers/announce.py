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

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import BotContext
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
from handlers.common import Handlers, begin, end, goto, user_update
from handlers.navigation import ask, expired, go_home, step_back


@user_update
async def start(update: Update, context: BotContext) -> None:
    """Starts a new announcement (officers and admins only)."""
    allowed, _area, _scope = await sender_scope(context)
    if not allowed:
        await refuse(update, context)
        return
    begin(context.user, DIALOG, "text", {"texts": {}, "audience": Audience().to_json()})
    await ask(update, context)


@user_update
async def back(update: Update, context: BotContext) -> None:
    """« Back: one step back (:func:`before`), every answer kept. Pressed on an old message
    (another step now) or forged, it has expired like any stale button."""
    previous = await step_back(update, context, DIALOG, before)
    if previous is None:
        return
    allowed, _area, _scope = await sender_scope(context)
    if not allowed:
        await refuse(update, context)
        return
    goto(context.user, previous)
    await ask(update, context)


@user_update
async def cancel(update: Update, context: BotContext) -> None:
    """Drops the draft."""

    if context.user.dialog != DIALOG:
        await expired(update, context)
        return
    end(context.user)
    await go_home(update, context, notice=context._("The announcement was not sent."))


HANDLERS: Handlers = [
    CommandHandler("umumkan", start, filters=filters.ChatType.PRIVATE),
    CallbackQueryHandler(start, pattern=r"^an:new$"),
    CallbackQueryHandler(cancel, pattern=r"^an:cancel$"),
    CallbackQueryHandler(skip_photo, pattern=r"^an:(skip|nophoto)$"),
    CallbackQueryHandler(keep_text, pattern=r"^an:keep$"),
    CallbackQueryHandler(keep_when, pattern=r"^an:wkeep$"),
    CallbackQueryHandler(back, pattern=r"^an:back:[a-z_]{1,12}$"),
    CallbackQueryHandler(chose_version, pattern=r"^an:lang:[a-z]{2}$"),
    CallbackQueryHandler(versions_done, pattern=r"^an:vdone$"),
    CallbackQueryHandler(audience_done, pattern=r"^an:adone$"),
    CallbackQueryHandler(open_pick, pattern=r"^an:pick:[a-z]+$"),
    CallbackQueryHandler(toggle, pattern=r"^an:t:[a-z0-9-]+$"),
    CallbackQueryHandler(pick_done, pattern=r"^an:aud$"),
    CallbackQueryHandler(when_chosen, pattern=r"^an:(now|later)$"),
    CallbackQueryHandler(edit, pattern=r"^an:edit$"),
    CallbackQueryHandler(edit_chosen, pattern=r"^an:e:[a-z]+$"),
    CallbackQueryHandler(send, pattern=r"^an:send$"),
]
