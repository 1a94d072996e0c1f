"""The in-process Bot API (bot/emulator.py) driven through the real PTB stack, and the
Telegram-HTML helpers it validates with (bot/telegram_html.py).

Every check goes through ``telegram.Bot`` so that what PTB sends, and how PTB turns the
answers into exceptions, is part of what is tested.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageEntity,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.emulator import BotAPIEmulator
from bot.telegram_html import HTMLParseError, html_to_plain, telegram_length

CHAT = 101
OTHER_CHAT = 202


@pytest.fixture
async def bot(emulator: BotAPIEmulator) -> AsyncIterator[Bot]:
    async with Bot(token="1:TEST", request=emulator, get_updates_request=emulator) as bot:
        yield bot


@pytest.fixture
def chat(emulator: BotAPIEmulator) -> int:
    emulator.open_chat(CHAT)
    emulator.open_chat(OTHER_CHAT)
    return CHAT


def keyboard(*rows: list[str]) -> InlineKeyboardMarkup:
    """Buttons whose callback_data is their label."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=label) for label in row] for row in rows]
    )


def buttons(count: int, per_row: int) -> InlineKeyboardMarkup:
    labels = [f"b{i}" for i in range(count)]
    return keyboard(*(labels[i : i + per_row] for i in range(0, count, per_row)))


# --- telegram_html -----------------------------------------------------------------------


class TestTelegramHtml:
    def test_tags_are_dropped_and_entities_decoded(self) -> None:
        html = (
            '<b>Halo</b> <a href="https://x.id/?a=1&amp;b=2">Siti</a> &lt;3 &amp; &quot;ok&quot;'
        )
        assert html_to_plain(html) == 'Halo Siti <3 & "ok"'

    def test_numeric_entities_decoded_unknown_named_entity_kept(self) -> None:
        assert html_to_plain("&#65;&#x42; &nbsp;") == "AB &nbsp;"

    def test_every_telegram_tag_is_accepted(self) -> None:
        html = (
            "<b>1</b><strong>2</strong><i>3</i><em>4</em><u>5</u><ins>6</ins><s>7</s>"
            '<strike>8</strike><del>9</del><span class="tg-spoiler">a</span>'
            '<tg-spoiler>b</tg-spoiler><a href="https://example.org">c</a>'
            '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji><code>d</code>'
            '<pre><code class="language-python">e</code></pre>'
            "<blockquote expandable>f</blockquote>"
        )
        assert html_to_plain(html) == "123456789abc👍def"

    def test_tag_names_are_case_insensitive(self) -> None:
        assert html_to_plain("<B>x</b>") == "x"

    @pytest.mark.parametrize(
        ("html", "message"),
        [
            ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
            ("<br>", 'Unsupported start tag "br" at byte offset 0'),
            ("a < b", "Unsupported start tag at byte offset 2"),
            ("é<x", "Unsupported start tag at byte offset 2"),  # offsets are UTF-8 bytes
            ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
            ("x</b>", "Unexpected end tag at byte offset 1"),
        ],
    )
    def test_malformed_html_is_refused_with_the_bot_api_wording(
        self, html: str, message: str
    ) -> None:
        with pytest.raises(HTMLParseError) as caught:
            html_to_plain(html)
        assert str(caught.value) == f"Bad Request: can't parse entities: {message}"

    @pytest.mark.parametrize(("html", "offset"), [("<b>x</i>", 4), ("<b><i>x</b></i>", 7)])
    def test_a_wrong_end_tag_is_refused_at_its_offset(self, html: str, offset: int) -> None:
        """Telegram says "Unmatched end tag ..., expected ..."; the emulator a shorter line."""
        with pytest.raises(HTMLParseError, match=f"end tag at byte offset {offset}"):
            html_to_plain(html)

    @pytest.mark.parametrize(
        ("text", "length"),
        [("", 0), ("abc", 3), ("é", 1), ("😀", 2), ("a😀b", 4), ("👍🏽", 4), ("🇮🇩", 4)],
    )
    def test_telegram_length_counts_utf16_code_units(self, text: str, length: int) -> None:
        assert telegram_length(text) == length


# --- sending text ------------------------------------------------------------------------


class TestSendMessage:
    async def test_html_is_stored_as_the_plain_text_the_user_sees(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        sent = await bot.send_message(chat, "<b>Halo</b> &amp; selamat", parse_mode="HTML")
        assert sent.text == "Halo & selamat"
        assert sent.chat.id == chat
        assert sent.from_user is not None
        assert sent.from_user.username == "DesmigratifBot"
        (stored,) = emulator.history(chat)
        assert (stored.text, stored.source, stored.parse_mode, stored.from_bot) == (
            "Halo & selamat",
            "<b>Halo</b> &amp; selamat",
            "HTML",
            True,
        )
        assert stored.message_id == sent.message_id

    async def test_without_parse_mode_tags_are_literal_text(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        await bot.send_message(chat, "<b>x</b> <nope")
        assert emulator.bot_messages(chat)[0].text == "<b>x</b> <nope"

    async def test_message_ids_increase(self, bot: Bot, chat: int) -> None:
        first = await bot.send_message(chat, "satu")
        second = await bot.send_message(chat, "dua")
        assert second.message_id > first.message_id

    async def test_4096_visible_characters_inside_tags_are_accepted(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        await bot.send_message(chat, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
        assert len(emulator.bot_messages(chat)[0].text) == 4096

    async def test_4097_visible_characters_are_refused(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        with pytest.raises(BadRequest, match=r"(?i)message text is too long"):
            await bot.send_message(chat, "<b>" + "a" * 4097 + "</b>", parse_mode="HTML")
        assert emulator.history(chat) == []

    async def test_entities_count_as_one_character(self, bot: Bot, chat: int) -> None:
        sent = await bot.send_message(chat, "&lt;" * 4096, parse_mode="HTML")
        assert sent.text == "<" * 4096

    async def test_tags_count_when_there_is_no_parse_mode(self, bot: Bot, chat: int) -> None:
        """4090 letters plus 7 characters of tags: 4097 characters as plain text."""
        with pytest.raises(BadRequest, match=r"(?i)too long"):
            await bot.send_message(chat, "<b>" + "a" * 4090 + "</b>")

    async def test_an_emoji_counts_two(self, bot: Bot, chat: int) -> None:
        await bot.send_message(chat, "😀" * 2048)  # 4096 UTF-16 code units
        with pytest.raises(BadRequest, match=r"(?i)too long"):
            await bot.send_message(chat, "😀" * 2048 + "a")

    @pytest.mark.parametrize(
        ("text", "parse_mode"), [("", None), ("   \n ", None), ("<b> </b>", "HTML")]
    )
    async def test_empty_text_is_refused(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int, text: str, parse_mode: str | None
    ) -> None:
        with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
            await bot.send_message(chat, text, parse_mode=parse_mode)
        assert emulator.history(chat) == []

    @pytest.mark.parametrize(
        ("html", "error"),
        [
            ("<foo>x</foo>", 'unsupported start tag "foo"'),
            ("<b>tebal", "can't find end tag"),
            ("<b>x</i>", "unmatched end tag"),
            ("1 < 2", "unsupported start tag at byte offset 2"),
        ],
    )
    async def test_malformed_html_is_refused(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int, html: str, error: str
    ) -> None:
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities") as caught:
            await bot.send_message(chat, html, parse_mode="HTML")
        assert error in caught.value.message.lower()
        assert emulator.history(chat) == []

    async def test_unknown_chat_is_not_found(self, bot: Bot, emulator: BotAPIEmulator) -> None:
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(999_999, "halo")
        assert emulator.calls[-1].method == "sendMessage"
        assert emulator.calls[-1].outcome == "Bad Request: chat not found"

    async def test_a_user_message_makes_the_chat_known(
        self, bot: Bot, emulator: BotAPIEmulator
    ) -> None:
        emulator.message_update(555, "halo")
        sent = await bot.send_message(555, "balasan")
        assert [m.text for m in emulator.history(555)] == ["halo", "balasan"]
        assert [m.text for m in emulator.bot_messages(555)] == ["balasan"]
        assert sent.chat.id == 555

    async def test_calls_are_recorded_with_their_parameters(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        await bot.send_message(chat, "halo")
        call = emulator.calls[-1]
        assert (call.method, call.params["chat_id"], call.params["text"], call.outcome) == (
            "sendMessage",
            chat,
            "halo",
            "ok",
        )


# --- photos ------------------------------------------------------------------------------


class TestSendPhoto:
    async def test_photo_by_file_id_with_html_caption(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        sent = await bot.send_photo(
            chat, photo="file-id", caption="<i>Balai desa</i>", parse_mode="HTML"
        )
        assert sent.photo
        assert sent.caption == "Balai desa"
        (stored,) = emulator.bot_messages(chat)
        assert (stored.media, stored.text) == ("photo", "Balai desa")

    async def test_caption_over_1024_is_refused(self, bot: Bot, chat: int) -> None:
        await bot.send_photo(chat, photo="file-id", caption="a" * 1024)
        with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
            await bot.send_photo(chat, photo="file-id", caption="a" * 1025)


# --- inline keyboards --------------------------------------------------------------------


class TestInlineKeyboard:
    async def test_buttons_are_stored(self, bot: Bot, emulator: BotAPIEmulator, chat: int) -> None:
        await bot.send_message(chat, "Pilih", reply_markup=keyboard(["Ya", "Tidak"], ["Batal"]))
        stored = emulator.bot_messages(chat)[0]
        assert stored.button_labels() == ["Ya", "Tidak", "Batal"]
        assert [len(row) for row in stored.buttons] == [2, 1]
        button = stored.find_button("  tidak ")
        assert button is not None
        assert button.callback_data == "Tidak"
        assert emulator.last_with_buttons(chat) is stored

    @pytest.mark.parametrize("data", ["a", "x" * 64, "é" * 32])
    async def test_callback_data_up_to_64_bytes_is_accepted(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int, data: str
    ) -> None:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data=data)]])
        await bot.send_message(chat, "x", reply_markup=markup)
        assert emulator.bot_messages(chat)[0].buttons[0][0].callback_data == data

    @pytest.mark.parametrize(
        "data",
        ["", "x" * 65, "é" * 33],  # "é" * 33 is 33 characters but 66 UTF-8 bytes
        ids=["empty", "65-ascii", "66-bytes"],
    )
    async def test_callback_data_outside_1_to_64_bytes_is_refused(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int, data: str
    ) -> None:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data=data)]])
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.send_message(chat, "x", reply_markup=markup)
        assert emulator.history(chat) == []

    async def test_100_buttons_are_accepted(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        await bot.send_message(chat, "x", reply_markup=buttons(100, per_row=5))
        assert len(emulator.bot_messages(chat)[0].button_labels()) == 100

    async def test_101_buttons_are_refused(self, bot: Bot, chat: int) -> None:
        with pytest.raises(BadRequest, match=r"(?i)reply markup is too long"):
            await bot.send_message(chat, "x", reply_markup=buttons(101, per_row=5))

    async def test_8_buttons_in_a_row_are_accepted_9_refused(self, bot: Bot, chat: int) -> None:
        await bot.send_message(chat, "x", reply_markup=buttons(8, per_row=8))
        with pytest.raises(BadRequest, match=r"(?i)too many buttons in a row"):
            await bot.send_message(chat, "x", reply_markup=buttons(9, per_row=9))

    async def test_url_button(self, bot: Bot, emulator: BotAPIEmulator, chat: int) -> None:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Web", url="https://x.id")]])
        await bot.send_message(chat, "x", reply_markup=markup)
        button = emulator.bot_messages(chat)[0].buttons[0][0]
        assert (button.url, button.callback_data) == ("https://x.id", None)


# --- editing and deleting ----------------------------------------------------------------


class TestEditAndDelete:
    async def test_edit_changes_the_history(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        sent = await bot.send_message(chat, "lama", reply_markup=keyboard(["A"]))
        edited = await bot.edit_message_text(
            "<b>baru</b>", chat_id=chat, message_id=sent.message_id, parse_mode="HTML"
        )
        assert edited.text == "baru"
        assert edited.edit_date is not None
        (stored,) = emulator.bot_messages(chat)
        assert (stored.text, stored.source, stored.edits) == ("baru", "<b>baru</b>", 1)
        assert stored.buttons == []  # an edit without reply_markup removes the keyboard

    async def test_identical_edit_is_not_modified(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        sent = await bot.send_message(chat, "sama", reply_markup=keyboard(["A"]))
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text(
                "sama", chat_id=chat, message_id=sent.message_id, reply_markup=keyboard(["A"])
            )
        assert emulator.bot_messages(chat)[0].edits == 0

    async def test_changing_only_the_buttons_is_a_modification(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        sent = await bot.send_message(chat, "sama", reply_markup=keyboard(["A"]))
        await bot.edit_message_text(
            "sama", chat_id=chat, message_id=sent.message_id, reply_markup=keyboard(["B"])
        )
        assert emulator.bot_messages(chat)[0].button_labels() == ["B"]

    async def test_changing_only_the_formatting_is_a_modification(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        sent = await bot.send_message(chat, "<b>Halo</b>", parse_mode="HTML")
        await bot.edit_message_text(
            "<i>Halo</i>", chat_id=chat, message_id=sent.message_id, parse_mode="HTML"
        )
        assert emulator.bot_messages(chat)[0].source == "<i>Halo</i>"

    async def test_edit_text_of_a_photo_is_refused(self, bot: Bot, chat: int) -> None:
        sent = await bot.send_photo(chat, photo="file-id", caption="foto")
        with pytest.raises(BadRequest, match=r"(?i)there is no text in the message to edit"):
            await bot.edit_message_text("teks", chat_id=chat, message_id=sent.message_id)

    async def test_edit_reply_markup(self, bot: Bot, emulator: BotAPIEmulator, chat: int) -> None:
        sent = await bot.send_message(chat, "x", reply_markup=keyboard(["A"]))
        await bot.edit_message_reply_markup(chat, sent.message_id, reply_markup=keyboard(["B"]))
        assert emulator.bot_messages(chat)[0].button_labels() == ["B"]
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_reply_markup(
                chat, sent.message_id, reply_markup=keyboard(["B"])
            )

    async def test_editing_a_missing_message_fails(self, bot: Bot, chat: int) -> None:
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await bot.edit_message_text("x", chat_id=chat, message_id=424242)

    async def test_editing_a_deleted_message_fails(self, bot: Bot, chat: int) -> None:
        sent = await bot.send_message(chat, "x")
        await bot.delete_message(chat, sent.message_id)
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await bot.edit_message_text("y", chat_id=chat, message_id=sent.message_id)

    async def test_editing_the_users_message_fails(
        self, bot: Bot, emulator: BotAPIEmulator
    ) -> None:
        update = emulator.message_update(CHAT, "halo")
        with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
            await bot.edit_message_text(
                "x", chat_id=CHAT, message_id=update["message"]["message_id"]
            )

    async def test_delete_hides_the_message_from_history(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        first = await bot.send_message(chat, "satu")
        await bot.send_message(chat, "dua")
        assert await bot.delete_message(chat, first.message_id) is True
        assert [m.text for m in emulator.history(chat)] == ["dua"]
        assert emulator.chats[chat][0].deleted is True

    async def test_deleting_a_missing_or_deleted_message_fails(self, bot: Bot, chat: int) -> None:
        with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
            await bot.delete_message(chat, 424242)
        sent = await bot.send_message(chat, "x")
        await bot.delete_message(chat, sent.message_id)
        with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
            await bot.delete_message(chat, sent.message_id)

    async def test_a_message_id_belongs_to_its_chat(self, bot: Bot, chat: int) -> None:
        sent = await bot.send_message(chat, "x")
        with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
            await bot.delete_message(OTHER_CHAT, sent.message_id)


# --- callback queries --------------------------------------------------------------------


class TestCallbackQueries:
    async def test_answered_once(self, bot: Bot, emulator: BotAPIEmulator, chat: int) -> None:
        sent = await bot.send_message(chat, "x", reply_markup=keyboard(["A"]))
        update = emulator.callback_update(chat, sent.message_id, "A")
        query_id = update["callback_query"]["id"]
        assert emulator.answer_to(update) is None
        assert await bot.answer_callback_query(query_id, text="Tersimpan", show_alert=True)
        assert emulator.answer_to(update) == {"text": "Tersimpan", "show_alert": True}
        with pytest.raises(BadRequest, match=r"(?i)query id is invalid"):
            await bot.answer_callback_query(query_id)

    async def test_unknown_query_id_is_refused(self, bot: Bot) -> None:
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_callback_query("12345")

    async def test_answer_text_over_200_is_refused(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        update = emulator.callback_update(chat, 1, "A")
        with pytest.raises(BadRequest, match=r"(?i)message_too_long"):
            await bot.answer_callback_query(update["callback_query"]["id"], text="a" * 201)

    async def test_callback_update_parses_and_carries_the_bot_message(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        sent = await bot.send_message(chat, "Pilih", reply_markup=keyboard(["A"]))
        update = Update.de_json(emulator.callback_update(chat, sent.message_id, "A"), bot)
        query = update.callback_query
        assert query is not None
        assert (query.data, query.from_user.id) == ("A", chat)
        assert query.message is not None
        assert query.message.message_id == sent.message_id
        assert query.message.text == "Pilih"  # type: ignore[union-attr]


# --- bot commands ------------------------------------------------------------------------


class TestCommands:
    async def test_commands_are_stored_per_language(self, bot: Bot) -> None:
        await bot.set_my_commands([BotCommand("start", "Mulai")])
        await bot.set_my_commands([BotCommand("start", "Miwiti")], language_code="jv")
        assert await bot.get_my_commands(language_code="jv") == (BotCommand("start", "Miwiti"),)
        assert await bot.get_my_commands() == (BotCommand("start", "Mulai"),)
        assert await bot.get_my_commands(language_code="en") == ()

    async def test_delete_commands(self, bot: Bot) -> None:
        await bot.set_my_commands([BotCommand("start", "Mulai")], language_code="jv")
        await bot.delete_my_commands(language_code="jv")
        assert await bot.get_my_commands(language_code="jv") == ()

    @pytest.mark.parametrize(
        ("command", "description", "error"),
        [
            ("Start", "x", "BOT_COMMAND_INVALID"),
            ("with-dash", "x", "BOT_COMMAND_INVALID"),
            ("a" * 33, "x", "BOT_COMMAND_INVALID"),
            ("start", "", "BOT_COMMAND_DESCRIPTION_INVALID"),
            ("start", "d" * 257, "BOT_COMMAND_DESCRIPTION_INVALID"),
        ],
    )
    async def test_invalid_commands_are_refused(
        self, bot: Bot, emulator: BotAPIEmulator, command: str, description: str, error: str
    ) -> None:
        with pytest.raises(BadRequest, match=rf"(?i){error}"):
            await bot.set_my_commands([BotCommand(command, description)])
        assert emulator.commands == {}

    async def test_longest_valid_command(self, bot: Bot) -> None:
        command = BotCommand("a_1" + "z" * 29, "d" * 256)
        await bot.set_my_commands([command])
        assert await bot.get_my_commands() == (command,)

    async def test_more_than_100_commands_are_refused(self, bot: Bot) -> None:
        with pytest.raises(BadRequest, match=r"(?i)too many commands"):
            await bot.set_my_commands([BotCommand(f"c{i}", "x") for i in range(101)])


# --- fault injection ---------------------------------------------------------------------


class TestFaults:
    async def test_forbidden(self, bot: Bot, emulator: BotAPIEmulator, chat: int) -> None:
        emulator.inject("forbidden")
        with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
            await bot.send_message(chat, "x")
        assert emulator.calls[-1].outcome == "Forbidden: bot was blocked by the user"
        assert emulator.history(chat) == []

    async def test_retry_after_carries_the_seconds(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("PTB_TIMEDELTA", "true")
        emulator.inject("retry_after", retry_after=7)
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(chat, "x")
        assert caught.value.retry_after == timedelta(seconds=7)

    async def test_server_error_is_a_network_error(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        emulator.inject("server_error")
        with pytest.raises(NetworkError, match="Bad Gateway") as caught:
            await bot.send_message(chat, "x")
        assert type(caught.value) is NetworkError  # not a BadRequest/TimedOut subclass

    async def test_timeout(self, bot: Bot, emulator: BotAPIEmulator, chat: int) -> None:
        emulator.inject("timeout")
        with pytest.raises(TimedOut):
            await bot.send_message(chat, "x")
        assert emulator.history(chat) == []

    async def test_timeout_is_recorded_in_calls(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        emulator.inject("timeout")
        with pytest.raises(TimedOut):
            await bot.send_message(chat, "x")
        assert emulator.calls[-1].outcome != "ok"

    async def test_bad_request_with_description(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        emulator.inject("bad_request", description="Bad Request: PEER_ID_INVALID")
        with pytest.raises(BadRequest, match=r"(?i)peer_id_invalid"):
            await bot.send_message(chat, "x")

    async def test_count_wears_off(self, bot: Bot, emulator: BotAPIEmulator, chat: int) -> None:
        emulator.inject("server_error", count=2)
        for _ in range(2):
            with pytest.raises(NetworkError):
                await bot.send_message(chat, "x")
        assert emulator.faults == []
        await bot.send_message(chat, "lolos")
        assert [m.text for m in emulator.history(chat)] == ["lolos"]

    async def test_without_count_the_fault_stays_until_cleared(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        emulator.inject("forbidden")
        for _ in range(3):
            with pytest.raises(Forbidden):
                await bot.send_message(chat, "x")
        emulator.clear_faults()
        await bot.send_message(chat, "x")

    async def test_fault_for_one_chat(self, bot: Bot, emulator: BotAPIEmulator, chat: int) -> None:
        emulator.inject("forbidden", chat_id=OTHER_CHAT)
        await bot.send_message(chat, "x")
        with pytest.raises(Forbidden):
            await bot.send_message(OTHER_CHAT, "x")

    async def test_fault_for_some_methods(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        emulator.inject("server_error", methods=["sendPhoto"])
        await bot.send_message(chat, "x")
        with pytest.raises(NetworkError):
            await bot.send_photo(chat, photo="file-id")

    @staticmethod
    async def failures(seed: int, calls: int = 400) -> list[bool]:
        """Which of ``calls`` sends failed under a 50% server-error fault."""
        emulator = BotAPIEmulator(seed=seed)
        emulator.open_chat(CHAT)
        outcome: list[bool] = []
        async with Bot(token="1:TEST", request=emulator, get_updates_request=emulator) as bot:
            emulator.inject("server_error", share=0.5)
            for _ in range(calls):
                try:
                    await bot.send_message(CHAT, "x")
                except NetworkError:
                    outcome.append(True)
                else:
                    outcome.append(False)
        assert len(emulator.bot_messages(CHAT)) == outcome.count(False)
        return outcome

    async def test_share_fails_about_that_share(self) -> None:
        outcome = await self.failures(seed=1)
        assert 150 <= sum(outcome) <= 250  # 50% of 400; the band is > 5 standard deviations

    async def test_share_is_reproducible_with_the_same_seed(self) -> None:
        assert await self.failures(seed=7) == await self.failures(seed=7)
        assert await self.failures(seed=7) != await self.failures(seed=8)


class TestBlocking:
    async def test_block_and_unblock(self, bot: Bot, emulator: BotAPIEmulator, chat: int) -> None:
        emulator.block(chat)
        with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
            await bot.send_message(chat, "x")
        with pytest.raises(Forbidden):
            await bot.send_photo(chat, photo="file-id")
        await bot.send_message(OTHER_CHAT, "x")  # others are unaffected
        emulator.unblock(chat)
        await bot.send_message(chat, "lagi")
        assert [m.text for m in emulator.history(chat)] == ["lagi"]

    async def test_member_update_kicked_blocks(self, bot: Bot, emulator: BotAPIEmulator) -> None:
        update = Update.de_json(emulator.member_update(303, "kicked"), bot)
        assert update.my_chat_member is not None
        assert update.my_chat_member.new_chat_member.status == "kicked"
        assert update.my_chat_member.old_chat_member.status == "member"
        with pytest.raises(Forbidden):
            await bot.send_message(303, "x")

    async def test_member_update_member_unblocks(self, bot: Bot, emulator: BotAPIEmulator) -> None:
        emulator.member_update(303, "kicked")
        emulator.member_update(303, "member")
        await bot.send_message(303, "lagi")
        assert [m.text for m in emulator.bot_messages(303)] == ["lagi"]

    async def test_member_update_member_is_a_valid_update(
        self, bot: Bot, emulator: BotAPIEmulator
    ) -> None:
        """The old "kicked" member needs until_date, as Telegram sends it, for PTB to parse."""
        emulator.member_update(303, "kicked")
        update = Update.de_json(emulator.member_update(303, "member"), bot)
        assert update.my_chat_member is not None
        assert update.my_chat_member.old_chat_member.status == "kicked"
        assert update.my_chat_member.new_chat_member.status == "member"


# --- the user's side: updates ------------------------------------------------------------


class TestUserUpdates:
    @pytest.mark.parametrize(
        ("text", "length"),
        [
            ("/start", 6),
            ("/cmd arg", 4),
            ("/profil  satu dua", 7),
            ("/start@DesmigratifBot v_x", 21),
        ],
    )
    async def test_command_carries_a_bot_command_entity(
        self, bot: Bot, emulator: BotAPIEmulator, text: str, length: int
    ) -> None:
        update = Update.de_json(emulator.message_update(404, text), bot)
        assert update.message is not None
        assert update.message.text == text
        assert update.message.entities == (
            MessageEntity(MessageEntity.BOT_COMMAND, offset=0, length=length),
        )

    async def test_plain_text_has_no_entities(self, bot: Bot, emulator: BotAPIEmulator) -> None:
        update = Update.de_json(emulator.message_update(404, "halo /start"), bot)
        assert update.message is not None
        assert update.message.entities == ()

    async def test_message_update_fields(self, bot: Bot, emulator: BotAPIEmulator) -> None:
        payload = emulator.message_update(404, "halo", language_code="jv", first_name="Siti")
        update = Update.de_json(payload, bot)
        assert update.effective_user is not None
        assert update.effective_chat is not None
        assert (update.effective_user.id, update.effective_user.language_code) == (404, "jv")
        assert update.effective_user.first_name == "Siti"
        assert (update.effective_chat.id, update.effective_chat.type) == (404, "private")
        (stored,) = emulator.history(404)
        assert (stored.text, stored.from_bot) == ("halo", False)

    async def test_update_ids_increase(self, emulator: BotAPIEmulator) -> None:
        first = emulator.message_update(404, "a")
        second = emulator.media_update(404, "sticker")
        third = emulator.callback_update(404, 1, "x")
        assert first["update_id"] < second["update_id"] < third["update_id"]

    @pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "location", "contact"])
    async def test_media_update_parses_with_that_attribute(
        self, bot: Bot, emulator: BotAPIEmulator, kind: str
    ) -> None:
        update = Update.de_json(emulator.media_update(404, kind), bot)  # type: ignore[arg-type]
        message = update.message
        assert message is not None
        assert getattr(message, kind)
        assert message.text is None
        others = {"sticker", "photo", "voice", "location", "contact"} - {kind}
        assert all(not getattr(message, other) for other in others)
        (stored,) = emulator.history(404)
        assert (stored.media, stored.text, stored.from_bot) == (kind, f"<{kind}>", False)

    async def test_media_update_details(self, bot: Bot, emulator: BotAPIEmulator) -> None:
        sticker = Update.de_json(emulator.media_update(404, "sticker"), bot).message
        contact = Update.de_json(emulator.media_update(404, "contact"), bot).message
        location = Update.de_json(emulator.media_update(404, "location"), bot).message
        assert sticker is not None
        assert contact is not None
        assert location is not None
        assert sticker.sticker is not None
        assert sticker.sticker.emoji == "😀"
        assert contact.contact is not None
        assert contact.contact.phone_number == "+628123456789"
        assert location.location is not None
        assert (location.location.latitude, location.location.longitude) == (-7.7, 109.6)

    async def test_edited_message_update(self, bot: Bot, emulator: BotAPIEmulator) -> None:
        original = emulator.message_update(404, "salah")
        message_id = original["message"]["message_id"]
        update = Update.de_json(emulator.edited_message_update(404, message_id, "benar"), bot)
        assert update.edited_message is not None
        assert (update.edited_message.message_id, update.edited_message.text) == (
            message_id,
            "benar",
        )
        (stored,) = emulator.history(404)
        assert (stored.text, stored.edits) == ("benar", 1)


# --- where the emulator differs from Telegram's HTML parser --------------------------------


class TestHtmlLikeTelegram:
    """Telegram's parser (tdlib ``parse_html``) cases the emulator gets wrong."""

    @pytest.mark.parametrize("html", ["<span>x</span>", '<span class="bold">x</span>'])
    def test_span_needs_the_spoiler_class(self, html: str) -> None:
        with pytest.raises(HTMLParseError, match='must have class "tg-spoiler"'):
            html_to_plain(html)

    def test_a_bare_greater_than_is_text(self) -> None:
        assert html_to_plain("2 > 1 &gt; 0") == "2 > 1 > 0"

    def test_unknown_attributes_are_ignored(self) -> None:
        assert html_to_plain('<a href="https://x.id" target="_blank">x</a>') == "x"
