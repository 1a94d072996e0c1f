"""Who is told of a case, exactly, and when the bot will act on it (issue 14).

Every notice and check is a ``deliveries`` row: the tests read the rows the bot queued
(recipient, payload, due time), in the order it queued them, so a notice sent to one
person too many, or one too few, or due a minute late, shows.

The settings here: two admins, and an officers' group chat for Jogosimo and one for the
kabupaten (Kebumen)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from storage.models import Delivery, HelpEvent, HelpRequest, User
from tests.announcing import VILLAGE as VILLAGES
from tests.announcing import officer, villager
from tests.conftest import START
from tests.helping import ask_for_help
from tests.people import person as known
from tests.people import register, telegram_ids
from tests.transcript import label, sees

REQUESTER = 1401
BU, BU2, KAB = 1480, 1482, 1483  # Jogosimo's officers; Kebumen's
ELSEWHERE = 1481  # an officer of Tanggulangin
ADMIN, ADMIN2 = 900, 901
VILLAGE_GROUP, DISTRICT_GROUP = -100140, -100141
GONE = "atlantis"  # a village taken off the list after the person registered
NEWS = "Majikannya sudah menjawab telepon."
NOBODY = "⚠️ <b>No officer can be reached right now.</b> Your request is saved"


@pytest.fixture
def groups() -> dict[str, int]:
    """The officers' group chats (a test without them parametrises ``groups``)."""
    return {"jogosimo": VILLAGE_GROUP, "kebumen": DISTRICT_GROUP}


@pytest.fixture
def settings(settings, groups):
    return settings.model_copy(
        update={"admin_ids": frozenset({ADMIN2, ADMIN}), "officer_groups": groups}
    )


async def staff(app, person, *areas: tuple[int, str]) -> dict:
    return {who: await officer(app, person, who, area) for who, area in areas}


async def request(person, db, village: str | None = "jogosimo", **kwargs):
    """A villager sends a request (from ``village``: :data:`GONE` or None, a village taken
    off the list or off their profile after they registered)."""
    p = await villager(person, REQUESTER, village=village if village in VILLAGES else "jogosimo")
    if village not in VILLAGES:
        await db.execute(
            update(User)
            .where(User.person_id == await known(db, REQUESTER))
            .values(village_id=village)
        )
        await db.commit()
    reply = await ask_for_help(p, **kwargs)
    return p, reply


async def queued(db, kind: str = "case_notice") -> list[tuple[int, dict]]:
    """The rows of ``kind`` in the order the bot queued them: (chat, payload)."""
    db.expire_all()
    rows = await db.execute(
        select(Delivery.chat_id, Delivery.payload)
        .where(Delivery.kind == kind)
        .order_by(Delivery.id)
    )
    return [tuple(row) for row in rows.all()]  # type: ignore[misc]


async def checks(db) -> list[tuple[dict, object, int]]:
    """The checks the bot planned, in order: (payload, due, chat); a check is work, not a
    message, so its chat is 0."""
    db.expire_all()
    rows = await db.execute(
        select(Delivery.payload, Delivery.due_at, Delivery.chat_id)
        .where(Delivery.kind == "case_deadline")
        .order_by(Delivery.id)
    )
    return [tuple(row) for row in rows.all()]  # type: ignore[misc]


def officer_row(chat: int, event: str = "new", **extra) -> tuple[int, dict]:
    return (chat, {"case": 1, "event": event, **extra, "to": "officer"})


def group_row(chat: int, event: str = "new") -> tuple[int, dict]:
    return (chat, {"case": 1, "event": event, "to": "group"})


async def events(db) -> list[tuple[str, object, dict]]:
    """The cases' history: (action, actor, detail), the actor by their Telegram id."""
    db.expire_all()
    rows = await db.scalars(select(HelpEvent).order_by(HelpEvent.id))
    telegram = await telegram_ids(db)

    def who(actor: int | None) -> object:
        return None if actor is None else telegram.get(actor, ("no identity", actor))

    return [(e.action, who(e.actor_id), e.detail) for e in rows.all()]


ROUTING = [
    # (village, officers granted, the rows of the new case's notices in queue order)
    (
        "jogosimo",
        [(BU, "jogosimo"), (BU2, "jogosimo"), (KAB, "kebumen")],
        [officer_row(BU), officer_row(BU2), group_row(VILLAGE_GROUP)],
    ),
    # Granted in the other order: still told in id order (they were people before).
    (
        "jogosimo",
        [(BU2, "jogosimo"), (BU, "jogosimo")],
        [officer_row(BU), officer_row(BU2), group_row(VILLAGE_GROUP)],
    ),
    # A village with no officers and no group: the kabupaten's officers and group.
    (
        "candirenggo",
        [(BU, "jogosimo"), (KAB, "kebumen")],
        [officer_row(KAB), group_row(DISTRICT_GROUP)],
    ),
    # Nobody in the kabupaten either: both admins (in id order), and the kabupaten's group.
    (
        "candirenggo",
        [(BU, "jogosimo")],
        [officer_row(ADMIN), officer_row(ADMIN2), group_row(DISTRICT_GROUP)],
    ),
    # A village no longer on the list: the admins, and no group (it has no area).
    (GONE, [(BU, "jogosimo"), (KAB, "kebumen")], [officer_row(ADMIN), officer_row(ADMIN2)]),
]


@pytest.mark.parametrize(
    ("village", "granted", "rows"),
    ROUTING,
    ids=["village", "village-reversed", "kabupaten", "admins", "gone"],
)
async def test_a_new_case_is_queued_for_exactly_the_responsible_chats(
    app, person, db, village, granted, rows
):
    """A wrong route tells an officer of another area about a stranger's trouble, or
    leaves the people who should act on it unaware."""
    # They wrote to the bot before they were made officers, in the order of their ids.
    await register(db, sorted(who for who, _area in granted), START)
    await db.commit()
    await staff(app, person, *granted)
    _p, reply = await request(person, db, village)
    sees(reply, "id", SAVED)
    assert await queued(db) == rows
    assert await events(db) == [CREATED]


async def test_each_file_follows_its_notice_for_each_officer(app, person, db):
    """Officers see the photo and the voice note the requester sent, right under the
    notice they belong to; the group chat never gets the files."""
    people = await staff(app, person, (BU, "jogosimo"), (BU2, "jogosimo"))
    p, _reply = await request(person, db, files=("photo", "voice"))
    await people[BU].press("cs:claim:1")
    await add_news(p)
    assert await queued(db) == [
        officer_row(BU),
        officer_row(BU, "file", file=0),
        officer_row(BU, "file", file=1),
        officer_row(BU2),
        officer_row(BU2, "file", file=0),
        officer_row(BU2, "file", file=1),
        group_row(VILLAGE_GROUP),
        (REQUESTER, {"case": 1, "event": "status", "to": "requester"}),
        # Later news is told once, without the request's files again.
        officer_row(BU, "message", message=1),
    ]


DEADLINES = [
    # (category, the checks planned for the new case: (check, due))
    (
        "violence",
        [("realert", START + timedelta(minutes=30)), ("escalate", START + timedelta(hours=2))],
    ),
    ("lost_contact", [("escalate", START + timedelta(hours=24))]),
]


@pytest.mark.parametrize(("category", "planned"), DEADLINES, ids=["urgent", "normal"])
async def test_a_new_case_plans_its_checks(app, person, db, category, planned):
    """An urgent case is re-sent after half an hour and escalated after two; a normal one
    waits a day: a wrong time leaves a person in danger waiting, or wakes the district."""
    await staff(app, person, (BU, "jogosimo"))
    await request(person, db, category=category)
    assert await checks(db) == [({"case": 1, "check": check}, due, 0) for check, due in planned]


async def block(db, *people: int) -> None:
    persons = [await known(db, who) for who in people]
    await db.execute(
        update(User).where(User.person_id.in_(persons)).values(unreachable_at=User.created_at)
    )
    await db.commit()


CREATED = ("created", REQUESTER, {"category": "lost_contact", "urgent": False})
SAVED = "✅ <b>Your request is saved.</b>"
UNROUTED = ("unrouted", None, {"event": "new"})
UNREACHABLE = [
    # (village, who the notices go to, what the requester reads, the case's history,
    #  what the operators read in the log)
    # The admins blocked the bot, but the kabupaten's group chat is there: it counts.
    (
        "candirenggo",
        [officer_row(ADMIN), officer_row(ADMIN2), group_row(DISTRICT_GROUP)],
        SAVED,
        [CREATED],
        [],
    ),
    # No group for a village not on the list: nobody at all, and the operators are told.
    (
        GONE,
        [officer_row(ADMIN), officer_row(ADMIN2)],
        NOBODY,
        [CREATED, UNROUTED],
        [
            "help request 1 (new) reached nobody: no reachable officer for atlantis and no "
            "reachable ADMIN_IDS"
        ],
    ),
    # A person whose village was taken off their profile.
    (
        None,
        [officer_row(ADMIN), officer_row(ADMIN2)],
        NOBODY,
        [CREATED, UNROUTED],
        [
            "help request 1 (new) reached nobody: no reachable officer for an unknown village "
            "and no reachable ADMIN_IDS"
        ],
    ),
]


@pytest.mark.parametrize(
    ("village", "rows", "told", "history", "logged"),
    UNREACHABLE,
    ids=["group", "nobody", "no-village"],
)
async def test_a_group_chat_is_somebody_when_no_officer_can_be_reached(
    app, person, db, caplog, village, rows, told, history, logged
):
    """The requester is told the truth: "saved and the officers know" only when someone
    (an officer, an admin, or the officers' group) can read it; a request that reached
    nobody is an error in the log, which says which village had nobody."""
    caplog.set_level(logging.ERROR, logger="desmigratif.cases")
    for admin in (ADMIN, ADMIN2):
        await villager(person, admin)
    await block(db, ADMIN, ADMIN2)
    _p, reply = await request(person, db, village)
    assert await queued(db) == rows
    sees(reply, "id", told, reference="DM-2026-000001")
    assert await events(db) == history
    assert [r.getMessage() for r in caplog.records if r.name == "desmigratif.cases"] == logged


async def test_only_reachable_officers_count(app, person, db):
    """One of the two village officers blocked the bot: the other can read it, so the
    requester is told officers know (and both are queued: the blocked one may come back)."""
    await staff(app, person, (BU, "jogosimo"), (BU2, "jogosimo"))
    await block(db, BU)
    _p, reply = await request(person, db)
    sees(reply, "id", "✅ <b>Your request is saved.</b>")
    assert await queued(db) == [officer_row(BU), officer_row(BU2), group_row(VILLAGE_GROUP)]


async def add_news(p) -> object:
    await p.say("/status")
    await p.tap("DM-2026-000001")
    await p.tap(label("id", "button", "➕ Add information"))
    return await p.say(NEWS)


HOLDERS = [
    # (who claims the case, who hears of the requester's news)
    (KAB, [KAB]),  # the kabupaten's officer holds a village case
    (ADMIN, [ADMIN]),  # an admin holds it (an admin is no officer of any area)
    (None, [BU, BU2]),  # nobody holds it: the village's officers
]


@pytest.mark.parametrize(("holder", "told"), HOLDERS, ids=["kabupaten", "admin", "nobody"])
async def test_the_requesters_news_goes_to_whoever_holds_the_case(app, person, db, holder, told):
    """Only the officer who holds the case reads what the requester adds; the others of
    the village do not get a stranger's news about a case that is not theirs."""
    people = await staff(app, person, (BU, "jogosimo"), (BU2, "jogosimo"), (KAB, "kebumen"))
    if holder == ADMIN:
        people[ADMIN] = await villager(person, ADMIN)
    p, _reply = await request(person, db)
    if holder is not None:
        await people[holder].press("cs:claim:1")
    before = len(await queued(db))
    reply = await add_news(p)
    sees(reply, "id", "✅ Added to {reference}. The officer is told.", reference="DM-2026-000001")
    news = (await queued(db))[before:]
    assert [(chat, payload["event"], payload["to"]) for chat, payload in news] == [
        (chat, "message", "officer") for chat in told
    ]


async def test_news_to_a_holder_who_blocked_the_bot_says_nobody_is_told(app, person, db):
    """The holder blocked the bot: the requester must not read that the officer is told."""
    people = await staff(app, person, (BU, "jogosimo"), (BU2, "jogosimo"))
    p, _reply = await request(person, db)
    await people[BU].press("cs:claim:1")
    await block(db, BU)
    reply = await add_news(p)
    sees(
        reply,
        "id",
        "✅ Added. No officer can be reached right now: {reference} waits for the first "
        "officer. If someone is in danger, call the police on 110.",
        reference="DM-2026-000001",
    )


@pytest.mark.parametrize(
    ("category", "after", "planned"),
    [
        ("violence", timedelta(hours=4), DEADLINES[0][1]),
        ("lost_contact", timedelta(days=3), DEADLINES[1][1]),
    ],
    ids=["urgent", "normal"],
)
async def test_a_claim_plans_the_idle_reminder(app, person, db, category, after, planned):
    """The officer who claimed a case and does nothing is reminded: after hours for an
    urgent case, days for a normal one."""
    people = await staff(app, person, (BU, "jogosimo"))
    await request(person, db, category=category)
    await people[BU].press("cs:claim:1")
    db.expire_all()
    case = await db.get(HelpRequest, 1)
    assert case is not None
    token = case.idle_check
    assert len(token or "") == 32  # a fresh random token (older checks stand down)
    assert await checks(db) == [
        *(({"case": 1, "check": check}, due, 0) for check, due in planned),
        ({"case": 1, "check": "idle", "token": token}, START + after, 0),
    ]


async def test_removing_a_holder_tells_the_other_admins(app, person, db, sweep):
    """An admin removes an officer who held a case: the other admin hears which case went
    back to the queue (the one who removed them read it in their reply), and the removed
    officer's notice still waiting to be sent never reaches them."""
    people = await staff(app, person, (BU, "jogosimo"), (BU2, "jogosimo"))
    admin = await villager(person, ADMIN)
    await request(person, db)
    await people[BU].press("cs:claim:1")
    before = len(await queued(db))
    await admin.say(f"/petugas hapus {BU}")
    assert await queued(db, "admin_notice") == [
        (
            ADMIN2,
            {
                "event": "handover",
                "why": "removed",
                "officer": await known(db, BU),
                "cases": [1],
                "announcements": [],
            },
        )
    ]
    assert (await queued(db))[before:] == [
        officer_row(BU2, "released"),
        group_row(VILLAGE_GROUP, "released"),
    ]
    await sweep()
    db.expire_all()
    to_bu = await db.execute(
        select(Delivery.payload, Delivery.status, Delivery.error).where(Delivery.chat_id == BU)
    )
    assert to_bu.all() == [
        (
            {"case": 1, "event": "new", "to": "officer"},
            "skipped",
            "officer no longer covers the case",
        )
    ]


@pytest.mark.parametrize("groups", [{}])
async def test_a_new_officer_hears_only_of_the_waiting_cases_of_their_area(app, person, db):
    """Nobody could be told of two requests from two villages; the first officer granted
    Tanggulangin is alerted about Tanggulangin's, never about a stranger's elsewhere."""
    for admin in (ADMIN, ADMIN2):
        await villager(person, admin)
    await block(db, ADMIN, ADMIN2)
    for n, village in ((1, "tanggulangin"), (2, "candirenggo")):
        reply = await ask_for_help(await villager(person, REQUESTER + n, village=village))
        sees(reply, "id", NOBODY, reference=f"DM-2026-00000{n}")
    before = len(await queued(db))
    await officer(app, person, ELSEWHERE, "tanggulangin")
    assert (await queued(db))[before:] == [officer_row(ELSEWHERE, waited=True)]
    db.expire_all()
    marks = await db.execute(
        select(HelpEvent.request_id, HelpEvent.action, HelpEvent.detail)
        .where(HelpEvent.action.in_(("unrouted", "routed")))
        .order_by(HelpEvent.id)
    )
    assert marks.all() == [
        (1, "unrouted", {"event": "new"}),
        (2, "unrouted", {"event": "new"}),
        (1, "routed", {"officer": await known(db, ELSEWHERE)}),
    ]
