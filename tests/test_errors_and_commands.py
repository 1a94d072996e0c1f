"""The error handler, and the command list registered with Telegram."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from telegram import Update

from bot.channels.telegram.commands import COMMANDS
from storage.models import User
from tests.people import person, row_of
from tests.test_onboarding import onboard
from tests.transcript import choose_language, full_message, label, sees, tr


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


async def fail_updates_of(db, telegram_id: int) -> None:
    """A database fault for one person: every change to their row is refused."""
    person_id = await person(db, telegram_id)
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(
            text(
                "CREATE OR REPLACE FUNCTION refuse_user() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.person_id = {person_id} THEN RAISE EXCEPTION 'injected fault'; "
                "END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
        )
        await db.execute(text("DROP TRIGGER IF EXISTS refuse_user ON users"))
        await db.execute(
            text(
                "CREATE TRIGGER refuse_user BEFORE UPDATE ON users "
                "FOR EACH ROW EXECUTE FUNCTION refuse_user()"
            )
        )
    else:
        await db.execute(
            text(
                f"CREATE TRIGGER refuse_user BEFORE UPDATE ON users WHEN NEW.person_id = "
                f"{person_id} BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
            )
        )
    await db.commit()


async def heal(db) -> None:
    on_table = " ON users" if db.get_bind().dialect.name == "postgresql" else ""
    await db.execute(text(f"DROP TRIGGER IF EXISTS refuse_user{on_table}"))
    await db.commit()


async def test_failure_inside_the_unit_of_work_is_reported_and_rolled_back(
    person, emulator, db, caplog
):
    p = person(701, language_code="jv")
    await p.say("/start")
    await choose_language(p, "Basa Jawa")
    await fail_updates_of(db, 701)
    try:
        with caplog.at_level(logging.ERROR, logger="desmigratif.errors"):
            reply = await p.tap(label("jv", "role", "Working abroad now"))
    finally:
        await heal(db)
    sees(reply, "jv", "Sorry, something went wrong on our side")
    assert "Traceback" not in reply.text
    assert "injected fault" not in reply.text
    assert "error handling callback_query" in caplog.text
    assert "701" in caplog.text
    db.expire_all()
    stored = await row_of(db, User, 701)
    assert stored.step == "role"  # the failed step was not half-saved
    # Nothing of the rolled-back answer was sent: only the apology is new.
    assert [m.text for m in reply.messages] == [
        tr("jv", full_message("Sorry, something went wrong on our side"))
    ]
    reply = await p.tap(label("jv", "role", "Working abroad now"))
    sees(reply, "jv", "Which village do you live in?")


async def test_telegram_failure_after_commit_is_retried(person, emulator, db):
    """Commit, then talk: the step is saved before Telegram is called; a 5xx or a
    time-out on the answer is tried again, so the person still sees the next question."""
    p = person(702, language_code="jv")
    await p.say("/start")
    await choose_language(p, "Basa Jawa")
    emulator.inject("server_error", chat_id=702, count=2, methods=["editMessageText"])
    reply = await p.tap(label("jv", "role", "Working abroad now"))
    sees(reply, "jv", "Which village do you live in?")
    assert (await row_of(db, User, 702)).step == "village"
    outcomes = [c.outcome for c in emulator.calls if c.method == "editMessageText"]
    assert outcomes[-3:] == ["Bad Gateway", "Bad Gateway", "ok"]


async def test_answer_lost_for_good_keeps_the_saved_step(person, emulator, db, caplog):
    p = person(703)
    await onboard(p)
    emulator.inject("timeout", chat_id=703)  # Telegram never answers for this chat
    with caplog.at_level(logging.WARNING, logger="desmigratif.replies"):
        reply = await p.say("/profil")
    assert reply.messages == []
    assert "send_message to chat 703 lost" in caplog.text
    # Tried once and then after each pause: 1 + 3 calls, no more.
    assert [c.outcome for c in emulator.calls if c.params.get("chat_id") == 703][-4:] == [
        "timed out"
    ] * 4
    emulator.clear_faults()
    reply = await p.say("/menu")
    assert reply.messages  # the bot carries on


@pytest.mark.parametrize("target", ["deleted message", "the user's own message"])
async def test_a_screen_that_cannot_be_edited_in_place_arrives_as_a_new_message(
    app, emulator, target, caplog
):
    """Telegram refuses the edit ("message to edit not found" / "message can't be edited",
    which PTB rewords with a capital letter): the screen is sent as a new message."""
    start = emulator.message_update(731, "/start")
    await app.process_update(Update.de_json(start, app.bot))
    welcome = emulator.bot_messages(731)[-1]
    if target == "deleted message":
        welcome.deleted = True
        message_id = welcome.message_id
    else:
        message_id = start["message"]["message_id"]
    tap = emulator.callback_update(731, message_id, "ob:lang:id")
    with caplog.at_level(logging.ERROR):
        await app.process_update(Update.de_json(tap, app.bot))
    latest = emulator.bot_messages(731)[-1]
    assert latest.message_id not in (welcome.message_id, message_id)
    assert latest.text.startswith(tr("id", "Which of these describes you?"))
    assert latest.button_labels() == [
        label("id", "role", "Planning to work abroad"),
        label("id", "role", "Working abroad now"),
        label("id", "role", "Family of a migrant worker"),
    ]
    assert welcome.edits == 0
    assert "refused" not in caplog.text
