"""``/hapusdata`` row by row (issue 11): which notices leave the officers' chats, what the
case rows keep, and what becomes of an officer's id in other people's cases.

The person erases their data through the real dialog; the tests read the rows the bot
left (the ``unsend`` rows it queued, the payloads, the ids in the case records), so a
notice left behind in an officer's chat, or one too many removed, shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from storage.models import (
    Delivery,
    HelpEvent,
    HelpMessage,
    HelpRequest,
    Identity,
    JobCheck,
    Person,
    QuizRound,
)
from tests.announcing import officer, villager
from tests.conftest import START
from tests.helping import ask_for_help, resolve
from tests.people import person as known
from tests.people import person_of
from tests.test_job_check import answers_for, run_check
from tests.transcript import label, tr

FORMER_OFFICER = 0

P, NEIGHBOUR = 1501, 1502  # two villagers of Jogosimo
BU, BU2, KAB = 1580, 1582, 1583
ADMIN, ADMIN2 = 900, 901
GROUP = -100150
REASON = "Siti dipindah ke Johor"
NEWS = "Nomor baru majikannya +60 12 345 6789"


@pytest.fixture
def settings(settings):
    return settings.model_copy(
        update={"admin_ids": frozenset({ADMIN, ADMIN2}), "officer_groups": {"jogosimo": GROUP}}
    )


async def erase(p) -> None:
    await p.say("/hapusdata")
    reply = await p.tap(label("id", "button", "Yes, erase everything"))
    assert reply.text == tr("id", "All your data has been erased. Send /start to begin again.")


async def add(p, *, text: str | None = None, photo: bool = False) -> None:
    """The requester adds news to their first request."""
    await p.say("/status")
    await p.tap("DM-2026-000001")
    await p.tap(label("id", "button", "➕ Add information"))
    if photo:
        await p.send("photo")
    else:
        assert text is not None
        await p.say(text)


async def rows(db, kind: str) -> list[tuple[int | None, str, dict]]:
    db.expire_all()
    found = await db.execute(
        select(Delivery.chat_id, Delivery.status, Delivery.payload)
        .where(Delivery.kind == kind)
        .order_by(Delivery.id)
    )
    return [tuple(row) for row in found.all()]  # type: ignore[misc]


async def sent_to_officers(db) -> list[tuple[int, int, dict]]:
    """(chat, message id, payload) of every notice the bot sent to an officer."""
    db.expire_all()
    found = await db.execute(
        select(Delivery.chat_id, Delivery.message_id, Delivery.payload)
        .where(
            Delivery.kind == "case_notice",
            Delivery.status == "sent",
            Delivery.payload["to"].as_string() == "officer",
        )
        .order_by(Delivery.id)
    )
    return [tuple(row) for row in found.all()]  # type: ignore[misc]


async def unsend_rows(db) -> list[tuple[int | None, object, dict]]:
    db.expire_all()
    found = await db.execute(
        select(Delivery.chat_id, Delivery.due_at, Delivery.payload)
        .where(Delivery.kind == "unsend")
        .order_by(Delivery.id)
    )
    return [tuple(row) for row in found.all()]  # type: ignore[misc]


async def test_exactly_the_officers_copies_are_removed(app, person, db, sweep, clock):
    """Every message an officer got about the person's case is removed from their chat,
    the photo the person sent as what it is; nothing about the neighbour's case is
    touched, nor the group's notice (it never named anyone)."""
    people = {who: await officer(app, person, who, "jogosimo") for who in (BU, BU2)}
    p = await villager(person, P)
    neighbour = await villager(person, NEIGHBOUR)
    await ask_for_help(p, files=("photo",))
    await ask_for_help(neighbour)
    await sweep()
    await people[BU].press("cs:claim:1")
    await add(p, photo=True)  # message 1: a photo
    await add(p, text=NEWS)  # message 2: text
    await sweep()
    await add(p, text="Dan satu lagi.")  # not sent yet when the person erases
    clock.advance(timedelta(hours=1))
    notices = await sent_to_officers(db)
    await erase(people[BU2])  # BU2 erased their own data first: their chat is gone
    # Case 1: BU and BU2 the new request and its photo; BU (who holds it) the two news.
    assert [(chat, payload["case"], payload["event"]) for chat, _m, payload in notices] == [
        (BU, 1, "new"),
        (BU, 1, "file"),
        (BU2, 1, "new"),
        (BU2, 1, "file"),
        (BU, 2, "new"),
        (BU2, 2, "new"),
        (BU, 1, "message"),
        (BU, 1, "message"),
    ]
    mine = [(c, message) for c, message, payload in notices if payload["case"] == 1 and c == BU]

    await erase(p)

    sent_at = START.isoformat()
    media = [False, True, True, False]  # the file sent with the request and the photo news
    assert await unsend_rows(db) == [
        (chat, START + timedelta(hours=1), {"message_id": m, "sent_at": sent_at, "media": f})
        for (chat, m), f in zip(mine, media, strict=True)
    ]


async def test_a_photo_sent_with_the_request_is_blanked_after_two_days(
    app, person, emulator, db, sweep, clock
):
    """Older than 48 hours, a notice can no longer be deleted, only edited: the photo the
    person sent with their request keeps no caption naming the case."""
    await officer(app, person, BU, "jogosimo")
    p = await villager(person, P)
    await ask_for_help(p, files=("photo", "voice"))
    await sweep()
    clock.advance(timedelta(hours=49))
    await erase(p)
    await sweep()
    placeholder = tr("id", "🗑 Removed: the person who asked for help erased their data.")
    shown = [(m.media, m.text, m.deleted) for m in emulator.bot_messages(BU)]
    assert shown[-3:] == [
        (None, placeholder, False),
        ("photo", placeholder, False),
        ("voice", placeholder, False),
    ]


async def payloads(db) -> list[tuple[str, int | None, dict]]:
    db.expire_all()
    found = await db.execute(
        select(Delivery.kind, Delivery.chat_id, Delivery.payload)
        .where(Delivery.kind.in_(("case_notice", "case_deadline")))
        .order_by(Delivery.id)
    )
    return [tuple(row) for row in found.all()]  # type: ignore[misc]


async def test_the_case_rows_keep_ids_and_codes_only(app, person, db, sweep, clock):
    """An officer's escalation reason names the migrant; the news the person sent is a
    message id: once they erase their data, no notice or check about their cases keeps
    either, while the neighbour's case rows stay as they were."""
    people = {
        who: await officer(app, person, who, area)
        for who, area in ((BU, "jogosimo"), (KAB, "kebumen"))
    }
    p = await villager(person, P)
    neighbour = await villager(person, NEIGHBOUR)
    await ask_for_help(p, files=("photo",))  # case 1: claimed, news, escalated with a reason
    # Case 2, P's own (P is the migrant of the neighbour's case 3): nobody claims it
    # within a day; the officer of case 3 asks P to link the two.
    await ask_for_help(p, for_whom="self")
    await ask_for_help(neighbour)  # case 3
    await people[BU].press("cs:claim:1")
    await add(p, text=NEWS)
    await people[BU].press("cs:v:1")
    await people[BU].tap(label("id", "button", "⬆️ Escalate to the district"))
    await people[BU].say(REASON)
    await people[BU].press("cs:claim:3")
    await neighbour.say("/status")
    await neighbour.tap("DM-2026-000003")
    await neighbour.tap(label("id", "button", "➕ Add information"))
    await neighbour.say(NEWS)
    await people[BU].press("cs:v:3")
    await people[BU].tap(label("id", "button", "🔗 Link migrant's own request"))
    await people[BU].say("DM-2026-000002")
    clock.advance(timedelta(hours=24))
    await sweep()
    await sweep()
    before = await payloads(db)

    await erase(p)

    after = await payloads(db)
    assert [row for row in before if row[2]["case"] == 3] == [
        row for row in after if row[2]["case"] == 3
    ]
    [token] = [
        row[2]["token"] for row in before if row[2].get("check") == "idle" and row[2]["case"] == 1
    ]

    def notice(chat: int | None, case: int, event: str, to: str = "officer", **extra):
        return ("case_notice", chat, {"case": case, "event": event, **extra, "to": to})

    def check(case: int, name: str, **extra):
        return ("case_deadline", 0, {"case": case, "check": name, **extra})

    assert [row for row in after if row[2]["case"] != 3] == [
        notice(BU, 1, "new"),
        notice(BU, 1, "file"),  # no longer which file
        notice(GROUP, 1, "new", "group"),
        check(1, "escalate"),
        notice(BU, 2, "new"),
        notice(GROUP, 2, "new", "group"),
        check(2, "escalate"),
        check(1, "idle", token=token),
        notice(None, 1, "status", "requester"),
        notice(BU, 1, "message"),  # no longer which message
        notice(KAB, 1, "escalated"),  # no longer the reason
        notice(None, 1, "escalated", "requester"),
        notice(None, 2, "link_ask", "requester", other=3),
        notice(KAB, 2, "escalated", hours=24),
        notice(None, 2, "escalated", "requester"),
    ]


async def history(db) -> list[tuple[int, str, int | None, dict]]:
    db.expire_all()
    found = await db.scalars(select(HelpEvent).order_by(HelpEvent.id))
    return [(e.request_id, e.action, e.actor_id, e.detail) for e in found.all()]


async def test_an_officers_id_becomes_a_former_officer(app, person, db, sweep):
    """An officer erases their data: the cases they worked on keep that an officer acted
    (as "a former officer"), never their id; another officer's part stays theirs, and
    the admins' notice about the officer's removal no longer names them."""
    bu = await officer(app, person, BU, "jogosimo")
    bu2 = await officer(app, person, BU2, "jogosimo")
    admin = await villager(person, ADMIN)
    for who in (P, NEIGHBOUR, NEIGHBOUR + 1):
        await ask_for_help(await villager(person, who))
    # Case 1: BU writes to the requester, then hands it to BU2, who writes too.
    await bu.press("cs:claim:1")
    await bu.press("cs:w:1")
    await bu.say("Selamat pagi, Bu.")
    bu2_id = await known(db, BU2)
    await bu.press(f"cs:ra:1:{bu2_id}")
    await bu2.press("cs:w:1")
    await bu2.say("Saya yang menangani sekarang.")
    # Case 2: BU solves it. Case 3: BU holds it when an admin removes BU.
    await bu.press("cs:claim:2")
    await bu.press("cs:v:2")
    await resolve(bu, locale="id")
    await bu.press("cs:claim:3")
    await admin.say(f"/petugas hapus {BU2}")
    await admin.say(f"/petugas hapus {BU}")
    bu_id = await known(db, BU)

    await erase(bu)

    db.expire_all()
    # The officer is no longer a person the bot knows, nor reachable.
    assert await db.get(Person, bu_id) is None
    assert await person_of(db, BU) is None
    assert (await db.scalars(select(Identity).where(Identity.person_id == bu_id))).all() == []
    held = await db.execute(
        select(HelpRequest.id, HelpRequest.status, HelpRequest.assigned_officer_id).order_by(
            HelpRequest.id
        )
    )
    assert held.all() == [(1, "new", None), (2, "resolved", FORMER_OFFICER), (3, "new", None)]
    written = await db.execute(
        select(HelpMessage.request_id, HelpMessage.author_id, HelpMessage.text).order_by(
            HelpMessage.id
        )
    )
    assert written.all() == [
        (1, FORMER_OFFICER, "Selamat pagi, Bu."),
        (1, bu2_id, "Saya yang menangani sekarang."),
    ]
    claimed = {"before": "new", "after": "claimed"}
    assert [row for row in await history(db) if row[1] != "created"] == [
        (1, "status", FORMER_OFFICER, claimed),
        (1, "status", FORMER_OFFICER, {"before": "claimed", "after": "in_progress"}),
        (1, "message", FORMER_OFFICER, {"author": "officer", "file": None}),
        (1, "reassigned", FORMER_OFFICER, {"before": FORMER_OFFICER, "after": bu2_id}),
        (1, "message", bu2_id, {"author": "officer", "file": None}),
        (2, "status", FORMER_OFFICER, claimed),
        (
            2,
            "status",
            FORMER_OFFICER,
            {"before": "claimed", "after": "resolved", "outcome": "contact_restored"},
        ),
        (3, "status", FORMER_OFFICER, claimed),
        (1, "released", None, {"before": "in_progress", "why": "removed"}),
        (3, "released", None, {"before": "claimed", "why": "removed"}),
    ]
    # The other admin was told of both removals; the one about BU now says "erased".
    handover = {"event": "handover", "announcements": []}
    assert await rows(db, "admin_notice") == [
        (ADMIN2, "pending", {**handover, "why": "removed", "officer": bu2_id, "cases": [1]}),
        (ADMIN2, "pending", {**handover, "why": "erased", "officer": None, "cases": [3]}),
    ]


async def test_statistics_rows_keep_a_fresh_negative_id(app, person, db):
    """Quiz rounds and job checks stay for the figures under an id that is nobody's: one
    per erasure (two people who erased still count as two), the job check's answers gone;
    a neighbour's rows keep their id and answers."""
    people = [await villager(person, who, role="prospective") for who in (P, NEIGHBOUR, 1503)]
    answers = answers_for("high")
    for p in people:
        await p.say("/kuis")
        await run_check(p, "id", answers)
    await erase(people[0])
    await erase(people[2])
    db.expire_all()
    rounds = (await db.execute(select(QuizRound.person_id).order_by(QuizRound.id))).all()
    checks = (
        await db.execute(select(JobCheck.person_id, JobCheck.answers).order_by(JobCheck.id))
    ).all()
    neighbour = await known(db, NEIGHBOUR)
    first, second = rounds[0][0], rounds[2][0]
    assert first < 0
    assert second < 0
    assert first != second
    assert rounds == [(first,), (neighbour,), (second,)]
    assert checks == [(first, {}), (neighbour, answers), (second, {})]


async def test_an_officer_who_erases_hands_back_their_open_case(app, person, db):
    """An officer erases their data while holding an open case: it goes back to the
    village's queue, its history says why (they erased their data, not "removed"), the
    other officer is alerted and the admins are told, without the officer's id."""
    bu = await officer(app, person, BU, "jogosimo")
    await officer(app, person, BU2, "jogosimo")
    await ask_for_help(await villager(person, P))
    await bu.press("cs:claim:1")
    before = len(await rows(db, "case_notice"))

    await erase(bu)

    db.expire_all()
    case = await db.get(HelpRequest, 1)
    assert case is not None
    assert (case.status, case.assigned_officer_id) == ("new", None)
    assert (await history(db))[-1] == (1, "released", None, {"before": "claimed", "why": "erased"})
    assert (await rows(db, "case_notice"))[before:] == [
        (BU2, "pending", {"case": 1, "event": "released", "to": "officer"}),
        (GROUP, "pending", {"case": 1, "event": "released", "to": "group"}),
    ]
    handover = {"event": "handover", "why": "erased", "officer": None, "cases": [1]}
    assert await rows(db, "admin_notice") == [
        (ADMIN, "pending", {**handover, "announcements": []}),
        (ADMIN2, "pending", {**handover, "announcements": []}),
    ]
