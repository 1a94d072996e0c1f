"""The conversation core's routing and the Telegram adapter's events, rule by rule.

The transcripts drive both end to end; these pin the rules themselves, each both ways:
which route answers which event, and what of a Telegram update reaches a dialog.
"""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot, Update

from bot.channels.telegram.events import event_of
from bot.conversation import Event, Pressed, Turn
from bot.conversation.choices import Choice, Choices, link
from bot.conversation.routes import Router, choice, command, fallback


def named(name: str):
    async def handler(event: Event, turn: Turn) -> None:
        raise AssertionError("routing only")

    handler.__name__ = name
    return handler


def make_router() -> Router:
    """Built in each test (not at import), so that each test runs the route makers."""
    return Router(
        [
            command("menu", named("menu")),
            command("Kuis", named("quiz")),
            choice(r"^qz:a:\d+$", named("answer")),
            choice(r"qz:", named("quiz button")),  # from the start even without ^
            command("menu", named("second menu")),  # never reached: the first one wins
            fallback("edited", named("edited")),
            fallback("unknown_command", named("unknown command")),
            fallback("text", named("text")),
            fallback("other", named("other")),
            fallback("any_choice", named("stale button")),
        ]
    )


def tapped(data: str, **changes: Any) -> Event:
    return Event(person=1, chat=1, pressed=Pressed(data, "q1", 10), **changes)


@pytest.mark.parametrize(
    ("event", "route"),
    [
        (Event(1, 1, text="/menu", command="menu"), "menu"),
        (Event(1, 1, text="/kuis", command="kuis"), "quiz"),  # names are lowercase
        (Event(1, 1, text="/menu", command="menu", edited=True), "menu"),  # as PTB did
        (Event(1, 1, text="/menu@other_bot", command="menu@other_bot"), "unknown command"),
        (Event(1, 1, text="/nope", command="nope"), "unknown command"),
        (Event(1, 1, text="/nope", command="nope", edited=True), "edited"),
        (Event(1, 1, text="halo", edited=True), "edited"),
        (Event(1, 1, text="halo"), "text"),
        (Event(1, 1, text=""), "text"),
        (Event(1, 1), "other"),  # a sticker, a location
        (tapped("qz:a:3"), "answer"),
        (tapped("qz:a:x"), "quiz button"),  # the first pattern that matches
        (tapped("xqz:a:3"), "stale button"),  # patterns match from the start
        (tapped("x:qz:"), "stale button"),
        (tapped(""), "stale button"),
        (tapped("qz:a:3", private=False), "answer"),  # the unit of work ignores it later
        (Event(1, -5, private=False, text="/menu", command="menu"), None),
        (Event(1, -5, private=False, text="halo"), None),
    ],
    ids=lambda value: value if isinstance(value, str) or value is None else "",
)
def test_the_router_picks_the_route_the_rules_say(event, route):
    found = make_router().route(event)
    assert (found.__name__ if found is not None else None) == route


def test_the_router_knows_its_commands_once_each():
    assert make_router().commands == {"menu", "kuis"}


def test_a_router_without_fallbacks_answers_nothing_unknown():
    bare = Router([command("menu", named("menu"))])
    assert bare.route(Event(1, 1, text="halo")) is None
    assert bare.route(tapped("qz:a:1")) is None


# --- choices ---------------------------------------------------------------------------------


def test_choices_from_rows_keep_rows_as_groups_and_survive_storage():
    share = link("Share", "https://t.me/share/url?url=x")
    choices = Choices.rows([[("Yes", "a:y"), ("No", "a:n")], [share]])
    assert choices.items == (
        Choice("a:y", "Yes", "0"),
        Choice("a:n", "No", "0"),
        Choice(share.url or "", "Share", "1", share.url),
    )
    assert Choices.from_json(choices.to_json()) == choices


# --- Telegram updates as events ---------------------------------------------------------------

BOT = Bot("0:EMULATED")
PERSON = {"id": 501, "is_bot": False, "first_name": "Siti", "language_code": "jv"}
PRIVATE = {"id": 501, "type": "private"}
BOT_USER = {"id": 9, "is_bot": True, "first_name": "Desa"}


def update(**payload: Any) -> Update:
    return Update.de_json({"update_id": 7, **payload}, BOT)


def message(text: str | None = None, **extra: Any) -> dict[str, Any]:
    found = {"message_id": 3, "date": 0, "chat": PRIVATE, "from": PERSON, **extra}
    if text is not None:
        found["text"] = text
    return found


def test_a_command_with_arguments():
    entities = [{"type": "bot_command", "offset": 0, "length": 6}]
    event = event_of(update(message=message("/START v_jogosimo x", entities=entities)), "desa_bot")
    assert event == Event(
        person=501,
        chat=501,
        language="jv",
        text="/START v_jogosimo x",
        formatted="/START v_jogosimo x",
        command="start",
        args=("v_jogosimo", "x"),
    )


@pytest.mark.parametrize(
    ("text", "length", "command"),
    [
        ("/menu@Desa_Bot", 14, "menu"),  # ours, whatever the case
        ("/menu@other_bot", 15, "menu@other_bot"),  # another bot's: no route knows it
    ],
)
def test_a_command_addressed_to_a_bot(text, length, command):
    entities = [{"type": "bot_command", "offset": 0, "length": length}]
    event = event_of(update(message=message(text, entities=entities)), "desa_bot")
    assert event is not None
    assert event.command == command


def test_a_slash_that_telegram_did_not_mark_as_a_command_is_text():
    event = event_of(update(message=message("/ menu")), "desa_bot")
    assert event is not None
    assert (event.command, event.text) == (None, "/ menu")


def test_text_is_escaped_and_its_formatting_kept_as_html():
    bold = [{"type": "bold", "offset": 0, "length": 4}]
    plain = event_of(update(message=message("<3 & <b>")), "desa_bot")
    formatted = event_of(update(message=message("Rapat <besok>", entities=bold)), "desa_bot")
    assert plain is not None
    assert formatted is not None
    assert plain.formatted == "&lt;3 &amp; &lt;b&gt;"
    assert formatted.formatted == "<b>Rapa</b>t &lt;besok&gt;"


def test_a_photo_with_a_caption():
    photo = [
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90},
        {"file_id": "large", "file_unique_id": "l", "width": 1280, "height": 1280},
    ]
    event = event_of(update(message=message(photo=photo, caption="Paspor <asli>")), "desa_bot")
    assert event is not None
    assert event.attachment is not None
    assert (event.attachment.kind, event.attachment.ref) == ("photo", "large")
    assert (event.text, event.caption, event.formatted) == (
        None,
        "Paspor <asli>",
        "Paspor &lt;asli&gt;",
    )


def test_a_captions_formatting_is_kept():
    """An officer's announcement photo: the caption's bold stays bold, the rest escaped."""
    photo = [{"file_id": "p", "file_unique_id": "p", "width": 90, "height": 90}]
    bold = [{"type": "bold", "offset": 0, "length": 5}]
    sent = message(photo=photo, caption="Rapat <besok>", caption_entities=bold)
    event = event_of(update(message=sent), "desa_bot")
    assert event is not None
    assert event.formatted == "<b>Rapat</b> &lt;besok&gt;"


def test_a_sticker_is_neither_text_nor_a_file():
    sticker = {
        "file_id": "st",
        "file_unique_id": "st",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    event = event_of(update(message=message(sticker=sticker)), "desa_bot")
    assert event is not None
    assert (event.text, event.attachment, event.command) == (None, None, None)
    assert make_router().route(event).__name__ == "other"


def test_an_edited_message():
    event = event_of(update(edited_message=message("Halo", edit_date=5)), "desa_bot")
    assert event is not None
    assert (event.edited, event.text) == (True, "Halo")


def test_a_tapped_button_names_the_screen_it_was_on():
    keyboard = {
        "inline_keyboard": [
            [{"text": "Ya", "callback_data": "hr:ok:4"}],
            [{"text": "Bagikan", "url": "https://t.me/desa_bot"}],
            [{"text": "« Kembali", "callback_data": "hr:list"}],
        ]
    }
    query = {
        "id": "q9",
        "from": PERSON,
        "chat_instance": "c",
        "data": "hr:ok:4",
        "message": message("Permintaan", reply_markup=keyboard),
    }
    event = event_of(update(callback_query=query), "desa_bot")
    assert event == Event(
        person=501,
        chat=501,
        language="jv",
        pressed=Pressed("hr:ok:4", "q9", 3, ("hr:ok:4", "hr:list")),
    )


def test_a_button_in_a_group_is_not_private():
    query = {
        "id": "q9",
        "from": PERSON,
        "chat_instance": "c",
        "data": "menu:main",
        "message": message("x", chat={"id": -100, "type": "group", "title": "Desa"}),
    }
    event = event_of(update(callback_query=query), "desa_bot")
    assert event is not None
    assert (event.private, event.chat) == (False, -100)


def test_updates_that_are_not_a_persons_doing_make_no_event():
    change = {
        "chat": PRIVATE,
        "from": PERSON,
        "date": 0,
        "old_chat_member": {
            "status": "member",
            "user": {"id": 9, "is_bot": True, "first_name": "b"},
        },
        "new_chat_member": {
            "status": "kicked",
            "user": {"id": 9, "is_bot": True, "first_name": "b"},
            "until_date": 0,
        },
    }
    assert event_of(update(my_chat_member=change), "desa_bot") is None
    assert event_of(update(), "desa_bot") is None
