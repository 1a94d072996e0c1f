"""The error handler, and the command list registered with Telegram."""

from __future__ import annotations

import logging

from bot.commands import COMMANDS
from storage.models import User
from tests.test_onboarding import onboard
from tests.transcript import choose_language, label, sees, tr


async def test_commands_registered_per_language(app, emulator):
    default = emulator.commands[('{"type": "default"}', "")]
    assert [c["command"] for c in default] == [name for name, _ in COMMANDS]
    for locale in ("id", "jv", "en"):
        listed = emulator.commands[('{"type": "default"}', locale)]
        assert [c["command"] for c in listed] == [name for name, _ in COMMANDS]
    jv = {c["command"]: c["description"] for c in emulator.commands[('{"type": "default"}', "jv")]}
    assert jv["hapusdata"] == tr("jv", "Erase all your data")
    en = {c["command"]: c["description"] for c in emulator.commands[('{"type": "default"}', "en")]}
    assert en["bahasa"] == "Change the language"


async def test_telegram_failure_is_reported_and_state_rolled_back(person, emulator, db, caplog):
    p = person(701, language_code="jv")
    await p.say("/start")
    await choose_language(p, "Basa Jawa")
    emulator.inject("server_error", chat_id=701, count=1, methods=["editMessageText"])
    with caplog.at_level(logging.ERROR, logger="desmigratif.errors"):
        reply = await p.tap(label("jv", "role", "Working abroad now"))
    sees(
        reply,
        "jv",
        "Sorry, something went wrong on our side",
    )
    assert "Traceback" not in reply.text
    assert "Bad Gateway" not in reply.text
    assert "error handling callback_query" in caplog.text
    assert "701" in caplog.text
    stored = await db.get(User, 701)
    assert stored.step == "role"  # the failed step was not half-saved
    reply = await p.tap(label("jv", "role", "Working abroad now"))
    sees(reply, "jv", "Which village do you live in?")


async def test_timeout_is_reported(person, emulator):
    p = person(702)
    await onboard(p)
    emulator.inject("timeout", chat_id=702, count=1)
    reply = await p.say("/profil")
    sees(
        reply,
        "id",
        "Sorry, something went wrong on our side",
    )
