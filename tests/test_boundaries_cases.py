"""Case routing and case deadlines at their boundaries (issue 14).

Routing: a village with officers → its officers; a village without officers → the
kabupaten's officers (not the admins); no kabupaten officers → the admins; a village no
longer on the list → the admins. Exactly who got the notice is asserted, in the database
and in each chat.

Deadlines (``help.yaml`` ``deadlines``): one minute (or one second) before each, nothing;
at it, the notice, with the test clock and the bot's sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.content.help import load_help
from storage.models import Delivery, HelpRequest, User
from tests.announcing import villager
from tests.helping import ask_for_help, resolve
from tests.people import person as known
from tests.test_officer_cases import (
    ADMIN,
    BU,
    BU2,
    DESCRIPTION,
    ELSEWHERE,
    KAB,
    REQUESTER,
    Inbox,
    deliver,
    staff,
)
from tests.transcript import first_line, label

HELP = load_help()
GONE = "atlantis"  # not in villages.yaml
NEW = "🆘 <b>New help request</b>"


async def _admin(person) -> None:
    """The admin has written to the bot once (so their chat exists)."""
    await person(ADMIN, language_code="en").say("/start")


async def _request(person, db, village: str, *, category: str = "lost_contact") -> None:
    registered = "jogosimo" if village == GONE else village
    warga = await villager(person, REQUESTER, locale="en", village=registered)
    if village == GONE:  # a village taken off the list after the person registered
        requester = await known(db, REQUESTER)
        await db.execute(update(User).where(User.person_id == requester).values(village_id=GONE))
        await db.commit()
    await ask_for_help(warga, locale="en", category=category, description=DESCRIPTION)


async def _told(db, event: str) -> list[tuple[int, str]]:
    """Which officers (or admins) got a notice of ``event`` about case 1, and its status."""
    db.expire_all()
    rows = await db.scalars(
        select(Delivery).where(Delivery.kind == "case_notice").order_by(Delivery.chat_id)
    )
    return [
        (row.chat_id, row.status)
        for row in rows.all()
        if row.payload.get("event") == event
        and row.payload.get("case") == 1
        and row.payload.get("to") == "officer"
    ]


ROUTING = [
    # (requester's village, officers granted (id, area), who hears of the new case)
    ("jogosimo", [(BU, "jogosimo"), (KAB, "kebumen")], [BU]),
    ("jogosimo", [(BU, "jogosimo"), (BU2, "jogosimo"), (KAB, "kebumen")], [BU, BU2]),
    # No officer of the village: the kabupaten's, not the admins, nor the neighbour village's.
    ("candirenggo", [(BU, "jogosimo"), (KAB, "kebumen")], [KAB]),
    ("tanggulangin", [(BU, "jogosimo"), (KAB, "kebumen")], [KAB]),
    # Nobody in the village nor the kabupaten: the admins.
    ("candirenggo", [(BU, "jogosimo"), (ELSEWHERE, "tanggulangin")], [ADMIN]),
    ("candirenggo", [], [ADMIN]),
    # A village not (any more) on the list: the admins, whoever covers the kabupaten.
    (GONE, [(BU, "jogosimo"), (KAB, "kebumen")], [ADMIN]),
]


@pytest.mark.parametrize(
    ("village", "officers", "told"),
    ROUTING,
    ids=[f"{v}-" + ("+".join(area for _id, area in staff_) or "none") for v, staff_, _ in ROUTING],
)
async def test_a_new_case_reaches_exactly_the_responsible_people(
    app, person, emulator, sweep, db, village, officers, told
):
    await _admin(person)
    await staff(app, person, *officers)
    everyone = [chat for chat, _area in officers] + [ADMIN]
    inboxes = {chat: Inbox(emulator, chat) for chat in everyone}
    await _request(person, db, village)
    await sweep()
    case = await db.get(HelpRequest, 1)
    assert case is not None
    assert case.village_id == village
    reference = case.reference
    assert reference == "DM-2026-000001"
    assert await _told(db, "new") == [(chat, "sent") for chat in told]
    new_line = first_line("en", NEW)
    for chat, inbox in inboxes.items():
        notices = [m for m in inbox.new() if new_line in m.text]
        assert len(notices) == (1 if chat in told else 0), chat
        if chat in told:
            assert reference in notices[0].text


# --- deadlines --------------------------------------------------------------------------

DEADLINES = {
    "urgent_realert": timedelta(minutes=30),
    "urgent_escalate": timedelta(hours=2),
    "normal_escalate": timedelta(hours=24),
    "idle_reminder": timedelta(days=3),
    "urgent_idle_reminder": timedelta(hours=4),
    "close_after": timedelta(days=7),
}


def test_the_deadlines_are_the_ones_the_table_assumes():
    assert HELP.deadlines.model_dump() == DEADLINES


def _realert(minutes: int) -> str:
    return first_line("en", "⏰ <b>Still unclaimed after {minutes} minutes</b>", minutes=minutes)


def _escalated(hours: int) -> str:
    return first_line("en", "Nobody claimed it within {hours} hours.", hours=hours)


TIMINGS = [
    # (deadline, category, what happened first, who is told, what they read, step before)
    (
        "urgent_realert",
        "violence",
        "new",
        BU,
        _realert(30),
        timedelta(seconds=1),  # 29:59 is not 30 minutes
    ),
    ("urgent_escalate", "violence", "new", KAB, _escalated(2), timedelta(minutes=1)),
    ("normal_escalate", "lost_contact", "new", KAB, _escalated(24), timedelta(minutes=1)),
    (
        "idle_reminder",
        "lost_contact",
        "claimed",
        BU,
        first_line("en", "⏰ <b>No action for {days} days</b> on this case you hold.", days=3),
        timedelta(minutes=1),
    ),
    (
        "urgent_idle_reminder",
        "violence",
        "claimed",
        BU,
        # A plural message (looked up by its singular): its English plural written out.
        "⏰ No action for 4 hours on this urgent case you hold.",
        timedelta(minutes=1),
    ),
    (
        "close_after",
        "lost_contact",
        "resolved",
        REQUESTER,
        first_line(
            "en",
            "Your request {reference} was closed: it was solved {days} days ago",
            reference="DM-2026-000001",
            days=7,
        ),
        timedelta(minutes=1),
    ),
]


# Each deadline's timer row once it has fired: a one-off check is done; the idle check
# goes on (put off by another idle period), so it is still pending.
TIMER_AFTER = {
    "urgent_realert": ("realert", "done"),
    "urgent_escalate": ("escalate", "done"),
    "normal_escalate": ("escalate", "done"),
    "idle_reminder": ("idle", "pending"),
    "urgent_idle_reminder": ("idle", "pending"),
    "close_after": ("close", "done"),
}


async def _timers(db, check: str) -> list[tuple[str, str | None]]:
    """The status and error of case 1's deadline rows for ``check``."""
    db.expire_all()
    rows = await db.scalars(select(Delivery).where(Delivery.kind == "case_deadline"))
    return [
        (row.status, row.error)
        for row in rows.all()
        if row.payload.get("check") == check and row.payload.get("case") == 1
    ]


@pytest.mark.parametrize(
    ("deadline", "category", "state", "chat", "text", "before"),
    TIMINGS,
    ids=[row[0] for row in TIMINGS],
)
async def test_each_deadline_at_its_edge(
    app, person, emulator, sweep, clock, db, deadline, category, state, chat, text, before
):
    people = await staff(app, person, (BU, "jogosimo"), (KAB, "kebumen"))
    await _request(person, db, "jogosimo", category=category)
    await sweep()
    if state in ("claimed", "resolved"):
        await people[BU].tap(label("en", "button", "🙋 Claim"))
    if state == "resolved":
        await resolve(people[BU])
    await sweep()
    start = clock.now()
    inbox = Inbox(emulator, chat)
    after = DEADLINES[deadline]
    clock.advance(after - before)
    assert [m.text for m in (await deliver(sweep, inbox))[0] if text in m.text] == []
    check, fired = TIMER_AFTER[deadline]
    assert await _timers(db, check) == [("pending", None)]
    clock.advance(before)
    assert clock.now() - start == after
    [fresh] = await deliver(sweep, inbox)
    assert len([m for m in fresh if text in m.text]) == 1, [m.text for m in fresh]
    # The timer itself ends as planned, with no error (it is no message to send).
    assert await _timers(db, check) == [(fired, None)]


ESCALATED = [
    # (kabupaten officers present, who hears of the escalation)
    (True, [KAB]),
    (False, [ADMIN]),
]


@pytest.mark.parametrize(("with_kab", "told"), ESCALATED, ids=["kabupaten", "admins"])
async def test_an_escalated_case_goes_to_the_kabupaten_or_else_the_admins(
    app, person, emulator, sweep, clock, db, with_kab, told
):
    await _admin(person)
    officers = [(BU, "jogosimo")] + ([(KAB, "kebumen")] if with_kab else [])
    await staff(app, person, *officers)
    await _request(person, db, "jogosimo", category="violence")
    await sweep()
    clock.advance(DEADLINES["urgent_escalate"])
    await sweep()
    await sweep()
    assert await _told(db, "escalated") == [(chat, "sent") for chat in told]
    case = await db.get(HelpRequest, 1)
    assert case is not None
    assert (case.level, case.status) == ("district", "new")
