"""Consent (issue 14): someone who declined data processing uses every public feature and
nothing stored names them. Every table of ``storage.models`` is read back, row by row:
neither their person id nor their Telegram id is in any of its person-linking columns (any
big-integer column but the row's own key counters, and any link to ``people``), nor their
Telegram id inside any text or JSON value; ``users`` keeps only the id, the language and the
refusal, and ``identities`` only their Telegram id, as the consent text and the README
say."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import BigInteger, select

from bot.context import services_of
from storage.models import (
    Base,
    Identity,
    InboxLine,
    InboxUpdate,
    JobCheck,
    QuizAnswer,
    QuizRound,
    User,
)
from tests.announcing import announce, officer, villager
from tests.people import person as known
from tests.people import row_of
from tests.test_declined import play_round
from tests.test_inbox import polling, until
from tests.test_job_check import answers_for, run_check
from tests.transcript import label, sees

DECLINER = 7_654_321  # digits that no timestamp, count or key of the test can contain
OFFICER = 880
AGREED = 2301
# Integer columns that count rows, not people (a row's own key or a link to another row).
ROW_KEYS = {
    "id",
    "round_id",
    "request_id",
    "announcement_id",
    "linked_request_id",
    "message_id",
    "progress_message_id",
    "update_id",
}


def linking_columns(table) -> list[str]:
    """The columns of ``table`` that may hold a person's id or Telegram id."""
    return [
        column.name
        for column in table.columns
        if (isinstance(column.type, BigInteger) and column.name not in ROW_KEYS)
        or any(key.column.table.name == "people" for key in column.foreign_keys)
    ]


async def use_every_public_feature(p, db, locale: str) -> None:
    reply = await p.say("/kuis")
    sees(reply, locale, "<b>🧠 Trafficking warning signs quiz</b>")
    reply = await play_round(p, db, locale)
    sees(reply, locale, "<b>Your score: {score} / {total}</b>", score=10, total=10)
    reply = await run_check(p, locale, answers_for("stop"))
    sees(reply, locale, "⛔ Stop: this offer shows signs of trafficking")
    for words in ("/persiapan", "/istilah", "/tolong", "/status", "/profil", "/pengingat"):
        reply = await p.say(words)
        assert reply.messages, words  # every command is answered
    typed = {
        "id": ("tolong, anak saya tidak ada kabar", "berapa biaya ke taiwan", "terima kasih"),
        "jv": ("tulung, anak kula boten wonten kabar", "pinten biayanipun", "matur nuwun"),
    }
    for words in typed[locale]:
        reply = await p.say(words)
        assert reply.messages, words
    for command in ("/berhenti", "/mulai", "/dataku", "/menu"):
        reply = await p.say(command)
        assert reply.messages, command


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_a_decliner_leaves_no_row_that_names_them(app, person, db, emulator, sweep, locale):
    bu = await officer(app, person, OFFICER, "jogosimo")
    p = await villager(person, DECLINER, locale=locale, consent=False)
    await villager(person, AGREED, locale=locale)
    await use_every_public_feature(p, db, locale)
    # An announcement to everyone in the village: the one who agreed gets it, not the decliner.
    await announce(bu, "Sosialisasi hari Sabtu di balai desa.")
    reply = await bu.tap(label("id", "button", "Send"))
    sees(reply, "id", "Announcement #{id} is being sent to {n} person.", id=1, n=1)
    await sweep()
    await sweep()

    db.expire_all()
    declined = await known(db, DECLINER)
    # The public features did store their anonymous rows (so the scan below reads rows).
    [quiz_round] = (await db.scalars(select(QuizRound))).all()
    assert (quiz_round.person_id, quiz_round.village_id, quiz_round.score) == (None, None, 10)
    assert len((await db.scalars(select(QuizAnswer))).all()) == 10
    [check] = (await db.scalars(select(JobCheck))).all()
    assert (check.person_id, check.village_id, check.answers) == (None, None, {})

    tables = [t for t in Base.metadata.sorted_tables if t.name != "alembic_version"]
    assert len(tables) >= 13
    scanned = {}
    for table in tables:
        columns = linking_columns(table)
        rows = (await db.execute(select(table))).mappings().all()
        scanned[table.name] = len(rows)
        for row in rows:
            if table.name in ("users", "identities") and row["person_id"] == declined:
                continue  # checked field by field below
            for name in columns:
                assert row[name] not in (DECLINER, declined), (table.name, name, dict(row))
            text = json.dumps({k: str(v) for k, v in row.items()})
            assert not re.search(rf"(?<!\d){DECLINER}(?!\d)", text), (table.name, dict(row))
    # The scan did read the rows the features wrote, and the officer's own.
    assert scanned == {
        # The decliner, the one who agreed, the officer, and the admin of the settings (a
        # person since the officer was granted: the admins hear of officer changes).
        "people": 4,
        "identities": 4,
        "users": 3,  # the decliner, the one who agreed, the officer
        "officers": 1,
        "quiz_rounds": 1,
        "quiz_answers": 10,
        "job_checks": 1,
        "announcements": 1,
        "deliveries": 1,  # to the one who agreed only
        "checklists": 0,
        "checklist_marks": 0,
        "help_requests": 0,
        "help_events": 0,
        "help_messages": 0,
        "inbox": 0,  # updates fed straight to the application (the inbox: test below)
        "inbox_lines": 0,  # a line names a person only while their updates are handled
    }
    assert linking_columns(Base.metadata.tables["quiz_rounds"]) == ["person_id"]
    assert linking_columns(Base.metadata.tables["users"]) == ["person_id"]
    assert linking_columns(Base.metadata.tables["identities"]) == ["person_id"]
    assert "chat_id" in linking_columns(Base.metadata.tables["deliveries"])
    assert "person_id" in linking_columns(Base.metadata.tables["deliveries"])
    assert "requester_id" in linking_columns(Base.metadata.tables["help_requests"])
    assert "person_id" in linking_columns(Base.metadata.tables["inbox"])

    user = await row_of(db, User, DECLINER)
    await db.refresh(user)
    kept = {
        column.name: getattr(user, column.key)
        for column in User.__table__.columns
        if getattr(user, column.key) not in (None, False)
    }
    # What the consent text promises: the id, the language, the refusal (and when, and
    # the defaults every row has: the quiet hours and the bookkeeping times).
    assert set(kept) == {
        "person_id",
        "locale",
        "consent",
        "consent_at",
        "quiet_start",
        "quiet_end",
        "created_at",
        "updated_at",
    }, kept
    assert (user.person_id, user.locale, user.consent) == (declined, locale, "declined")
    # Their one identity: the Telegram id the bot answers.
    identities = (
        await db.execute(
            select(Identity.channel, Identity.address).where(Identity.person_id == declined)
        )
    ).all()
    assert identities == [("telegram", str(DECLINER))]
    assert (user.quiet_start, user.quiet_end) == (21 * 60, 6 * 60)
    # /dataku tells them so.
    reply = await p.say("/dataku")
    sees(reply, locale, "Nothing else is stored. To erase all of it, send /hapusdata.")
    assert label(locale, "", "Quiz rounds and their answers: {n}", n=1) not in reply.text


async def test_a_decliners_words_through_the_inbox_are_not_kept(app, person, db, emulator):
    """``desmigratif run`` stores each update before it is handled; once answered, the
    row of a decliner's message keeps no payload and no replies: their words are gone,
    only the update's key stays (to recognise a duplicate) until it is pruned."""
    p = await villager(person, DECLINER, consent=False)
    words = "tolong, anak saya Siti Aminah di Kuala Lumpur tidak ada kabar"
    update_id = emulator.push(emulator.message_update(DECLINER, words))
    before = len(emulator.bot_messages(DECLINER))
    async with polling(app):
        await until(lambda: len(emulator.bot_messages(DECLINER)) > before)
    db.expire_all()
    [row] = (await db.scalars(select(InboxUpdate))).all()
    assert (row.update_id, row.status, row.payload, row.replies) == (
        update_id,
        "done",
        None,
        None,
    )
    assert p.user_id == row.person_id == DECLINER  # the key of the line it waited in
    # The line itself (which process handles them) is given up once they are answered.
    await services_of(app).inbox.flush()
    db.expire_all()
    assert (await db.scalars(select(InboxLine))).all() == []
    user = await row_of(db, User, DECLINER)
    await db.refresh(user)
    assert (user.role, user.village_id, user.dialog_data, user.help_draft) == (
        None,
        None,
        None,
        None,
    )
