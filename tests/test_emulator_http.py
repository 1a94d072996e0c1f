"""The emulator served over HTTP (bot/channels/telegram/emulator_http.py), driven by a
real PTB ``Bot`` that talks HTTP to it: what PTB sends (form-urlencoded, multipart) must
reach the emulator as it would in-process, and the answers must turn into the same PTB
objects and errors."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter

from bot.channels.telegram.emulator import BotAPIEmulator
from bot.channels.telegram.emulator_http import decode, serve_emulator

CHAT = 101
TOKEN = "1:TEST"


@pytest.fixture
async def base_url(emulator: BotAPIEmulator) -> AsyncIterator[str]:
    emulator.open_chat(CHAT)
    async with serve_emulator(emulator) as url:
        yield url


@pytest.fixture
async def bot(base_url: str) -> AsyncIterator[Bot]:
    async with Bot(token=TOKEN, base_url=base_url) as bot:
        yield bot


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=label)] for label in labels]
    )


async def test_base_url_is_local_and_ends_in_bot(base_url: str) -> None:
    assert base_url.startswith("http://127.0.0.1:")
    assert base_url.endswith("/bot")


async def test_send_edit_and_answer_a_button(bot: Bot, emulator: BotAPIEmulator) -> None:
    sent = await bot.send_message(
        CHAT, "<b>Pilih</b>", parse_mode="HTML", reply_markup=keyboard("A")
    )
    assert (sent.text, sent.chat.id) == ("Pilih", CHAT)
    (stored,) = emulator.bot_messages(CHAT)
    assert (stored.text, stored.source, stored.button_labels()) == ("Pilih", "<b>Pilih</b>", ["A"])
    edited = await bot.edit_message_text(
        "Dipilih", chat_id=CHAT, message_id=sent.message_id, reply_markup=keyboard("B")
    )
    assert edited.text == "Dipilih"
    assert emulator.bot_messages(CHAT)[0].button_labels() == ["B"]
    update = emulator.callback_update(CHAT, sent.message_id, "B")
    query_id = update["callback_query"]["id"]
    assert await bot.answer_callback_query(query_id, text="Oke", show_alert=True)
    assert emulator.answer_to(update) == {"text": "Oke", "show_alert": True}


@pytest.mark.parametrize("text", ["123", "[1]", "true", '{"a": 1}', "null"])
async def test_text_that_looks_like_json_stays_text(
    bot: Bot, emulator: BotAPIEmulator, text: str
) -> None:
    sent = await bot.send_message(CHAT, text)
    assert sent.text == text
    assert emulator.calls[-1].params == {"chat_id": CHAT, "text": text}


def test_decode_follows_the_bot_api_types() -> None:
    assert decode("chat_id", "101") == 101
    assert decode("chat_id", "@kanal") == "@kanal"
    assert decode("reply_markup", '{"inline_keyboard": []}') == {"inline_keyboard": []}
    assert decode("show_alert", "true") is True
    assert decode("text", "42") == "42"
    assert decode("callback_query_id", "7") == "7"


async def test_an_upload_arrives_as_multipart(bot: Bot, emulator: BotAPIEmulator) -> None:
    sent = await bot.send_photo(CHAT, photo=b"\x89PNG", filename="balai.png", caption="Balai")
    assert sent.caption == "Balai"
    assert emulator.calls[-1].params == {
        "chat_id": CHAT,
        "caption": "Balai",
        "photo": "upload:balai.png",
    }


async def test_json_and_get_requests_are_understood(
    base_url: str, emulator: BotAPIEmulator
) -> None:
    async with httpx.AsyncClient() as client:
        posted = await client.post(
            f"{base_url}{TOKEN}/sendMessage", json={"chat_id": CHAT, "text": "7"}
        )
        got = await client.get(f"{base_url}{TOKEN}/getMe")
    assert posted.status_code == 200
    assert posted.json()["result"]["text"] == "7"
    assert got.json() == {"ok": True, "result": emulator.bot}


async def test_long_polling_waits_for_a_pushed_update_and_honours_offset(
    bot: Bot, emulator: BotAPIEmulator
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=3))
    await asyncio.sleep(0.2)
    assert not poll.done()  # nothing was pushed: the poll waits
    update_id = emulator.push(emulator.message_update(CHAT, "halo"))
    updates = await asyncio.wait_for(poll, 1)
    assert [update.update_id for update in updates] == [update_id]
    assert updates[0].message is not None
    assert updates[0].message.text == "halo"
    again = await bot.get_updates(offset=update_id, timeout=0)
    assert [update.update_id for update in again] == [update_id]
    assert await bot.get_updates(offset=update_id + 1, timeout=0) == ()


async def test_errors_are_the_ptb_exceptions(
    bot: Bot, emulator: BotAPIEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    with pytest.raises(BadRequest) as refused:
        await bot.send_message(CHAT, "<b>tebal", parse_mode="HTML")
    assert refused.value.message == (
        "Can't parse entities: can't find end tag corresponding to start tag \"b\""
    )
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(555, "halo")
    emulator.block(CHAT)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "halo")
    emulator.unblock(CHAT)
    emulator.limit(per_chat=True, global_rate=None)
    for _ in range(3):
        await bot.send_message(CHAT, "x")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(CHAT, "x")
    assert caught.value.retry_after == timedelta(seconds=1)


async def test_another_token_is_unauthorized(emulator: BotAPIEmulator) -> None:
    async with serve_emulator(emulator, token=TOKEN) as url:
        async with Bot(token=TOKEN, base_url=url) as bot:
            assert bot.username == emulator.bot["username"]
        with pytest.raises(InvalidToken):
            async with Bot(token="2:OTHER", base_url=url):
                pass  # initialising asks getMe


async def test_every_answer_waits_the_round_trip(emulator: BotAPIEmulator) -> None:
    async with serve_emulator(emulator, rtt_ms=150) as url, Bot(token=TOKEN, base_url=url) as bot:
        started = time.monotonic()
        await bot.get_me()
        assert time.monotonic() - started >= 0.15
        started = time.monotonic()
        assert await bot.get_updates(timeout=timedelta(milliseconds=200)) == ()
        assert time.monotonic() - started >= 0.35  # the long poll, then the round trip


async def test_playing_the_user_over_http(
    base_url: str, bot: Bot, emulator: BotAPIEmulator
) -> None:
    root = base_url.removesuffix("/bot")
    async with httpx.AsyncClient() as client:
        said = await client.post(f"{root}/_emulator/say", json={"user_id": 303, "text": "/start"})
        await bot.send_message(303, "Pilih", reply_markup=keyboard("ya"))
        tapped = await client.post(f"{root}/_emulator/tap", json={"user_id": 303, "data": "ya"})
        missing = await client.post(f"{root}/_emulator/tap", json={"user_id": 303, "data": "no"})
        shown = await client.get(f"{root}/_emulator/chat/303")
        unknown = await client.get(f"{root}/nowhere")
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [said.json()["update_id"], tapped.json()["update_id"]]
    assert updates[1].callback_query is not None
    assert updates[1].callback_query.data == "ya"
    assert missing.status_code == 404
    assert [(m["from_bot"], m["text"], m["buttons"]) for m in shown.json()] == [
        (False, "/start", []),
        (True, "Pilih", [[["ya", "ya"]]]),
    ]
    assert (unknown.status_code, unknown.json()["description"]) == (404, "Not Found")
