"""An announcement's text, its photo, and its versions in other languages."""

from __future__ import annotations

from bot.conversation import Event, Turn
from bot.telegram_html import html_to_plain, telegram_length
from handlers.announce_steps import (
    DIALOG,
    answers,
    back_rows,
    keep_row,
    too_long,
)
from handlers.common import goto, step
from handlers.keyboards import LANGUAGE_NAMES, keyboard
from handlers.navigation import ask, at_step, expired
from handlers.screen import button_value, show, with_notice

# --- text and photo -------------------------------------------------------------------


async def take_text(event: Event, context: Turn, text: str) -> None:
    """Stores the Indonesian text (formatting kept) and offers to add a photo."""
    data = answers(context)
    notice = too_long(context, telegram_length(text), photo=bool(data.get("photo")))
    if notice is not None:
        await ask(event, context, notice)
        return
    texts = {**data.get("texts", {}), "id": (event.formatted or "")}
    if data.get("editing"):
        goto(context.user, "preview", texts=texts)
        await ask(event, context)
        return
    goto(context.user, "photo", texts=texts)
    await ask(event, context)


async def take_photo_with_caption(event: Event, context: Turn) -> None:
    """A photo with its caption as the text."""
    photo = event.attachment.ref if event.attachment and event.attachment.kind == "photo" else None
    if photo is None:
        await ask(event, context, context._("Please send text, or a photo with a caption."))
        return
    caption = event.caption or ""
    if not caption.strip():
        await ask(
            event, context, context._("Please add the announcement text as the photo's caption.")
        )
        return
    if (notice := too_long(context, telegram_length(caption), photo=True)) is not None:
        await ask(event, context, notice)
        return
    texts = {**answers(context).get("texts", {}), "id": (event.formatted or "")}
    goto(context.user, "versions", texts=texts, photo=photo)
    await ask(event, context)


@step(DIALOG, "text", on_text=take_text, on_media=take_photo_with_caption)
async def ask_text(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    text = _(
        "<b>New announcement</b>\nSend the text in Indonesian. Bold, italics and links are "
        "kept as you write them. You may also send one photo with the text as its caption."
    )
    rows = back_rows(context)
    written = answers(context).get("texts", {}).get("id")
    if written:  # came back, or editing: the text given can be kept
        rows.insert(0, keep_row(context, " ".join(html_to_plain(written).split()), "an:keep"))
    rows.append([(_.pgettext("button", "Cancel"), "an:cancel")])
    await show(event, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "text")
async def keep_text(event: Event, context: Turn) -> None:
    """Keeps the text written before and goes on (to the preview, when editing)."""
    data = answers(context)
    if not data.get("texts", {}).get("id"):
        await expired(event, context)
        return
    if data.get("editing"):
        goto(context.user, "preview")
        await ask(event, context)
        return
    goto(context.user, "photo")
    await ask(event, context)


async def take_photo(event: Event, context: Turn) -> None:
    """Stores the photo sent after the text."""
    photo = event.attachment.ref if event.attachment and event.attachment.kind == "photo" else None
    if photo is None:
        await ask(event, context, context._("That is not a photo."))
        return
    text = html_to_plain(answers(context).get("texts", {}).get("id", ""))
    if (notice := too_long(context, telegram_length(text), photo=True)) is not None:
        await ask(event, context, notice)
        return
    goto(context.user, "versions", photo=photo)
    await ask(event, context)


@step(DIALOG, "photo", on_media=take_photo)
async def ask_photo(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    if answers(context).get("photo"):  # came back: the photo given can be kept or removed
        text = _("A photo is added. Send another one to replace it, or continue.")
        rows = [
            [(_.pgettext("button", "Keep the photo ▶️"), "an:skip")],
            [(_.pgettext("button", "No photo"), "an:nophoto")],
        ]
    else:
        text = _("Add a photo? Send it now, or continue without one.")
        rows = [[(_.pgettext("button", "No photo"), "an:skip")]]
    rows += back_rows(context)
    rows.append([(_.pgettext("button", "Cancel"), "an:cancel")])
    await show(event, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "photo")
async def skip_photo(event: Event, context: Turn) -> None:
    """Continues as it is (without a photo, or keeping the one added); ``an:nophoto``
    removes the photo added before."""
    if button_value(event) == "nophoto":
        goto(context.user, "versions", photo=None)
    else:
        goto(context.user, "versions")
    await ask(event, context)


# --- other languages ----------------------------------------------------------------------


@step(DIALOG, "versions")
async def ask_versions(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    texts = answers(context).get("texts", {})
    have = ", ".join(LANGUAGE_NAMES[code] for code in LANGUAGE_NAMES if code in texts)
    text = _(
        "Add the announcement in other languages? Each person receives it in their own "
        "language, or in Indonesian when there is no version in theirs.\nWritten so far: "
        "{languages}",
        languages=have,
    )
    rows = [
        [((("✓ " if code in texts else "") + LANGUAGE_NAMES[code]), f"an:lang:{code}")]
        for code in ("jv", "en")
    ]
    rows.append([(_.pgettext("button", "Continue ▸"), "an:vdone")])
    rows += back_rows(context)
    await show(event, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "versions")
async def chose_version(event: Event, context: Turn) -> None:
    """Asks for the text in the chosen language."""
    code = button_value(event)
    if code not in ("jv", "en"):
        await expired(event, context)
        return
    goto(context.user, "version", language=code)
    await ask(event, context)


async def take_version(event: Event, context: Turn, text: str) -> None:
    data = answers(context)
    notice = too_long(context, telegram_length(text), photo=bool(data.get("photo")))
    if notice is not None:
        await ask(event, context, notice)
        return
    texts = {**data.get("texts", {}), data.get("language", "jv"): (event.formatted or "")}
    goto(context.user, "versions", texts=texts)
    await ask(event, context)


@step(DIALOG, "version", on_text=take_version)
async def ask_version(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    language = LANGUAGE_NAMES.get(answers(context).get("language", "jv"), "")
    text = _("Send the text in {language}.", language=language)
    await show(event, context, with_notice(notice, text), keyboard(back_rows(context)))


@at_step(DIALOG, "versions")
async def versions_done(event: Event, context: Turn) -> None:
    """Moves on to the audience (or back to the preview when editing)."""
    if answers(context).get("editing"):
        goto(context.user, "preview")
        await ask(event, context)
        return
    goto(context.user, "audience")
    await ask(event, context)
