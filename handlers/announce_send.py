"""An announcement's preview (a copy sent to the officer), editing it, and sending it:
the announcement and one delivery row per recipient, in this event's transaction.
"""

from __future__ import annotations

from datetime import datetime

from bot.announcement_text import framed
from bot.conversation import Event, Turn
from bot.services import announcements
from bot.services.announcements import Draft
from handlers.announce_steps import (
    DIALOG,
    EDITABLE,
    answers,
    audience_of,
    back_rows,
    refuse,
    sender_scope,
)
from handlers.common import end, goto, step
from handlers.keyboards import LANGUAGE_NAMES, keyboard
from handlers.navigation import ask, at_step, expired
from handlers.screen import button_value, show, with_notice

# --- preview, edit, send --------------------------------------------------------------------


async def _send_copy(context: Turn, chat_id: int, text: str, photo: str | None) -> None:
    if photo:
        context.replies.send_file("photo", chat_id, photo, text)
    else:
        context.replies.send(chat_id, text)


@step(DIALOG, "preview")
async def show_preview(event: Event, context: Turn, notice: str | None) -> None:
    """Shows each language's version exactly as recipients get it, then Send/Edit/Cancel."""
    _ = context._
    data = answers(context)
    texts: dict[str, str] = data.get("texts", {})
    _allowed, area_id, scope = await sender_scope(context)
    for code in LANGUAGE_NAMES:
        if code in texts:
            as_sent = framed(
                context.services.i18n.translator(code), context.services, area_id, texts[code]
            )
            await _send_copy(context, event.chat, as_sent, data.get("photo"))
    count = await announcements.count_recipients(context.db, scope, audience_of(context))
    when = _.datetime(datetime.fromisoformat(data["at"])) if data.get("at") else _("now")
    summary = _(
        "<b>Preview above.</b> Languages: {languages}\nRecipients: {count}\nSending: {when}",
        languages=", ".join(LANGUAGE_NAMES[c] for c in LANGUAGE_NAMES if c in texts),
        count=_.number(count),
        when=when,
    )
    rows = [
        [(_.pgettext("button", "Send"), "an:send")],
        [(_.pgettext("button", "Edit"), "an:edit"), (_.pgettext("button", "Cancel"), "an:cancel")],
        *back_rows(context),
    ]
    context.reply_as_new = True
    await show(event, context, with_notice(notice, summary), keyboard(rows))


@at_step(DIALOG, "preview")
async def edit(event: Event, context: Turn) -> None:
    goto(context.user, "edit", editing=True)
    await ask(event, context)


@step(DIALOG, "edit")
async def ask_edit(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    rows = [
        [
            (_.pgettext("button", "Text"), "an:e:text"),
            (_.pgettext("button", "Languages"), "an:e:versions"),
        ],
        [
            (_.pgettext("button", "Audience"), "an:e:audience"),
            (_.pgettext("button", "Time"), "an:e:when"),
        ],
        [(_.pgettext("button", "« Back to the preview"), "an:e:preview")],
    ]
    await show(
        event, context, with_notice(notice, _("What do you want to change?")), keyboard(rows)
    )


@at_step(DIALOG, "edit")
async def edit_chosen(event: Event, context: Turn) -> None:
    target = button_value(event)
    if target not in (*EDITABLE, "preview"):
        await expired(event, context)
        return
    goto(context.user, target)
    await ask(event, context)


@at_step(DIALOG, "preview")
async def send(event: Event, context: Turn) -> None:
    """Creates the announcement and its delivery rows in this event's transaction."""
    _ = context._
    allowed, area_id, scope = await sender_scope(context)
    if not allowed:
        await refuse(event, context)
        return
    data = answers(context)
    now = context.services.clock.now()
    at = data.get("at")
    moment = datetime.fromisoformat(at) if at else now
    if moment < now:
        goto(context.user, "when")
        await ask(event, context, _("That time has already passed."))
        return
    audience = audience_of(context)
    try:
        announcements.check_scope(audience, scope)
    except announcements.OutOfScope:
        await refuse(event, context)
        return
    if await announcements.count_recipients(context.db, scope, audience) == 0:
        goto(context.user, "audience")
        await ask(event, context, _("Nobody would receive this. Please widen the audience."))
        return
    draft = Draft(
        texts=data.get("texts", {}),
        photo=data.get("photo"),
        audience=audience,
        scheduled_at=moment,
    )
    announcement = await announcements.create(
        context.db,
        officer_id=context.user.person_id,
        area_id=area_id,
        scope=scope,
        draft=draft,
        now=now,
    )
    end(context.user)
    if at:
        text = _.ngettext(
            "Announcement #{id} is planned for {when} to {n} person. /pengumuman shows it and "
            "can cancel it before then.",
            "Announcement #{id} is planned for {when} to {n} people. /pengumuman shows it and "
            "can cancel it before then.",
            announcement.total,
            id=announcement.id,
            when=_.datetime(moment),
        )
    else:
        text = _.ngettext(
            "Announcement #{id} is being sent to {n} person. Progress follows below.",
            "Announcement #{id} is being sent to {n} people. Progress follows below.",
            announcement.total,
            id=announcement.id,
        )
    await show(event, context, text)
