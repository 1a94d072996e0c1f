"""``/hapusdata`` erases everything about a person, in every table (issue 11).

One person uses everything the bot has: a checklist with ticks, an expiry date and
planned reminders, a finished quiz round, a job check, a help request with messages, a
photo and an officer's escalation that names the migrant, and an officer role with
announcements (one sent, one scheduled). They erase their data; every table is checked
by its real key, the notices that carried their details leave the officers' chats, and
the officers' statistics are the same as before.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.context import services_of
from storage.models import (
    Announcement,
    Base,
    Checklist,
    ChecklistMark,
    Delivery,
    HelpEvent,
    HelpMessage,
    HelpRequest,
    Identity,
    InboxUpdate,
    JobCheck,
    Officer,
    Person,
    QuizAnswer,
    QuizRound,
    User,
)
from tests.announcing import announce, officer, villager
from tests.helping import FAMILY, ask_for_help
from tests.people import person as known
from tests.people import person_of, row_of
from tests.test_checklist import set_up
from tests.test_job_check import answers_for, run_check
from tests.test_quiz import answer
from tests.transcript import label, sees, tr

P = 700  # the person who erases their data
OTHER = 701  # a neighbour in Candirenggo (P's area as an officer)
BU, KAB, ADMIN = 880, 883, 900
DESCRIPTION = "Anak saya Siti disekap agensi, paspornya ditahan."
NEWS = "Nomor baru majikannya +60 12 345 6789"
REASON = "Siti Aminah dipindah ke Johor, perlu KBRI"
PRIVATE = (
    DESCRIPTION,
    NEWS,
    REASON,
    "Siti",
    FAMILY["contact"],
    FAMILY["employer"],
    FAMILY["last_contact"],
)


async def everything_about_p(app, person, sweep, db, locale):
    """P and the people around them; returns (p, bu, kab, admin)."""
    bu = await officer(app, person, BU, "jogosimo", locale=locale)
    kab = await officer(app, person, KAB, "kebumen", locale=locale)
    admin = await villager(person, ADMIN, locale=locale)
    await villager(person, OTHER, locale=locale, village="candirenggo")
    p = await villager(person, P, locale=locale, role="prospective")

    # A checklist: ticks, an expiry date, and the reminders they plan.
    await set_up(p, locale)
    await p.tap("⬜ " + label(locale, "", "Passport"))
    await p.tap(label(locale, "button", "📅 Enter the expiry date"))
    reply = await p.say("01-06-2027")
    sees(reply, locale, "Saved. I will remind you {days} days before it runs out.", days="90 / 30")
    # A finished quiz round and a job check.
    await p.say("/kuis")
    for position in range(10):
        await answer(p, db, locale, right=position % 2 == 0)
        await p.tap(label(locale, "button", "See my score ▸" if position == 9 else "Next ▸"))
    await run_check(p, locale, answers_for("high"))
    # A help request with more news and a photo.
    await ask_for_help(p, locale=locale, description=DESCRIPTION)
    await p.say("/status")
    await p.tap("DM-2026-000001")
    await p.tap(label(locale, "button", "➕ Add information"))
    await p.say(NEWS)
    await p.send("photo")
    await sweep()
    # The village officer claims it and escalates it with a reason naming the migrant.
    await bu.press("cs:claim:1")
    await bu.press("cs:v:1")
    await bu.tap(label(locale, "button", "⬆️ Escalate to the district"))
    await bu.say(REASON)
    await sweep()
    # P is also an officer of Candirenggo (granted by the admin), with announcements.
    await admin.say(f"/petugas tambah {P} candirenggo")
    await announce(p, "Sosialisasi besok di balai desa", locale=locale)
    await p.tap(label(locale, "button", "Send"))
    await announce(p, "Rapat pekan depan", locale=locale, when="08-12-2026 08:00")
    await p.tap(label(locale, "button", "Send"))
    await sweep()
    # … and earlier, as an admin, P granted the district officer's role; an update of P's
    # went through the inbox (the HTTP process keeps them; the in-process tests do not).
    async with services_of(app).sessions() as session, session.begin():
        granted = await row_of(session, Officer, KAB)
        granted.granted_by = await known(session, P)  # type: ignore[union-attr]
        now = services_of(app).clock.now()
        session.add(
            InboxUpdate(update_id=1, person_id=P, status="done", received_at=now, finished_at=now)
        )
    return p, bu, kab, admin


async def notices_to_officers(db) -> list[tuple[int, int]]:
    rows = await db.execute(
        select(Delivery.chat_id, Delivery.message_id).where(
            Delivery.kind == "case_notice",
            Delivery.status == "sent",
            Delivery.payload["to"].as_string() == "officer",
        )
    )
    return sorted(rows.all())


# The columns that hold a person id (the inbox's ``person_id`` is the sender's Telegram id),
# and the keys of the JSON details that do (a case history's officers, an admin notice's).
PERSON_COLUMNS = frozenset(
    {
        "person_id",
        "requester_id",
        "assigned_officer_id",
        "author_id",
        "actor_id",
        "officer_id",
        "granted_by",
    }
)
TELEGRAM_COLUMNS = {"inbox": {"person_id"}, "inbox_lines": {"person_id"}}
PERSON_KEYS = frozenset({"before", "after", "officer"})


def names_person(cell, person_id: int) -> bool:
    """JSON that names the person under a key that holds a person id."""
    if isinstance(cell, dict):
        return any(
            (key in PERSON_KEYS and value == person_id) or names_person(value, person_id)
            for key, value in cell.items()
        )
    if isinstance(cell, list):
        return any(names_person(value, person_id) for value in cell)
    return False


def rows_holding(
    telegram_id: int, person_id: int, table_rows: dict[str, list[dict]]
) -> dict[str, list[dict]]:
    """Every row of every table that holds the person: their person id in a column that
    holds one (``people.id`` too) or in JSON under a key that does; their Telegram id in
    any other column (as a number or, an identity's address, as text) or anywhere in JSON.
    Person ids are small numbers, so they are looked for only where a person id goes."""
    # The id as a whole number in JSON, not digits inside another number (a Unix time
    # such as 1764570012 holds "700" by chance, which made this count flaky).
    whole = re.compile(rf"(?<![\d.]){telegram_id}(?![\d.])")

    def holds(table: str, column: str, cell) -> bool:
        if isinstance(cell, dict | list):
            return bool(whole.search(json.dumps(cell))) or names_person(cell, person_id)
        if (table, column) == ("people", "id") or (
            column in PERSON_COLUMNS and column not in TELEGRAM_COLUMNS.get(table, ())
        ):
            return cell == person_id
        return cell in (telegram_id, str(telegram_id))

    found = {}
    for table, rows in table_rows.items():
        hits = [
            row for row in rows if any(holds(table, column, cell) for column, cell in row.items())
        ]
        if hits:
            found[table] = hits
    return found


async def all_rows(db) -> dict[str, list[dict]]:
    db.expire_all()
    tables = {}
    for table in Base.metadata.sorted_tables:
        result = await db.execute(select(table))
        tables[table.name] = [dict(row._mapping) for row in result.all()]
    return tables


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_erasure_leaves_nothing_about_the_person(
    app, person, emulator, sweep, db, clock, locale
):
    p, _bu, _kab, admin = await everything_about_p(app, person, sweep, db, locale)
    pp, bu = await known(db, P), await known(db, BU)

    # What is there before, so that the checks below cannot pass on an empty table.
    assert (await row_of(db, Checklist, P)) is not None
    assert (await db.get(ChecklistMark, (pp, "passport"))).expires_on == date(2027, 6, 1)
    reminders = (
        await db.scalars(
            select(Delivery.status).where(Delivery.kind == "reminder", Delivery.chat_id == P)
        )
    ).all()
    # The departure reminders of the content file, the passport's 90 and 30 days, a nudge.
    assert len(reminders) == 8
    assert set(reminders) == {"pending"}
    quiz = (await db.scalars(select(QuizRound).where(QuizRound.person_id == pp))).one()
    assert quiz.score == 5
    job = (await db.scalars(select(JobCheck).where(JobCheck.person_id == pp))).one()
    quiz_id, job_id = quiz.id, job.id
    case = await db.get(HelpRequest, 1)
    assert (case.requester_id, case.level, case.assigned_officer_id) == (pp, "district", bu)
    assert [m.file_kind for m in (await db.scalars(select(HelpMessage))).all()] == [None, "photo"]
    escalation = (await db.scalars(select(HelpEvent).where(HelpEvent.action == "escalated"))).one()
    assert escalation.detail == {"reason": REASON}
    announcements = (await db.scalars(select(Announcement).order_by(Announcement.id))).all()
    assert [(a.officer_id, a.status) for a in announcements] == [(pp, "done"), (pp, "scheduled")]
    notices = await notices_to_officers(db)
    # BU: new request, the news, the photo; KAB: the escalation.
    assert [chat for chat, _message in notices] == [BU, BU, BU, KAB]
    assert any(
        REASON in json.dumps(payload)
        for payload in (await db.scalars(select(Delivery.payload))).all()
    )
    await admin.press("st:30")
    statistics_before = (await admin.press("st:30")).text
    held = rows_holding(P, pp, await all_rows(db))
    # Rows in every table that can hold P (officers: P's role and the one P granted).
    assert {table: len(rows) for table, rows in held.items()} == {
        "people": 1,
        "identities": 1,
        "users": 1,
        "officers": 2,
        "checklists": 1,
        "checklist_marks": 1,
        "quiz_rounds": 1,
        "job_checks": 1,
        "help_requests": 1,
        "help_messages": 2,
        "help_events": 3,
        "announcements": 2,
        "deliveries": 10,
        "inbox": 1,
    }

    # Erase, in the person's language.
    reply = await p.say("/hapusdata")
    sees(reply, locale, "<b>Erase all your data?</b>")
    reply = await p.tap(label(locale, "button", "Yes, erase everything"))
    sees(reply, locale, "All your data has been erased. Send /start to begin again.")
    await sweep()

    # Each table, by its real key.
    db.expire_all()
    assert await row_of(db, User, P) is None
    assert await row_of(db, Officer, P) is None
    assert (await row_of(db, Officer, KAB)).granted_by == 0  # "a former officer"
    assert await row_of(db, Checklist, P) is None
    assert await db.get(ChecklistMark, (pp, "passport")) is None
    assert (
        await db.scalars(select(Delivery.status).where(Delivery.kind == "reminder"))
    ).all() == ["skipped"] * len(reminders)
    assert (await db.scalars(select(Delivery).where(Delivery.chat_id == P))).all() == []
    assert (await db.scalars(select(Delivery).where(Delivery.person_id == pp))).all() == []
    kept_round = await db.get(QuizRound, quiz_id)
    kept_job = await db.get(JobCheck, job_id)
    assert kept_round.person_id < 0
    assert kept_job.person_id == kept_round.person_id  # one person, counted once
    assert (kept_round.score, kept_job.level, kept_job.answers) == (5, "high", {})
    assert len((await db.scalars(select(QuizAnswer))).all()) == 10
    case = await db.get(HelpRequest, 1)
    assert (case.requester_id, case.subject, case.description, case.attachments) == (
        None,
        None,
        None,
        None,
    )
    assert (case.category, case.level, case.village_id) == ("lost_contact", "district", "jogosimo")
    assert (await db.scalars(select(HelpMessage))).all() == []
    events = (await db.scalars(select(HelpEvent).order_by(HelpEvent.id))).all()
    assert pp not in {event.actor_id for event in events}
    assert [e.detail for e in events if e.action == "escalated"] == [{"reason": ""}]
    announcements = (await db.scalars(select(Announcement).order_by(Announcement.id))).all()
    assert [(a.officer_id, a.status) for a in announcements] == [
        (None, "done"),
        (None, "cancelled"),
    ]
    assert (await db.scalars(select(InboxUpdate).where(InboxUpdate.person_id == P))).all() == []
    # The person and their way to reach them.
    assert await db.get(Person, pp) is None
    assert await person_of(db, P) is None
    assert (await db.scalars(select(Identity).where(Identity.person_id == pp))).all() == []
    # And nothing anywhere: no column holds P's id, no text or JSON their words.
    tables = await all_rows(db)
    assert rows_holding(P, pp, tables) == {}
    dump = json.dumps(tables, default=str)
    for private in PRIVATE:
        assert private not in dump, private

    # The notices that carried P's details are gone from the officers' chats.
    for chat_id, message_id in notices:
        [message] = [m for m in emulator.chats[chat_id] if m.message_id == message_id]
        assert message.deleted, (chat_id, message.text)
    for message in emulator.bot_messages(KAB):  # what is still visible
        assert not any(private in message.text for private in PRIVATE), message.text

    # The officers' figures did not move.
    assert (await admin.press("st:30")).text == statistics_before


async def test_notices_older_than_two_days_are_blanked(app, person, emulator, sweep, db, clock):
    """Telegram refuses to delete a bot's message after 48 hours: the text is replaced."""
    await officer(app, person, BU, "jogosimo", locale="jv")
    p = await villager(person, P)
    await ask_for_help(p, description=DESCRIPTION)
    await p.say("/status")
    await p.tap("DM-2026-000001")
    await p.tap(label("id", "button", "➕ Add information"))
    await p.send("photo")
    await sweep()
    notices = await notices_to_officers(db)
    assert [chat for chat, _message in notices] == [BU, BU]
    clock.advance(timedelta(hours=49))
    await p.say("/hapusdata")
    await p.tap(label("id", "button", "Yes, erase everything"))
    await sweep()
    placeholder = tr("jv", "🗑 Removed: the person who asked for help erased their data.")
    shown = {m.message_id: m for m in emulator.bot_messages(BU)}
    for _chat, message_id in notices:
        message = shown[message_id]
        assert (message.deleted, message.text, message.buttons) == (False, placeholder, [])
    assert [m.media for _c, mid in notices if (m := shown[mid])] == [None, "photo"]
