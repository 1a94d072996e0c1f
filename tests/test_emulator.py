"""The in-process Bot API (bot/channels/telegram/emulator.py) driven through the real PTB
stack, and the Telegram-HTML helpers it validates with (bot/telegram_html.py).

Every check goes through ``telegram.Bot`` so that what PTB sends, and how PTB turns the
answers into exceptions, is part of what is tested.
"""

from __future__ import annotations

import asyncio
import json
import time
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
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.channels.telegram.emulator import Answer, BotAPIEmulator
from bot.telegram_html import (
    Entity,
    HTMLParseError,
    html_to_entities,
    html_to_plain,
    telegram_length,
)

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


class TestHtmlEntities:
    """What the user sees: the text and its formatting, the same for equal-looking HTML.
    (Each tag's entity: tests/test_telegram_html.py.)"""

    def test_plain_text_has_no_entities(self) -> None:
        assert html_to_entities("a &lt; b") == ("a < b", ())
        assert html_to_entities("tanpa tag") == ("tanpa tag", ())

    def test_a_link_carries_its_unescaped_address(self) -> None:
        html = 'Lihat <a href="https://x.id/?a=1&amp;b=2">ini</a>'
        assert html_to_entities(html) == (
            "Lihat ini",
            (Entity("text_link", 6, 3, url="https://x.id/?a=1&b=2"),),
        )

    def test_pre_with_code_is_one_pre_in_that_language(self) -> None:
        html = '<pre><code class="language-python">x = 1</code></pre>'
        assert html_to_entities(html) == ("x = 1", (Entity("pre", 0, 5, language="python"),))

    def test_custom_emoji_carries_its_id(self) -> None:
        assert html_to_entities('<tg-emoji emoji-id="42">👍</tg-emoji>') == (
            "👍",
            (Entity("custom_emoji", 0, 2, custom_emoji_id="42"),),
        )

    def test_offsets_and_lengths_count_utf16_code_units(self) -> None:
        assert html_to_entities("😀 <b>a😀</b> <i>é</i>") == (
            "😀 a😀 é",
            (Entity("bold", 3, 3), Entity("italic", 7, 1)),
        )

    def test_nested_entities_outer_first(self) -> None:
        assert html_to_entities("<b>ab<i>cd</i></b>") == (
            "abcd",
            (Entity("bold", 0, 4), Entity("italic", 2, 2)),
        )

    @pytest.mark.parametrize(
        "html", ["<b>ab</b>", "<b>a</b><b>b</b>", "<b><strong>ab</strong></b>"]
    )
    def test_runs_of_one_style_merge(self, html: str) -> None:
        assert html_to_entities(html) == ("ab", (Entity("bold", 0, 2),))

    def test_empty_entities_are_dropped(self) -> None:
        assert html_to_entities("<b></b>x<i></i>") == ("x", ())

    def test_to_dict_is_the_bot_api_json(self) -> None:
        assert Entity("text_link", 1, 2, url="https://x.id").to_dict() == {
            "type": "text_link",
            "offset": 1,
            "length": 2,
            "url": "https://x.id",
        }
        assert Entity("bold", 0, 3).to_dict() == {"type": "bold", "offset": 0, "length": 3}

    def test_invalid_html_is_still_refused(self) -> None:
        with pytest.raises(HTMLParseError, match="Unmatched end tag at byte offset 4"):
            html_to_entities("<b>x</i>")


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

    async def test_unknown_group_is_not_found(self, bot: Bot, emulator: BotAPIEmulator) -> None:
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(-100_999_999, "halo")
        assert emulator.calls[-1].method == "sendMessage"
        assert emulator.calls[-1].outcome == "Bad Request: chat not found"

    async def test_a_person_who_never_started_the_bot_cannot_be_written_to(
        self, bot: Bot, emulator: BotAPIEmulator
    ) -> None:
        with pytest.raises(Forbidden) as caught:
            await bot.send_message(999_999, "halo")
        assert caught.value.message == "Forbidden: bot can't initiate conversation with a user"
        with pytest.raises(Forbidden, match="can't initiate conversation"):
            await bot.send_photo(999_999, photo="file-id")
        with pytest.raises(Forbidden, match="can't initiate conversation"):
            await bot.send_chat_action(999_999, "typing")
        assert [(call.method, call.outcome) for call in emulator.calls[-3:]] == [
            ("sendMessage", "Forbidden: bot can't initiate conversation with a user"),
            ("sendPhoto", "Forbidden: bot can't initiate conversation with a user"),
            ("sendChatAction", "Forbidden: bot can't initiate conversation with a user"),
        ]
        assert emulator.history(999_999) == []

    async def test_editing_in_an_unknown_chat_is_chat_not_found(self, bot: Bot) -> None:
        with pytest.raises(BadRequest, match=r"^Chat not found$"):
            await bot.edit_message_text("x", chat_id=999_999, message_id=1)

    async def test_an_opened_chat_can_be_written_to(
        self, bot: Bot, emulator: BotAPIEmulator
    ) -> None:
        emulator.open_chat(999_999)
        await bot.send_message(999_999, "halo")
        assert [m.text for m in emulator.history(999_999)] == ["halo"]

    async def test_html_formatting_comes_back_as_entities(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        sent = await bot.send_message(
            chat, '<b>Halo</b> <a href="https://x.id">Siti</a>', parse_mode="HTML"
        )
        assert sent.entities == (
            MessageEntity(MessageEntity.BOLD, 0, 4),
            MessageEntity(MessageEntity.TEXT_LINK, 5, 4, url="https://x.id"),
        )
        assert sent.text_html == '<b>Halo</b> <a href="https://x.id">Siti</a>'
        (stored,) = emulator.bot_messages(chat)
        assert stored.entities == (Entity("bold", 0, 4), Entity("text_link", 5, 4, "https://x.id"))

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

    async def test_an_uploaded_photo_is_accepted(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        sent = await bot.send_photo(
            chat,
            photo=b"\x89PNG fake",
            filename="balai.png",
            caption="<b>Foto</b>",
            parse_mode="HTML",
        )
        assert sent.caption == "Foto"
        assert sent.caption_entities == (MessageEntity(MessageEntity.BOLD, 0, 4),)
        assert emulator.calls[-1].params["photo"] == "upload:balai.png"

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
        edited = await bot.edit_message_text(
            "<i>Halo</i>", chat_id=chat, message_id=sent.message_id, parse_mode="HTML"
        )
        assert edited.entities == (MessageEntity(MessageEntity.ITALIC, 0, 4),)
        (stored,) = emulator.bot_messages(chat)
        assert (stored.source, stored.entities, stored.edits) == (
            "<i>Halo</i>",
            (Entity("italic", 0, 4),),
            1,
        )

    @pytest.mark.parametrize(
        ("before", "after"),
        [
            ("<b>Halo</b>", "<strong>Halo</strong>"),
            ("<b>Ha</b><b>lo</b>", "<b>Halo</b>"),
            ("<i>a</i> &amp; b", "<em>a</em> & b"),
            ('<a href="https://x.id/?a&amp;b">x</a>', "<a href='https://x.id/?a&b'>x</a>"),
        ],
    )
    async def test_other_html_that_looks_the_same_is_not_modified(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int, before: str, after: str
    ) -> None:
        sent = await bot.send_message(
            chat, before, parse_mode="HTML", reply_markup=keyboard(["A"])
        )
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text(
                after,
                chat_id=chat,
                message_id=sent.message_id,
                parse_mode="HTML",
                reply_markup=keyboard(["A"]),
            )
        (stored,) = emulator.bot_messages(chat)
        assert (stored.source, stored.edits) == (before, 0)

    async def test_plain_text_and_html_of_the_same_look_are_not_modified(
        self, bot: Bot, chat: int
    ) -> None:
        sent = await bot.send_message(chat, "a < b")
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text(
                "a &lt; b", chat_id=chat, message_id=sent.message_id, parse_mode="HTML"
            )

    @pytest.mark.parametrize(
        ("before", "after"),
        [
            ("<b>Halo</b>", "<b>Hal</b>o"),
            ('<a href="https://x.id/1">x</a>', '<a href="https://x.id/2">x</a>'),
            ("<code>x</code>", "<pre>x</pre>"),
            ("<b>Halo</b>", "Halo"),
        ],
    )
    async def test_a_visible_formatting_change_is_an_edit(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int, before: str, after: str
    ) -> None:
        sent = await bot.send_message(chat, before, parse_mode="HTML")
        await bot.edit_message_text(
            after, chat_id=chat, message_id=sent.message_id, parse_mode="HTML"
        )
        assert emulator.bot_messages(chat)[0].edits == 1

    async def test_same_text_and_formatting_with_other_buttons_is_an_edit(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        sent = await bot.send_message(
            chat, "<b>x</b>", parse_mode="HTML", reply_markup=keyboard(["A"])
        )
        await bot.edit_message_text(
            "<strong>x</strong>",
            chat_id=chat,
            message_id=sent.message_id,
            parse_mode="HTML",
            reply_markup=keyboard(["A", "B"]),
        )
        (stored,) = emulator.bot_messages(chat)
        assert (stored.button_labels(), stored.edits) == (["A", "B"], 1)

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

    async def test_a_blocked_chat_refuses_edits_and_chat_actions_too(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        """Telegram refuses every write into a chat that blocked the bot, not only new
        messages: an edit of an old screen, or "typing…", gets the same 403."""
        sent = await bot.send_message(chat, "x", reply_markup=keyboard(["A"]))
        emulator.block(chat)
        with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
            await bot.edit_message_text("y", chat_id=chat, message_id=sent.message_id)
        with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
            await bot.edit_message_reply_markup(chat_id=chat, message_id=sent.message_id)
        with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
            await bot.send_chat_action(chat, "typing")
        assert [m.text for m in emulator.history(chat)] == ["x"]

    async def test_a_group_that_removed_the_bot_says_kicked(
        self, bot: Bot, emulator: BotAPIEmulator
    ) -> None:
        group = -1001234
        emulator.open_chat(group)
        emulator.block(group)
        with pytest.raises(Forbidden, match=r"^Forbidden: bot was kicked from the group chat$"):
            await bot.send_message(group, "x")

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


# --- flood control -----------------------------------------------------------------------


class TestRateLimits:
    async def test_off_by_default(self, bot: Bot, emulator: BotAPIEmulator, chat: int) -> None:
        for _ in range(40):
            await bot.send_message(chat, "x")
        assert len(emulator.bot_messages(chat)) == 40

    async def test_per_chat_allows_a_burst_of_3_then_429(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("PTB_TIMEDELTA", "true")
        emulator.limit(per_chat=True, global_rate=None)
        for _ in range(3):
            await bot.send_message(chat, "x")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(chat, "x")
        assert caught.value.retry_after == timedelta(seconds=1)
        assert emulator.calls[-1].outcome == "Too Many Requests: retry after 1"
        assert len(emulator.bot_messages(chat)) == 3
        await bot.send_message(OTHER_CHAT, "y")  # another chat has its own bucket

    async def test_a_group_gets_20_a_minute(
        self, bot: Bot, emulator: BotAPIEmulator, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Telegram allows about 20 messages a minute into one group: after the burst, the
        next slot is 3 s away, not 1 s as in a private chat."""
        monkeypatch.setenv("PTB_TIMEDELTA", "true")
        group = -1001234
        emulator.open_chat(group)
        emulator.limit(per_chat=True, global_rate=None)
        for _ in range(3):
            await bot.send_message(group, "x")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(group, "x")
        assert caught.value.retry_after == timedelta(seconds=3)
        assert len(emulator.bot_messages(group)) == 3

    async def test_per_chat_refills_at_its_rate(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        emulator.limit(per_chat=20.0, global_rate=None, burst=1)  # one per 50 ms
        await bot.send_message(chat, "1")
        with pytest.raises(RetryAfter):
            await bot.send_message(chat, "x")
        await asyncio.sleep(0.06)
        await bot.send_message(chat, "2")
        assert [m.text for m in emulator.bot_messages(chat)] == ["1", "2"]

    async def test_edits_count_and_other_methods_do_not(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        emulator.limit(per_chat=True, global_rate=None, burst=2)
        sent = await bot.send_message(chat, "x", reply_markup=keyboard(["A"]))
        await bot.edit_message_text("y", chat_id=chat, message_id=sent.message_id)
        with pytest.raises(RetryAfter):
            await bot.edit_message_text("z", chat_id=chat, message_id=sent.message_id)
        for _ in range(5):  # none of these count
            update = emulator.callback_update(chat, sent.message_id, "A")
            await bot.answer_callback_query(update["callback_query"]["id"])
            await bot.get_me()
            await bot.get_updates()
            await bot.send_chat_action(chat, "typing")
        with pytest.raises(RetryAfter):
            await bot.send_message(chat, "x")

    async def test_global_rate_over_all_chats(self, bot: Bot, emulator: BotAPIEmulator) -> None:
        chats = list(range(1, 8))
        for chat_id in chats:
            emulator.open_chat(chat_id)
        emulator.limit(per_chat=False, global_rate=5)
        for chat_id in chats[:5]:
            await bot.send_message(chat_id, "x")
        with pytest.raises(RetryAfter):
            await bot.send_message(chats[5], "x")
        assert sum(len(emulator.bot_messages(chat_id)) for chat_id in chats) == 5

    async def test_a_refused_call_costs_no_token(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        emulator.limit(per_chat=10.0, global_rate=None, burst=1)  # one per 100 ms
        await bot.send_message(chat, "1")
        for _ in range(3):
            with pytest.raises(RetryAfter):
                await bot.send_message(chat, "x")
        await asyncio.sleep(0.11)
        await bot.send_message(chat, "2")

    async def test_limit_can_be_turned_off(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        emulator.limit(per_chat=True, global_rate=30)
        for _ in range(3):
            await bot.send_message(chat, "x")
        emulator.limit(per_chat=False, global_rate=None)
        for _ in range(10):
            await bot.send_message(chat, "x")
        assert len(emulator.bot_messages(chat)) == 13

    async def test_constructor_turns_the_per_chat_limit_on(self) -> None:
        emulator = BotAPIEmulator(per_chat_limit=True)
        emulator.open_chat(CHAT)
        async with Bot(token="1:TEST", request=emulator) as bot:
            for _ in range(3):
                await bot.send_message(CHAT, "x")
            with pytest.raises(RetryAfter):
                await bot.send_message(CHAT, "x")


# --- long polling ------------------------------------------------------------------------


class TestLongPolling:
    async def test_nothing_pushed_nothing_returned(self, bot: Bot) -> None:
        assert await bot.get_updates() == ()

    async def test_pushed_updates_come_back_until_confirmed_by_offset(
        self, bot: Bot, emulator: BotAPIEmulator
    ) -> None:
        first = emulator.push(emulator.message_update(404, "satu"))
        second = emulator.push(emulator.message_update(404, "dua"))
        updates = await bot.get_updates()
        assert [u.update_id for u in updates] == [first, second]
        assert updates[0].message is not None
        assert updates[0].message.text == "satu"
        # Not confirmed yet: the same again.
        assert [u.update_id for u in await bot.get_updates()] == [first, second]
        assert [u.update_id for u in await bot.get_updates(offset=second)] == [second]
        # Confirmed for good: a lower offset does not bring it back.
        assert [u.update_id for u in await bot.get_updates(offset=first)] == [second]
        assert await bot.get_updates(offset=second + 1) == ()
        assert emulator.pending == []

    async def test_limit(self, bot: Bot, emulator: BotAPIEmulator) -> None:
        ids = [emulator.push(emulator.message_update(404, str(i))) for i in range(5)]
        assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
        assert [u.update_id for u in await bot.get_updates(offset=ids[2], limit=2)] == ids[2:4]

    async def test_negative_offset_keeps_the_last_ones(
        self, bot: Bot, emulator: BotAPIEmulator
    ) -> None:
        ids = [emulator.push(emulator.message_update(404, str(i))) for i in range(4)]
        assert [u.update_id for u in await bot.get_updates(offset=-1)] == ids[3:]
        assert [u.update_id for u in await bot.get_updates()] == ids[3:]

    async def test_a_long_poll_returns_as_soon_as_an_update_is_pushed(
        self, bot: Bot, emulator: BotAPIEmulator
    ) -> None:
        poll = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.1)
        assert not poll.done()  # nothing yet: it waits
        before = time.monotonic()
        update_id = emulator.push(emulator.callback_update(404, 1, "A"))
        updates = await asyncio.wait_for(poll, 1)
        assert [u.update_id for u in updates] == [update_id]
        assert before <= emulator.pushed_at[update_id] <= time.monotonic()

    async def test_a_long_poll_waits_its_timeout_when_nothing_comes(self, bot: Bot) -> None:
        started = time.monotonic()
        assert await bot.get_updates(timeout=timedelta(milliseconds=300)) == ()
        assert 0.3 <= time.monotonic() - started < 1.0

    async def test_the_wait_does_not_block_the_event_loop(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        poll = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.05)
        await bot.send_message(chat, "sementara")  # answered while the poll waits
        assert not poll.done()
        emulator.release_polls()
        assert await asyncio.wait_for(poll, 1) == ()

    async def test_delete_webhook_can_drop_pending_updates(
        self, bot: Bot, emulator: BotAPIEmulator
    ) -> None:
        emulator.push(emulator.message_update(404, "lama"))
        assert await bot.delete_webhook(drop_pending_updates=False)
        assert len(await bot.get_updates()) == 1
        assert await bot.delete_webhook(drop_pending_updates=True)
        assert await bot.get_updates() == ()


# --- what the user saw, and when -----------------------------------------------------------


class TestAnswers:
    async def test_every_call_the_user_sees_is_reported_with_its_chat(
        self, bot: Bot, emulator: BotAPIEmulator, chat: int
    ) -> None:
        seen: list[tuple[int, str]] = []
        times: list[float] = []

        def on_answer(chat_id: int, method: str, at: float) -> None:
            seen.append((chat_id, method))
            times.append(at)

        emulator.on_answer = on_answer
        started = time.monotonic()
        sent = await bot.send_message(chat, "x", reply_markup=keyboard(["A"]))
        await bot.edit_message_text(
            "y", chat_id=chat, message_id=sent.message_id, reply_markup=keyboard(["B"])
        )
        await bot.edit_message_reply_markup(chat, sent.message_id, reply_markup=keyboard(["C"]))
        await bot.send_photo(OTHER_CHAT, photo="file-id")
        await bot.send_document(chat, document="file-id")
        await bot.send_voice(chat, voice="file-id")
        update = emulator.callback_update(OTHER_CHAT, 1, "A")
        await bot.answer_callback_query(update["callback_query"]["id"])
        # Not seen: failures, and calls that show nothing.
        with pytest.raises(BadRequest):
            await bot.send_message(chat, "")
        await bot.send_chat_action(chat, "typing")
        await bot.get_me()
        await bot.delete_message(chat, sent.message_id)
        assert seen == [
            (chat, "sendMessage"),
            (chat, "editMessageText"),
            (chat, "editMessageReplyMarkup"),
            (OTHER_CHAT, "sendPhoto"),
            (chat, "sendDocument"),
            (chat, "sendVoice"),
            (OTHER_CHAT, "answerCallbackQuery"),
        ]
        assert started <= times[0] <= times[-1] <= time.monotonic()
        assert times == sorted(times)
        assert [answer.method for answer in emulator.answers[chat]] == [
            "sendMessage",
            "editMessageText",
            "editMessageReplyMarkup",
            "sendDocument",
            "sendVoice",
        ]
        assert emulator.answers[OTHER_CHAT] == [
            Answer("sendPhoto", times[3]),
            Answer("answerCallbackQuery", times[6]),
        ]

    async def test_without_recording_only_the_hook_is_told(self) -> None:
        emulator = BotAPIEmulator(record_calls=False)
        emulator.open_chat(CHAT)
        seen: list[str] = []
        emulator.on_answer = lambda chat_id, method, at: seen.append(method)
        async with Bot(token="1:TEST", request=emulator) as bot:
            await bot.send_message(CHAT, "x")
        assert (seen, emulator.answers, emulator.calls) == (["sendMessage"], {}, [])


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


# --- buttons do one thing ----------------------------------------------------------------


class TestButtonActions:
    @pytest.mark.parametrize(
        "button",
        [
            {"text": "A", "callback_data": "a", "url": "https://example.org"},
            {"text": "A"},
            {"text": "A", "url": "https://example.org", "copy_text": {"text": "x"}},
        ],
        ids=["two actions", "none", "url and copy"],
    )
    async def test_a_button_needs_exactly_one_action(
        self, emulator: BotAPIEmulator, chat: int, button: dict[str, object]
    ) -> None:
        status, body = await emulator.call(
            "sendMessage",
            {"chat_id": chat, "text": "x", "reply_markup": {"inline_keyboard": [[button]]}},
        )
        assert (status, json.loads(body)["description"]) == (
            400,
            "Bad Request: can't parse inline keyboard button",
        )
        assert emulator.history(chat) == []

    async def test_one_action_is_accepted(self, emulator: BotAPIEmulator, chat: int) -> None:
        status, _ = await emulator.call(
            "sendMessage",
            {
                "chat_id": chat,
                "text": "x",
                "reply_markup": {"inline_keyboard": [[{"text": "A", "url": "tg://resolve"}]]},
            },
        )
        assert status == 200


# --- webhook and rival pollers -----------------------------------------------------------


class TestWebhook:
    @pytest.mark.parametrize(
        ("params", "description"),
        [
            ({"url": "http://bot.example.org/tg"}, "An HTTPS URL must be provided for webhook"),
            ({"url": "https:///tg"}, "An HTTPS URL must be provided for webhook"),
            (
                {"url": "https://bot.example.org:8080/tg"},
                "Webhook can be set up only on ports 80, 88, 443 or 8443",
            ),
            ({"url": "https://bot.example.org/tg", "max_connections": 101}, "max_connections"),
            ({"url": "https://bot.example.org/tg", "max_connections": -1}, "max_connections"),
        ],
    )
    async def test_a_bad_webhook_is_refused(
        self, emulator: BotAPIEmulator, params: dict[str, object], description: str
    ) -> None:
        status, body = await emulator.call("setWebhook", params)
        assert status == 400
        assert description in json.loads(body)["description"]
        assert emulator.webhook == {}

    @pytest.mark.parametrize("secret", ["with space", "é", "x" * 257, "a/b"])
    async def test_a_secret_token_outside_telegrams_alphabet_is_refused(
        self, emulator: BotAPIEmulator, secret: str
    ) -> None:
        status, body = await emulator.call(
            "setWebhook", {"url": "https://bot.example.org/tg", "secret_token": secret}
        )
        assert (status, json.loads(body)["description"]) == (
            400,
            "Bad Request: secret token contains unallowed characters",
        )

    @pytest.mark.parametrize("port", [443, 80, 88, 8443])
    async def test_telegrams_four_ports_are_accepted(
        self, bot: Bot, emulator: BotAPIEmulator, port: int
    ) -> None:
        url = f"https://bot.example.org:{port}/tg"
        assert await bot.set_webhook(url, secret_token="A-z_0" * 51 + "9", max_connections=100)
        assert emulator.webhook["url"] == url

    async def test_polling_is_refused_while_a_webhook_is_set(
        self, bot: Bot, emulator: BotAPIEmulator
    ) -> None:
        emulator.push(emulator.message_update(404, "halo"))
        await bot.set_webhook(
            "https://bot.example.org/tg",
            secret_token="s3cret",
            allowed_updates=["message", "callback_query"],
            max_connections=7,
        )
        info = await bot.get_webhook_info()
        assert (info.url, info.max_connections, info.allowed_updates) == (
            "https://bot.example.org/tg",
            7,
            ("message", "callback_query"),
        )
        assert info.pending_update_count == 1
        with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
            await bot.get_updates()
        await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""
        assert [u.message.text for u in await bot.get_updates() if u.message] == ["halo"]

    async def test_setting_a_webhook_ends_a_waiting_poll(
        self, bot: Bot, emulator: BotAPIEmulator
    ) -> None:
        poll = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.05)
        await bot.set_webhook("https://bot.example.org/tg")
        with pytest.raises(Conflict, match="webhook is active"):
            await asyncio.wait_for(poll, 1)

    async def test_a_second_poller_ends_the_first(
        self, bot: Bot, emulator: BotAPIEmulator
    ) -> None:
        """Two processes polling the same bot: Telegram ends the older long poll with 409,
        and the newer one gets the updates."""
        first = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.05)
        second = asyncio.create_task(bot.get_updates(timeout=5))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await asyncio.wait_for(first, 1)
        update_id = emulator.push(emulator.message_update(404, "halo"))
        assert [u.update_id for u in await asyncio.wait_for(second, 1)] == [update_id]

    async def test_an_empty_url_removes_the_webhook(
        self, bot: Bot, emulator: BotAPIEmulator
    ) -> None:
        await bot.set_webhook("https://bot.example.org/tg")
        await bot.set_webhook("")
        assert emulator.webhook == {}
        assert await bot.get_updates() == ()
