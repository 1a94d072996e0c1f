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

from collections.abc import Collection
from datetime import datetime
from html import escape
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.announcement_text import framed
from bot.context import BotContext
from bot.services import announcements
from bot.services.announcements import MAX_CAPTION, MAX_TEXT, Audience, Draft
from bot.services.when import WhenError, parse_when
from bot.telegram_html import html_to_plain, telegram_length
from handlers.common import (
    Handlers,
    Prompt,
    at_step,
    begin,
    end,
    expired,
    go_home,
    goto,
    is_admin,
    load_officer,
    step,
    step_back,
    user_update,
)
from handlers.keyboards import LANGUAGE_NAMES, keyboard, role_labels
from handlers.screen import button_value, show, with_notice

DIALOG = "announce"
PICKS = ("villages", "roles", "locales")
EDITABLE = ("text", "versions", "audience", "when")
KEPT_SHOWN = 24  # characters of a text or time on its "Keep" button (a date and time fits)

# "« Back": the step before each step (None: no Back; the pick has its Done, the edit
# list its "« Back to the preview").
BACK: dict[str, str] = {
    "photo": "text",
    "versions": "photo",
    "version": "versions",
    "audience": "versions",
    "when": "audience",
    "when_typed": "when",
    "preview": "when",
}


def before(step_name: str, data: dict[str, Any]) -> str | None:
    """The step "« Back" leads to from ``step_name``; while editing, the edit list."""
    if data.get("editing") and step_name in EDITABLE:
        return "edit"
    return BACK.get(step_name)


# --- who may announce, to whom -----------------------------------------------------------


async def sender_scope(context: BotContext) -> tuple[bool, str | None, Collection[str] | None]:
    """``(allowed, area_id, village_ids)``; admins have no limit (``None``)."""
    if is_admin(context):
        return True, None, None
    officer = await load_officer(context)
    if officer is None:
        return False, None, None
    area = context.services.villages.area(officer.area_id)
    return area is not None, officer.area_id, area.village_ids if area else frozenset()


def _data(context: BotContext) -> dict[str, Any]:
    return dict(context.user.dialog_data or {})


def _back_rows(context: BotContext) -> list[list[tuple[str, str]]]:
    """« Back, where the current step has a step before it."""
    here = context.user.step or ""
    if before(here, _data(context)) is None:
        return []
    return [[(context._.pgettext("button", "« Back"), f"an:back:{here}")]]


def _keep_row(context: BotContext, answer: str, data: str) -> list[tuple[str, str]]:
    short = answer if len(answer) <= KEPT_SHOWN else answer[: KEPT_SHOWN - 1].rstrip() + "…"
    return [(context._.pgettext("button", "Keep: {answer} ▶️", answer=short), data)]


def _audience(context: BotContext) -> Audience:
    return Audience.from_json(_data(context).get("audience"))


async def _refuse(update: Update, context: BotContext) -> None:

    end(context.user)
    await go_home(update, context, notice=context._("Only officers can send announcements."))


def too_long(context: BotContext, length: int, *, photo: bool) -> str | None:
    """Why a text of ``length`` visible characters cannot be sent, or None if it can.

    With a photo the text is its caption, which Telegram limits to 1024 characters; both
    limits keep room for the sender line and the /berhenti line recipients also get.
    """
    _ = context._
    limit = MAX_CAPTION if photo else MAX_TEXT
    if length <= limit:
        return None
    if photo:
        return _(
            "With a photo the text can have at most {limit} characters; this one has {count}.",
            count=_.number(length),
            limit=_.number(limit),
        )
    return _(
        "This text has {count} characters; an announcement can have at most {limit}.",
        count=_.number(length),
        limit=_.number(limit),
    )


@user_update
async def start(update: Update, context: BotContext) -> None:
    """Starts a new announcement (officers and admins only)."""
    allowed, _area, _scope = await sender_scope(context)
    if not allowed:
        await _refuse(update, context)
        return
    begin(context.user, DIALOG, "text", {"texts": {}, "audience": Audience().to_json()})
    await ask_text(update, context, None)


# --- text and photo -------------------------------------------------------------------


async def take_text(update: Update, context: BotContext, text: str) -> None:
    """Stores the Indonesian text (formatting kept) and offers to add a photo."""
    message = update.effective_message
    assert message is not None
    data = _data(context)
    notice = too_long(context, telegram_length(text), photo=bool(data.get("photo")))
    if notice is not None:
        await ask_text(update, context, notice)
        return
    texts = {**data.get("texts", {}), "id": message.text_html}
    if data.get("editing"):
        goto(context.user, "preview", texts=texts)
        await show_preview(update, context, None)
        return
    goto(context.user, "photo", texts=texts)
    await ask_photo(update, context, None)


async def take_photo_with_caption(update: Update, context: BotContext) -> None:
    """A photo with its caption as the text."""
    message = update.effective_message
    assert message is not None
    if not message.photo:
        await ask_text(update, context, context._("Please send text, or a photo with a caption."))
        return
    caption = message.caption or ""
    if not caption.strip():
        await ask_text(
            update, context, context._("Please add the announcement text as the photo's caption.")
        )
        return
    if (notice := too_long(context, telegram_length(caption), photo=True)) is not None:
        await ask_text(update, context, notice)
        return
    texts = {**_data(context).get("texts", {}), "id": message.caption_html}
    goto(context.user, "versions", texts=texts, photo=message.photo[-1].file_id)
    await ask_versions(update, context, None)


@step(DIALOG, "text", on_text=take_text, on_media=take_photo_with_caption)
async def ask_text(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    text = _(
        "<b>New announcement</b>\nSend the text in Indonesian. Bold, italics and links are "
        "kept as you write them. You may also send one photo with the text as its caption."
    )
    rows = _back_rows(context)
    written = _data(context).get("texts", {}).get("id")
    if written:  # came back, or editing: the text given can be kept
        rows.insert(0, _keep_row(context, " ".join(html_to_plain(written).split()), "an:keep"))
    rows.append([(_.pgettext("button", "Cancel"), "an:cancel")])
    await show(update, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "text")
async def keep_text(update: Update, context: BotContext) -> None:
    """Keeps the text written before and goes on (to the preview, when editing)."""
    data = _data(context)
    if not data.get("texts", {}).get("id"):
        await expired(update, context)
        return
    if data.get("editing"):
        goto(context.user, "preview")
        await show_preview(update, context, None)
        return
    goto(context.user, "photo")
    await ask_photo(update, context, None)


async def take_photo(update: Update, context: BotContext) -> None:
    """Stores the photo sent after the text."""
    message = update.effective_message
    assert message is not None
    if not message.photo:
        await ask_photo(update, context, context._("That is not a photo."))
        return
    text = html_to_plain(_data(context).get("texts", {}).get("id", ""))
    if (notice := too_long(context, telegram_length(text), photo=True)) is not None:
        await ask_photo(update, context, notice)
        return
    goto(context.user, "versions", photo=message.photo[-1].file_id)
    await ask_versions(update, context, None)


@step(DIALOG, "photo", on_media=take_photo)
async def ask_photo(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    if _data(context).get("photo"):  # came back: the photo given can be kept or removed
        text = _("A photo is added. Send another one to replace it, or continue.")
        rows = [
            [(_.pgettext("button", "Keep the photo ▶️"), "an:skip")],
            [(_.pgettext("button", "No photo"), "an:nophoto")],
        ]
    else:
        text = _("Add a photo? Send it now, or continue without one.")
        rows = [[(_.pgettext("button", "No photo"), "an:skip")]]
    rows += _back_rows(context)
    rows.append([(_.pgettext("button", "Cancel"), "an:cancel")])
    await show(update, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "photo")
async def skip_photo(update: Update, context: BotContext) -> None:
    """Continues as it is (without a photo, or keeping the one added); ``an:nophoto``
    removes the photo added before."""
    if button_value(update) == "nophoto":
        goto(context.user, "versions", photo=None)
    else:
        goto(context.user, "versions")
    await ask_versions(update, context, None)


# --- other languages ----------------------------------------------------------------------


@step(DIALOG, "versions")
async def ask_versions(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    texts = _data(context).get("texts", {})
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
    rows += _back_rows(context)
    await show(update, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "versions")
async def chose_version(update: Update, context: BotContext) -> None:
    """Asks for the text in the chosen language."""
    code = button_value(update)
    if code not in ("jv", "en"):
        await expired(update, context)
        return
    goto(context.user, "version", language=code)
    await ask_version(update, context, None)


async def take_version(update: Update, context: BotContext, text: str) -> None:
    message = update.effective_message
    assert message is not None
    data = _data(context)
    notice = too_long(context, telegram_length(text), photo=bool(data.get("photo")))
    if notice is not None:
        await ask_version(update, context, notice)
        return
    texts = {**data.get("texts", {}), data.get("language", "jv"): message.text_html}
    goto(context.user, "versions", texts=texts)
    await ask_versions(update, context, None)


@step(DIALOG, "version", on_text=take_version)
async def ask_version(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    language = LANGUAGE_NAMES.get(_data(context).get("language", "jv"), "")
    text = _("Send the text in {language}.", language=language)
    await show(update, context, with_notice(notice, text), keyboard(_back_rows(context)))


@at_step(DIALOG, "versions")
async def versions_done(update: Update, context: BotContext) -> None:
    """Moves on to the audience (or back to the preview when editing)."""
    if _data(context).get("editing"):
        goto(context.user, "preview")
        await show_preview(update, context, None)
        return
    goto(context.user, "audience")
    await ask_audience(update, context, None)


# --- audience ---------------------------------------------------------------------------


def _names(values: Collection[str], labels: dict[str, str], _: Any) -> str:
    return ", ".join(labels.get(value, value) for value in values) if values else _("all")


@step(DIALOG, "audience")
async def ask_audience(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    allowed, area_id, scope = await sender_scope(context)
    if not allowed:
        await _refuse(update, context)
        return
    audience = _audience(context)
    count = await announcements.count_recipients(context.db, scope, audience)
    villages = context.services.villages
    area = villages.area_name(area_id) if area_id else _("all areas")
    text = _(
        "<b>Who receives it?</b>\nArea: {area}\nVillages: {villages}\nWho: {roles}\n"
        "Languages: {languages}\n\nRecipients now: <b>{count}</b>",
        area=escape(area),
        villages=escape(
            _names(audience.villages, {v.id: v.name for v in villages.villages.values()}, _)
        ),
        roles=_names(audience.roles, role_labels(_), _),
        languages=_names(audience.locales, LANGUAGE_NAMES, _),
        count=_.number(count),
    )
    rows = []
    if scope is None or len(scope) > 1:
        rows.append([(_.pgettext("button", "Choose villages"), "an:pick:villages")])
    rows += [
        [(_.pgettext("button", "Choose who"), "an:pick:roles")],
        [(_.pgettext("button", "Choose languages"), "an:pick:locales")],
        [(_.pgettext("button", "Continue ▸"), "an:adone")],
        *_back_rows(context),
    ]
    await show(update, context, with_notice(notice, text), keyboard(rows))


def _options(context: BotContext, pick: str, scope: Collection[str] | None) -> dict[str, str]:
    _ = context._
    if pick == "villages":
        return {
            v.id: f"{v.name} ({v.kecamatan})"
            for v in context.services.villages.villages.values()
            if scope is None or v.id in scope
        }
    if pick == "roles":
        return role_labels(_)
    return dict(LANGUAGE_NAMES)


@at_step(DIALOG, "audience")
async def open_pick(update: Update, context: BotContext) -> None:
    """Shows the toggles for villages, roles or languages."""
    pick = button_value(update)
    if pick not in PICKS:
        await expired(update, context)
        return
    goto(context.user, "pick", pick=pick)
    await ask_pick(update, context, None)


@step(DIALOG, "pick")
async def ask_pick(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    pick = _data(context).get("pick", "roles")
    _allowed, _area, scope = await sender_scope(context)
    chosen = set(_audience(context).to_json()[pick])
    options = _options(context, pick, scope)
    text = _("Tap to include or leave out. None ticked means all.")
    rows = [
        [(("✓ " if key in chosen else "") + label, f"an:t:{key}")]
        for key, label in options.items()
    ]
    rows.append([(_.pgettext("button", "Done"), "an:aud")])
    await show(update, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "pick")
async def toggle(update: Update, context: BotContext) -> None:
    """Includes or leaves out one village, role or language (only within the area)."""
    key = button_value(update)
    pick = _data(context).get("pick", "roles")
    _allowed, _area, scope = await sender_scope(context)
    if key not in _options(context, pick, scope):
        await expired(update, context)
        return
    audience = _audience(context).to_json()
    chosen = list(audience[pick])
    if key in chosen:
        chosen.remove(key)
    else:
        chosen.append(key)
    audience[pick] = chosen
    goto(context.user, "pick", audience=audience)
    await ask_pick(update, context, None)


@at_step(DIALOG, "pick")
async def pick_done(update: Update, context: BotContext) -> None:
    goto(context.user, "audience")
    await ask_audience(update, context, None)


@at_step(DIALOG, "audience")
async def audience_done(update: Update, context: BotContext) -> None:
    """Moves on to the time, unless nobody would receive the announcement."""
    _allowed, _area, scope = await sender_scope(context)
    if await announcements.count_recipients(context.db, scope, _audience(context)) == 0:
        notice = context._("Nobody would receive this. Please widen the audience.")
        await ask_audience(update, context, notice)
        return
    if _data(context).get("editing"):
        goto(context.user, "preview")
        await show_preview(update, context, None)
        return
    goto(context.user, "when")
    await ask_when(update, context, None)


# --- when ---------------------------------------------------------------------------------


@step(DIALOG, "when")
async def ask_when(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    data = _data(context)
    chosen = ("now" if data["at"] is None else "later") if "at" in data else None
    rows = [
        [(_marked(_.pgettext("button", "Send now"), chosen == "now"), "an:now")],
        [
            (
                _marked(_.pgettext("button", "Choose a date and time"), chosen == "later"),
                "an:later",
            )
        ],
        *_back_rows(context),
    ]
    await show(update, context, with_notice(notice, _("When should it go out?")), keyboard(rows))


def _marked(label: str, chosen: bool) -> str:
    return ("✔️ " + label) if chosen else label


@at_step(DIALOG, "when")
async def when_chosen(update: Update, context: BotContext) -> None:
    if button_value(update) == "now":
        goto(context.user, "preview", at=None)
        await show_preview(update, context, None)
    else:
        goto(context.user, "when_typed")
        await ask_when_typed(update, context, None)


async def take_when(update: Update, context: BotContext, text: str) -> None:
    _ = context._
    try:
        moment = parse_when(
            text, now=context.services.clock.now(), default_zone=context.services.settings.timezone
        )
    except WhenError as exc:
        notice = {
            "past": _("That time has already passed."),
            "far": _("Announcements can be planned at most one year ahead."),
        }.get(exc.reason, _("I could not read that date and time."))
        await ask_when_typed(update, context, notice)
        return
    goto(context.user, "preview", at=moment.isoformat())
    await show_preview(update, context, None)


@step(DIALOG, "when_typed", on_text=take_when)
async def ask_when_typed(update: Update, context: BotContext, notice: str | None) -> None:
    _ = context._
    text = _(
        "Type the date and time like this: 24-12-2026 08:00, besok 08:00 or Jumat 19.00 "
        "(WIB; add WITA or WIT for other time zones)."
    )
    rows = []
    if at := _data(context).get("at"):  # came back: the time given can be kept
        given = _.datetime(datetime.fromisoformat(at))
        text += "\n\n" + _("Your answer so far: <b>{answer}</b>", answer=given)
        rows.append(_keep_row(context, given, "an:wkeep"))
    rows += _back_rows(context)
    await show(update, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "when_typed")
async def keep_when(update: Update, context: BotContext) -> None:
    """Keeps the time given before (checked again when sending)."""
    if not _data(context).get("at"):
        await expired(update, context)
        return
    goto(context.user, "preview")
    await show_preview(update, context, None)


# --- preview, edit, send --------------------------------------------------------------------


async def _send_copy(context: BotContext, chat_id: int, text: str, photo: str | None) -> None:
    if photo:
        context.replies.send_file("photo", chat_id, photo, text)
    else:
        context.replies.send(chat_id, text)


@step(DIALOG, "preview")
async def show_preview(update: Update, context: BotContext, notice: str | None) -> None:
    """Shows each language's version exactly as recipients get it, then Send/Edit/Cancel."""
    _ = context._
    data = _data(context)
    texts: dict[str, str] = data.get("texts", {})
    chat = update.effective_chat
    assert chat is not None
    _allowed, area_id, scope = await sender_scope(context)
    for code in LANGUAGE_NAMES:
        if code in texts:
            as_sent = framed(
                context.services.i18n.translator(code), context.services, area_id, texts[code]
            )
            await _send_copy(context, chat.id, as_sent, data.get("photo"))
    count = await announcements.count_recipients(context.db, scope, _audience(context))
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
        *_back_rows(context),
    ]
    context.reply_as_new = True
    await show(update, context, with_notice(notice, summary), keyboard(rows))


@at_step(DIALOG, "preview")
async def edit(update: Update, context: BotContext) -> None:
    goto(context.user, "edit", editing=True)
    await ask_edit(update, context, None)


@step(DIALOG, "edit")
async def ask_edit(update: Update, context: BotContext, notice: str | None) -> None:
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
        update, context, with_notice(notice, _("What do you want to change?")), keyboard(rows)
    )


@at_step(DIALOG, "edit")
async def edit_chosen(update: Update, context: BotContext) -> None:
    target = button_value(update)
    prompts = {
        "text": ask_text,
        "versions": ask_versions,
        "audience": ask_audience,
        "when": ask_when,
        "preview": show_preview,
    }
    if target not in prompts:
        await expired(update, context)
        return
    goto(context.user, target)
    await prompts[target](update, context, None)


@at_step(DIALOG, "preview")
async def send(update: Update, context: BotContext) -> None:
    """Creates the announcement and its delivery rows in this update's transaction."""
    _ = context._
    allowed, area_id, scope = await sender_scope(context)
    if not allowed:
        await _refuse(update, context)
        return
    data = _data(context)
    now = context.services.clock.now()
    at = data.get("at")
    moment = datetime.fromisoformat(at) if at else now
    if moment < now:
        goto(context.user, "when")
        await ask_when(update, context, _("That time has already passed."))
        return
    audience = _audience(context)
    try:
        announcements.check_scope(audience, scope)
    except announcements.OutOfScope:
        await _refuse(update, context)
        return
    if await announcements.count_recipients(context.db, scope, audience) == 0:
        goto(context.user, "audience")
        await ask_audience(
            update, context, _("Nobody would receive this. Please widen the audience.")
        )
        return
    draft = Draft(
        texts=data.get("texts", {}),
        photo=data.get("photo"),
        audience=audience,
        scheduled_at=moment,
    )
    announcement = await announcements.create(
        context.db,
        officer_id=context.user.telegram_id,
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
    await show(update, context, text)


@user_update
async def back(update: Update, context: BotContext) -> None:
    """« Back: one step back (:func:`before`), every answer kept. Pressed on an old message
    (another step now) or forged, it has expired like any stale button."""
    previous = await step_back(update, context, DIALOG, before)
    if previous is None:
        return
    allowed, _area, _scope = await sender_scope(context)
    if not allowed:
        await _refuse(update, context)
        return
    goto(context.user, previous)
    await PROMPTS[previous](update, context, None)


@user_update
async def cancel(update: Update, context: BotContext) -> None:
    """Drops the draft."""

    if context.user.dialog != DIALOG:
        await expired(update, context)
        return
    end(context.user)
    await go_home(update, context, notice=context._("The announcement was not sent."))


PROMPTS: dict[str, Prompt] = {
    "text": ask_text,
    "photo": ask_photo,
    "versions": ask_versions,
    "version": ask_version,
    "audience": ask_audience,
    "when": ask_when,
    "when_typed": ask_when_typed,
    "preview": show_preview,
    "edit": ask_edit,
}

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
