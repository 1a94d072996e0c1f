"""Adding information to one's own open request (``/status`` → ➕): text, a photo, a
voice note or a document, each stored on the case and sent to its officers.
"""

from __future__ import annotations

from bot.conversation import Event, Turn
from bot.services import help_requests as cases
from handlers.common import begin, end, step, user_update
from handlers.help_description import attachment_of
from handlers.help_mine import (
    ADD_DIALOG,
    own_case,
    refusal,
    store_info,
)
from handlers.keyboards import keyboard
from handlers.navigation import MY_REQUESTS, expired, open_screen, reprompt
from handlers.screen import button_number, pressed_on_page, show, with_notice

# --- adding information ----------------------------------------------------------------


@user_update
async def add(event: Event, context: Turn) -> None:
    context.reply_as_new = not pressed_on_page(event, "hr:list")
    case = await own_case(context, button_number(event, 2))
    if case is None or case.status not in cases.OPEN:
        await expired(event, context)
        return
    begin(context.user, ADD_DIALOG, "info", {"case": case.id, "reference": case.reference})
    await ask_info(event, context, None)


@step(ADD_DIALOG, "info")
async def ask_info(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    data = context.user.dialog_data or {}
    text = _(
        "Write what you want to add to {reference}, or send a photo or a voice note. "
        "Everything goes to the officer handling it.",
        reference=data.get("reference", ""),
    )
    rows = [[(_.pgettext("button", "✔️ Done"), f"hr:v:{data.get('case', 0)}")]]
    await show(event, context, with_notice(notice, text), keyboard(rows))


async def _add_to_case(
    event: Event, context: Turn, text: str | None, file: dict[str, str] | None
) -> None:
    _ = context._
    case_id = int((context.user.dialog_data or {}).get("case", 0))
    case = await own_case(context, case_id)
    if case is None or case.status not in cases.OPEN:
        end(context.user)
        await open_screen(
            MY_REQUESTS, event, context, _("That request is closed; nothing was added.")
        )
        return
    refused = await refusal(context, case, file)
    if refused is not None:
        context.reply_as_new = True
        await ask_info(event, context, refused)
        return
    notice = await store_info(context, case, text, file)
    context.reply_as_new = True
    await ask_info(event, context, notice)


async def typed_info(event: Event, context: Turn, text: str) -> None:
    await _add_to_case(event, context, text, None)


async def media_info(event: Event, context: Turn) -> None:
    attachment = attachment_of(event)
    if attachment is None:
        await reprompt(
            event,
            context,
            context._("Here I can take text, a photo of a document or a voice note."),
        )
        return
    await _add_to_case(event, context, event.caption, attachment)


step(ADD_DIALOG, "info", on_text=typed_info, on_media=media_info)(ask_info)
