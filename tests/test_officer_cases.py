"""The officers' side of help requests (issue 6): notices, /kasus and the case page, the
relay between officer and requester, states, reassigning, escalating, linking, the
deadlines the bot acts on, scope against forged buttons, blocked requesters, and the
reporting export. Everything is checked where people see it and in the database."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.__main__ import main as cli
from bot.app import build_application
from bot.channels.telegram.emulator import ChatMessage
from bot.simulator import Person
from storage.models import HelpEvent, HelpMessage, HelpRequest, User
from tests.announcing import officer, villager
from tests.conftest import START
from tests.helping import (
    FAMILY,
    ask_for_help,
    cases_of,
    category_label,
    outcome_label,
    resolve,
)
from tests.people import person as known
from tests.people import row_of
from tests.sweeping import sweeper
from tests.transcript import choose_language, label, sees, tr

REQUESTER = 801
BU = 880  # officer of Jogosimo
BU2 = 882  # second officer of Jogosimo
ELSEWHERE = 881  # officer of Tanggulangin (same kecamatan, another village)
KAB = 883  # officer of Kabupaten Kebumen
ADMIN = 900
GROUP = -100123
DESCRIPTION = "She stopped answering on WhatsApp three weeks ago. The agency does not answer."


# --- helpers ---------------------------------------------------------------------------


@dataclass
class Text:
    """Something with ``.text``, so :func:`sees` can read a notice the bot sent."""

    text: str


class Inbox:
    """What one chat received from the bot since the last look."""

    def __init__(self, emulator, chat_id: int) -> None:
        self.emulator, self.chat_id = emulator, chat_id
        self.last = max((m.message_id for m in emulator.bot_messages(chat_id)), default=0)

    def new(self) -> list[ChatMessage]:
        fresh = [m for m in self.emulator.bot_messages(self.chat_id) if m.message_id > self.last]
        if fresh:
            self.last = fresh[-1].message_id
        return fresh


async def deliver(sweep, *inboxes: Inbox) -> list[list[ChatMessage]]:
    """Run the sweep; what each chat received from it (not what came before)."""
    for inbox in inboxes:
        inbox.new()
    await sweep()
    await sweep()  # a deadline's work may queue notices that are due at once
    return [inbox.new() for inbox in inboxes]


async def one(sweep, inbox: Inbox) -> ChatMessage:
    """Run the sweep; the one message it sent to ``inbox``'s chat."""
    [fresh] = await deliver(sweep, inbox)
    assert len(fresh) == 1, [m.text for m in fresh]
    return fresh[0]


def everything(emulator, chat_id: int) -> str:
    """All the bot ever showed in a chat: texts and button data (for leak checks)."""
    parts = []
    for message in emulator.bot_messages(chat_id):
        parts.append(message.text)
        parts += [f"{b.text} {b.callback_data} {b.url}" for row in message.buttons for b in row]
    return "\n".join(parts)


def plain(locale: str, message: str, **values: object) -> str:
    """A message as the user sees it (without the HTML tags)."""
    return re.sub(r"<[^>]+>", "", tr(locale, message, **values))


def data_of(message: ChatMessage) -> dict[str, str]:
    """Button label → callback data (or URL)."""
    return {b.text: b.callback_data or b.url or "" for row in message.buttons for b in row}


def status_text(locale: str, reference: str, status: str) -> str:
    return tr(
        locale,
        "Your request {reference} has a new status:\n{status}",
        reference=reference,
        status=tr(locale, status),
    )


async def stored_case(db, case_id: int = 1) -> HelpRequest:
    db.expire_all()
    case = await db.get(HelpRequest, case_id)
    assert case is not None
    return case


async def events_of(db, case_id: int = 1) -> list[tuple[str, int | None, dict]]:
    db.expire_all()
    rows = await db.scalars(
        select(HelpEvent).where(HelpEvent.request_id == case_id).order_by(HelpEvent.id)
    )
    return [(e.action, e.actor_id, e.detail) for e in rows.all()]


async def messages_of(db, case_id: int = 1) -> list[tuple[str, int | None, str | None]]:
    db.expire_all()
    rows = await db.scalars(
        select(HelpMessage).where(HelpMessage.request_id == case_id).order_by(HelpMessage.id)
    )
    return [(m.author, m.author_id, m.text) for m in rows.all()]


def snapshot(case: HelpRequest) -> tuple:
    return (
        case.status,
        case.level,
        case.assigned_officer_id,
        case.linked_request_id,
        case.requester_unreachable,
        case.claimed_at,
        case.resolved_at,
        case.closed_at,
    )


async def staff(app, person, *areas: tuple[int, str], locale: str = "en") -> dict[int, Person]:
    people = {}
    for user_id, area in areas:
        people[user_id] = await officer(app, person, user_id, area, locale=locale)
    return people


async def request_for_help(person, sweep, *, locale="en", user_id=REQUESTER, **kwargs):
    """A villager of Jogosimo sends a request; the bot's sweep sends the notices."""
    warga = await villager(person, user_id, locale=locale)
    reply = await ask_for_help(warga, locale=locale, description=DESCRIPTION, **kwargs)
    sees(reply, locale, "✅ <b>Your request is saved.</b>")
    await sweep()
    return warga


# --- 1. new requests -------------------------------------------------------------------


async def test_new_request_reaches_the_village_officers_and_their_group(
    settings, emulator, clock, db
):
    settings = settings.model_copy(update={"officer_groups": {"jogosimo": GROUP}})
    emulator.open_chat(GROUP, chat_type="supergroup", title="Petugas Jogosimo")
    application = build_application(settings, request=emulator, clock=clock)
    async with application:

        def person(user_id, language_code="id"):
            return Person(application, emulator, user_id, language_code=language_code)

        sweep = sweeper(application)

        people = await staff(application, person, (BU, "jogosimo"), (BU2, "jogosimo"))
        people |= await staff(application, person, (ELSEWHERE, "tanggulangin"), (KAB, "kebumen"))
        inboxes = {chat: Inbox(emulator, chat) for chat in (BU, BU2, ELSEWHERE, KAB, GROUP)}
        await request_for_help(person, sweep)
        [case] = await cases_of(db, await known(db, REQUESTER))
        reference = case.reference
        assert reference == "DM-2026-000001"

        for chat in (BU, BU2):
            [notice] = inboxes[chat].new()
            assert plain("en", "🆘 <b>New help request</b>") in notice.text
            assert reference in notice.text
            assert category_label("en", "lost_contact") in notice.text
            assert "Village: Jogosimo (Klirong, Kebumen)" in notice.text
            assert f"Summary: {DESCRIPTION}" in notice.text
            assert data_of(notice) == {
                label("en", "button", "🙋 Claim"): f"cs:claim:{case.id}",
                label("en", "button", "📂 Open the case"): f"cs:v:{case.id}",
            }
        assert inboxes[ELSEWHERE].new() == []
        assert inboxes[KAB].new() == []  # the village has officers: the district waits

        [group] = inboxes[GROUP].new()
        assert reference in group.text
        assert "Jogosimo" in group.text
        for private in (DESCRIPTION, "Siti Aminah", "0812", "3456 7890", str(REQUESTER)):
            assert private not in group.text
        link = f"https://t.me/{emulator.bot['username']}?start=case_{case.id}"
        assert [b.url for row in group.buttons for b in row] == [link]
        assert all(b.callback_data is None for row in group.buttons for b in row)

        # The group's button opens the case in the officer's private chat …
        reply = await people[BU].say(f"/start case_{case.id}")
        assert reference in reply.text
        assert "Requester: Telegram ID 801" in reply.text
        assert DESCRIPTION in reply.text
        assert label("en", "button", "🙋 Claim") in reply.buttons
        # … but not for anyone else: the requester's neighbour, or an officer elsewhere.
        neighbour = await villager(person, 802, locale="en")
        reply = await neighbour.say(f"/start case_{case.id}")
        sees(reply, "en", "Welcome back!")
        assert reference not in reply.text
        assert DESCRIPTION not in reply.text
        reply = await people[ELSEWHERE].say(f"/start case_{case.id}")
        assert reference not in reply.text
        assert DESCRIPTION not in reply.text
    assert snapshot(await stored_case(db))[:3] == ("new", "village", None)


# --- 2. claiming -----------------------------------------------------------------------


async def test_claim_and_a_second_officer_too_late(app, person, emulator, sweep, db):
    people = await staff(app, person, (BU, "jogosimo"), (BU2, "jogosimo"))
    await request_for_help(person, sweep)
    requester = Inbox(emulator, REQUESTER)
    reply = await people[BU].tap(label("en", "button", "🙋 Claim"))
    sees(reply, "en", "✅ You handle this case now. The requester is told.")
    assert "Handled by: you" in reply.text
    assert label("en", "button", "🙋 Claim") not in reply.buttons
    assert label("en", "button", "✉️ Write to the requester") in reply.buttons
    case = await stored_case(db)
    assert (case.status, case.assigned_officer_id, case.claimed_at) == (
        "claimed",
        await known(db, BU),
        START,
    )
    told = await one(sweep, requester)
    assert told.text == status_text("en", case.reference, "🙋 An officer is handling it")

    before = (snapshot(await stored_case(db)), await events_of(db))
    reply = await people[BU2].tap(label("en", "button", "🙋 Claim"))  # on their notice
    assert reply.toast == tr("en", "Another officer has already claimed it.")
    sees(reply, "en", "Another officer has already claimed it.")
    assert f"Handled by: {BU} (Desa Jogosimo)" in reply.text
    assert label("en", "button", "✉️ Write to the requester") not in reply.buttons
    # Writing and changing the state are for the officer who holds the case.
    expired, taken = "This button has expired.", "Another officer has already claimed it."
    for data, toast in (
        ("cs:w:1", expired),
        ("cs:st:1:resolved", expired),
        ("cs:st:1:in_progress", expired),
        ("cs:claim:1", taken),
    ):
        reply = await people[BU2].press(data)
        assert reply.toast == tr("en", toast), data
    assert (snapshot(await stored_case(db)), await events_of(db)) == before
    assert await deliver(sweep, requester) == [[]]


# --- 3. the relay ----------------------------------------------------------------------


async def test_officer_and_requester_write_through_the_bot(app, person, emulator, sweep, db):
    people = await staff(app, person, (BU, "jogosimo"))
    bu = people[BU]
    warga = await request_for_help(person, sweep)
    requester, office = Inbox(emulator, REQUESTER), Inbox(emulator, BU)
    await bu.tap(label("en", "button", "🙋 Claim"))
    await sweep()

    reply = await bu.tap(label("en", "button", "✉️ Write to the requester"))
    sees(reply, "en", "Write your message to the requester")
    question = "Good morning. Do you know the name of her employer in Malaysia?"
    reply = await bu.say(question)
    sees(reply, "en", "✅ Sent to the requester.")
    relayed = await one(sweep, requester)
    assert relayed.text == f"Officer of Desa Jogosimo · DM-2026-000001\n{question}"
    assert data_of(relayed) == {
        label("en", "button", "↩️ Reply"): "hr:add:1",
        label("en", "button", "📄 See my request"): "hr:v:1",
    }
    assert (await stored_case(db)).status == "in_progress"  # the officer acted

    reply = await warga.tap(label("en", "button", "↩️ Reply"))
    sees(reply, "en", "Write what you want to add to {reference}", reference="DM-2026-000001")
    answer = "The employer is Mr Tan, in Cheras."
    reply = await warga.say(answer)
    sees(reply, "en", "✅ Added to {reference}. The officer is told.", reference="DM-2026-000001")
    received = await one(sweep, office)
    sees(Text(received.text), "en", "💬 <b>The requester wrote:</b>")
    assert answer in received.text
    assert data_of(received) == {
        label("en", "button", "📂 Open the case"): "cs:v:1",
        label("en", "button", "✉️ Reply"): "cs:w:1",
    }

    # An internal note stays with the officers.
    await bu.tap(label("en", "button", "📂 Open the case"))
    reply = await bu.tap(label("en", "button", "📝 Internal note"))
    sees(reply, "en", "Write an internal note. The requester never sees it.")
    note = "Mr Tan's agency is PT Sinar; call them on Monday."
    reply = await bu.say(note)
    sees(reply, "en", "✅ Note saved.")
    assert await deliver(sweep, requester, office) == [[], []]
    reply = await warga.say("/status")
    reply = await warga.tap("DM-2026-000001")
    assert question in reply.text
    assert answer in reply.text
    assert "Officer of Desa Jogosimo" in reply.text
    assert note not in reply.text
    assert "PT Sinar" not in everything(emulator, REQUESTER)
    # The requester never learns who the officer is on Telegram.
    assert str(BU) not in everything(emulator, REQUESTER)

    # A photo goes through too, under the office's name.
    await bu.press("cs:v:1")
    await bu.tap(label("en", "button", "✉️ Write to the requester"))
    reply = await bu.send("photo")
    sees(reply, "en", "✅ Sent to the requester.")
    photo = await one(sweep, requester)
    assert (photo.media, photo.text) == ("photo", "Officer of Desa Jogosimo · DM-2026-000001")

    bu_id, requester_id = await known(db, BU), await known(db, REQUESTER)
    assert await messages_of(db) == [
        ("officer", bu_id, question),
        ("requester", requester_id, answer),
        ("note", bu_id, note),
        ("officer", bu_id, None),
    ]
    actions = [(action, actor) for action, actor, _detail in await events_of(db)]
    assert actions[-5:] == [
        ("status", bu_id),  # claimed → in progress by writing
        ("message", bu_id),
        ("message", requester_id),
        ("note", bu_id),
        ("message", bu_id),
    ]


# --- 4. states -------------------------------------------------------------------------


async def test_states_are_told_to_the_requester_and_logged(app, person, emulator, sweep, db):
    people = await staff(app, person, (BU, "jogosimo"))
    bu = people[BU]
    warga = await request_for_help(person, sweep, locale="jv")
    requester, office = Inbox(emulator, REQUESTER), Inbox(emulator, BU)
    await bu.tap(label("en", "button", "🙋 Claim"))
    reference = "DM-2026-000001"
    assert (await one(sweep, requester)).text == status_text(
        "jv", reference, "🙋 An officer is handling it"
    )

    steps = [
        ("🔧 In progress", "in_progress", "🔧 Being handled"),
        ("⏳ Waiting for the requester", "waiting", "⏳ The officer is waiting for your answer"),
        ("🔧 In progress", "in_progress", "🔧 Being handled"),
        ("✅ Resolved", "resolved", "✅ Solved: please confirm"),
    ]
    for button, status, seen in steps:
        reply = await bu.tap(label("en", "button", button))
        if status == "resolved":  # the outcome first (issue 13)
            reply = await bu.tap(outcome_label("en", "contact_restored"))
        sees(reply, "en", "Status changed. The requester is told.")
        assert (await stored_case(db)).status == status
        told = await one(sweep, requester)
        assert told.text.startswith(status_text("jv", reference, seen))
    assert tr("jv", "Is your problem solved?") in told.text
    assert data_of(told) == {
        label("jv", "button", "✅ Yes, close it"): "hr:ok:1",
        label("jv", "button", "↩️ No, I still need help"): "hr:re:1",
    }
    case = await stored_case(db)
    assert case.resolved_at == START
    reply = await bu.press("cs:v:1")
    assert label("en", "button", "↩️ Reopen") in reply.buttons
    assert label("en", "button", "✉️ Write to the requester") not in reply.buttons

    reply = await warga.tap(label("jv", "button", "↩️ No, I still need help"))
    sees(reply, "jv", "The request is open again; the officer is told.")
    case = await stored_case(db)
    bu_id, requester_id = await known(db, BU), await known(db, REQUESTER)
    assert (case.status, case.resolved_at, case.assigned_officer_id) == (
        "in_progress",
        None,
        bu_id,
    )
    sees(
        Text((await one(sweep, office)).text),
        "en",
        "↩️ <b>The requester says they still need help:</b> the case is open again.",
    )

    assert [
        (action, actor, detail.get("after")) for action, actor, detail in await events_of(db)
    ] == [
        ("created", requester_id, None),
        ("status", bu_id, "claimed"),
        ("status", bu_id, "in_progress"),
        ("status", bu_id, "waiting"),
        ("status", bu_id, "in_progress"),
        ("status", bu_id, "resolved"),
        ("reopened", requester_id, None),
    ]


# --- 5. reassigning --------------------------------------------------------------------


async def test_reassign_within_the_area_only(app, person, emulator, sweep, db):
    people = await staff(
        app,
        person,
        (BU, "jogosimo"),
        (BU2, "jogosimo"),
        (ELSEWHERE, "tanggulangin"),
        (KAB, "kebumen"),
    )
    bu = people[BU]
    await request_for_help(person, sweep)
    kab = Inbox(emulator, KAB)
    await bu.tap(label("en", "button", "🙋 Claim"))
    reply = await bu.tap(label("en", "button", "👥 Reassign"))
    sees(reply, "en", "Assign {reference} to which officer?", reference="DM-2026-000001")
    offered = data_of(bu.last_with_buttons())
    ids = {user_id: await known(db, user_id) for user_id in (BU, BU2, ELSEWHERE, KAB)}
    assert offered == {
        f"{BU2} · Desa Jogosimo": f"cs:ra:1:{ids[BU2]}",
        f"{KAB} · Kabupaten Kebumen": f"cs:ra:1:{ids[KAB]}",
        label("en", "button", "« Back to the case"): "cs:v:1",
    }
    reply = await bu.tap(f"{KAB} · Kabupaten Kebumen")
    sees(reply, "en", "Reassigned. The officer is told.")
    assert f"Handled by: {KAB} (Kabupaten Kebumen)" in reply.text
    case = await stored_case(db)
    assert (case.status, case.assigned_officer_id) == ("claimed", ids[KAB])
    notice = await one(sweep, kab)
    sees(Text(notice.text), "en", "👥 <b>This case was assigned to you.</b>")
    assert data_of(notice) == {label("en", "button", "📂 Open the case"): "cs:v:1"}
    reply = await people[KAB].tap(label("en", "button", "📂 Open the case"))
    assert "Handled by: you" in reply.text
    assert label("en", "button", "✉️ Write to the requester") in reply.buttons

    # An officer of another village is never offered, and a forged button is refused.
    before = (snapshot(await stored_case(db)), await events_of(db))
    reply = await bu.press(f"cs:ra:1:{ids[ELSEWHERE]}")
    assert reply.toast == tr("en", "This button has expired.")
    sees(reply, "en", "That button is no longer valid. Here is where we are:")
    reply = await people[ELSEWHERE].press(f"cs:ra:1:{ids[ELSEWHERE]}")
    assert reply.toast == tr("en", "This button has expired.")
    assert (snapshot(await stored_case(db)), await events_of(db)) == before
    assert [e for e in await events_of(db) if e[0] == "reassigned"] == [
        ("reassigned", ids[BU], {"before": ids[BU], "after": ids[KAB]})
    ]
    assert await deliver(sweep, Inbox(emulator, ELSEWHERE)) == [[]]


# --- 6. escalating ---------------------------------------------------------------------


async def test_escalate_with_a_reason(app, person, emulator, sweep, db):
    people = await staff(app, person, (BU, "jogosimo"), (BU2, "jogosimo"), (KAB, "kebumen"))
    bu = people[BU]
    await request_for_help(person, sweep)
    requester, kab, colleague = (Inbox(emulator, c) for c in (REQUESTER, KAB, BU2))
    await bu.tap(label("en", "button", "📂 Open the case"))
    reply = await bu.tap(label("en", "button", "⬆️ Escalate to the district"))
    sees(reply, "en", "Why should the district take this case? One or two sentences.")
    reason = "The agency is in Jakarta & ignores the village; the district knows them."
    reply = await bu.say(reason)
    sees(reply, "en", "⬆️ Escalated. The district officers are told.")
    assert label("en", "button", "⬆️ Escalate to the district") not in reply.buttons
    case = await stored_case(db)
    assert (case.level, case.status) == ("district", "new")
    assert (await events_of(db))[-1] == ("escalated", await known(db, BU), {"reason": reason})

    told_requester, told_kab, told_colleague = await deliver(sweep, requester, kab, colleague)
    [notice] = told_kab
    sees(Text(notice.text), "en", "⬆️ <b>Escalated to the district officers</b>")
    assert f"Reason: {reason}" in notice.text
    assert plain("en", "⬆️ Escalated to the district") in notice.text
    assert label("en", "button", "🙋 Claim") in data_of(notice)
    [message] = told_requester
    assert message.text.startswith(
        status_text("en", "DM-2026-000001", "📨 Received: waiting for an officer")
    )
    assert tr("en", "It was handed to the district manpower office officers.") in message.text
    assert told_colleague == []


# --- 7. deadlines ----------------------------------------------------------------------


async def test_urgent_unclaimed_case_realerts_then_escalates(
    app, person, emulator, sweep, clock, db
):
    await staff(app, person, (BU, "jogosimo"), (KAB, "kebumen"))
    await request_for_help(person, sweep, category="violence")
    case = await stored_case(db)
    assert case.urgent
    bu, kab, requester = (Inbox(emulator, c) for c in (BU, KAB, REQUESTER))

    clock.advance(timedelta(minutes=29))
    assert await deliver(sweep, bu, kab, requester) == [[], [], []]
    clock.advance(timedelta(minutes=1))
    [realert], from_kab, from_requester = await deliver(sweep, bu, kab, requester)
    sees(Text(realert.text), "en", "⏰ <b>Still unclaimed after {minutes} minutes</b>", minutes=30)
    assert "DM-2026-000001" in realert.text
    assert label("en", "button", "🙋 Claim") in data_of(realert)
    assert (from_kab, from_requester) == ([], [])
    assert (await stored_case(db)).level == "village"

    clock.advance(timedelta(minutes=89))  # 1 h 59 min
    assert await deliver(sweep, bu, kab, requester) == [[], [], []]
    clock.advance(timedelta(minutes=1))
    from_bu, [escalated], [told] = await deliver(sweep, bu, kab, requester)
    sees(Text(escalated.text), "en", "⬆️ <b>Escalated to the district officers</b>")
    assert tr("en", "Nobody claimed it within {hours} hours.", hours=2) in escalated.text
    assert tr("en", "It was handed to the district manpower office officers.") in told.text
    case = await stored_case(db)
    assert (case.level, case.status) == ("district", "new")
    assert (await events_of(db))[-1] == ("escalated", None, {"reason": "", "hours": 2})
    assert from_bu == []
    # Nothing more comes of those deadlines.
    clock.advance(timedelta(days=2))
    assert await deliver(sweep, bu, kab, requester) == [[], [], []]


async def test_urgent_case_claimed_in_time_neither_realerts_nor_escalates(
    app, person, emulator, sweep, clock, db
):
    people = await staff(app, person, (BU, "jogosimo"), (KAB, "kebumen"))
    await request_for_help(person, sweep, category="violence")
    clock.advance(timedelta(minutes=10))
    await people[BU].tap(label("en", "button", "🙋 Claim"))
    await sweep()
    bu, kab = Inbox(emulator, BU), Inbox(emulator, KAB)
    clock.advance(timedelta(hours=2))
    assert await deliver(sweep, bu, kab) == [[], []]
    case = await stored_case(db)
    assert (case.level, case.status, case.assigned_officer_id) == (
        "village",
        "claimed",
        await known(db, BU),
    )


async def test_normal_case_escalates_after_a_day(app, person, emulator, sweep, clock, db):
    await staff(app, person, (BU, "jogosimo"), (KAB, "kebumen"))
    await request_for_help(person, sweep)
    bu, kab = Inbox(emulator, BU), Inbox(emulator, KAB)
    clock.advance(timedelta(minutes=30))
    assert await deliver(sweep, bu, kab) == [[], []]  # no re-alert for a normal case
    clock.advance(timedelta(hours=23, minutes=29))
    assert await deliver(sweep, bu, kab) == [[], []]
    assert (await stored_case(db)).level == "village"
    clock.advance(timedelta(minutes=1))
    from_bu, [escalated] = await deliver(sweep, bu, kab)
    assert tr("en", "Nobody claimed it within {hours} hours.", hours=24) in escalated.text
    assert from_bu == []
    assert (await stored_case(db)).level == "district"


def idle_reminders(messages: list[ChatMessage]) -> list[ChatMessage]:
    line = plain("en", "⏰ <b>No action for {days} days</b> on this case you hold.", days=3)
    return [m for m in messages if line in m.text]


async def test_idle_reminder_after_three_days_without_action(
    app, person, emulator, sweep, clock, db
):
    people = await staff(app, person, (BU, "jogosimo"), (BU2, "jogosimo"))
    await request_for_help(person, sweep)
    await people[BU].tap(label("en", "button", "🙋 Claim"))
    bu, colleague = Inbox(emulator, BU), Inbox(emulator, BU2)
    clock.advance(timedelta(days=3) - timedelta(minutes=1))
    assert await deliver(sweep, bu, colleague) == [[], []]
    clock.advance(timedelta(minutes=1))
    [reminder], nothing = await deliver(sweep, bu, colleague)
    assert idle_reminders([reminder]) == [reminder]
    assert "DM-2026-000001" in reminder.text
    assert nothing == []


async def test_any_action_moves_the_idle_reminder(app, person, emulator, sweep, clock, db):
    people = await staff(app, person, (BU, "jogosimo"))
    bu = people[BU]
    await request_for_help(person, sweep)
    await bu.tap(label("en", "button", "🙋 Claim"))
    office = Inbox(emulator, BU)
    clock.advance(timedelta(days=2))
    await bu.press("cs:v:1")
    await bu.tap(label("en", "button", "📝 Internal note"))
    await bu.say("Called the agency, no answer yet.")
    clock.advance(timedelta(days=1))  # three days after the claim, one after the note
    assert idle_reminders(*await deliver(sweep, office)) == []
    clock.advance(timedelta(days=2) - timedelta(minutes=1))
    assert idle_reminders(*await deliver(sweep, office)) == []
    clock.advance(timedelta(minutes=1))  # three days after the note
    assert len(idle_reminders(*await deliver(sweep, office))) == 1


async def test_resolved_case_closes_after_seven_days_without_answer(
    app, person, emulator, sweep, clock, db
):
    people = await staff(app, person, (BU, "jogosimo"))
    bu = people[BU]
    await request_for_help(person, sweep)
    await bu.tap(label("en", "button", "🙋 Claim"))
    await resolve(bu)
    requester = Inbox(emulator, REQUESTER)
    await sweep()
    resolved_at = clock.now()
    clock.advance(timedelta(days=7) - timedelta(minutes=1))
    assert await deliver(sweep, requester) == [[]]
    assert (await stored_case(db)).status == "resolved"
    clock.advance(timedelta(minutes=1))
    [closed] = (await deliver(sweep, requester))[0]
    sees(
        Text(closed.text),
        "en",
        "Your request {reference} was closed: it was solved {days} days ago",
        reference="DM-2026-000001",
        days=7,
    )
    assert data_of(closed) == {
        label("en", "button", "↩️ I still need help"): "hr:re:1",
        label("en", "button", "📄 See my request"): "hr:v:1",
    }
    case = await stored_case(db)
    assert (case.status, case.resolved_at, case.closed_at) == (
        "closed",
        resolved_at,
        resolved_at + timedelta(days=7),
    )
    assert (await events_of(db))[-1] == (
        "status",
        None,
        {"before": "resolved", "after": "closed", "by": "timeout"},
    )


# --- 8. scope and forged buttons ------------------------------------------------------

FORGED = (
    "cs:v:1",
    "cs:claim:1",
    "cs:st:1:resolved",
    "cs:rs:1:wages_paid",
    "cs:w:1",
    "cs:h:1",
    "cs:f:1",
)


async def test_forged_case_buttons_are_refused_outside_the_area(app, person, emulator, sweep, db):
    people = await staff(app, person, (BU, "jogosimo"), (ELSEWHERE, "tanggulangin"))
    warga = await request_for_help(person, sweep)
    neighbour = await villager(person, 802, locale="en")
    before = (snapshot(await stored_case(db)), await events_of(db), await messages_of(db))
    for someone in (people[ELSEWHERE], neighbour, warga):
        inbox = Inbox(emulator, someone.user_id)
        for data in FORGED:
            reply = await someone.press(data)
            assert reply.toast == tr("en", "This button has expired."), (someone.user_id, data)
            sees(reply, "en", "That button is no longer valid. Here is where we are:")
            assert "DM-2026-000001" not in reply.text, (someone.user_id, data)
        shown = "\n".join(m.text for m in inbox.new())
        for private in ("DM-2026-000001", DESCRIPTION, "Siti Aminah", "0812 3456 7890"):
            assert private not in shown, (someone.user_id, private)
        assert (await row_of(db, User, someone.user_id)).dialog is None
    assert (snapshot(await stored_case(db)), await events_of(db), await messages_of(db)) == before

    # Nor once the case is claimed, for every other action on the case page.
    await people[BU].tap(label("en", "button", "🙋 Claim"))
    before = (snapshot(await stored_case(db)), await events_of(db))
    actions = ("cs:st:1:resolved", "cs:rs:1:typed", "cs:w:1", "cs:n:1", "cs:esc:1", "cs:ln:1")
    for data in (*actions, "cs:ra:1"):
        reply = await people[ELSEWHERE].press(data)
        assert reply.toast == tr("en", "This button has expired."), data
    assert (snapshot(await stored_case(db)), await events_of(db)) == before


async def test_who_sees_which_cases(app, person, emulator, sweep, db):
    people = await staff(
        app, person, (BU, "jogosimo"), (ELSEWHERE, "tanggulangin"), (KAB, "kebumen")
    )
    await request_for_help(person, sweep)
    admin = await villager(person, ADMIN, locale="en")
    admin_inbox, kab = Inbox(emulator, ADMIN), Inbox(emulator, KAB)

    # Someone from a village that is not on the list: only the admins hear of it.
    stranger = person(804, language_code="en")
    await stranger.say("/start")
    await choose_language(stranger, "English")
    await stranger.tap(label("en", "role", "Family of a migrant worker"))
    await stranger.tap(label("en", "button", "Another village…"))
    await stranger.say("Desa Lain, Kec. Lain")
    await stranger.tap(label("en", "button", "I agree"))
    await ask_for_help(stranger, locale="en", category="unpaid", for_whom="self")
    [elsewhere_case] = await cases_of(db, await known(db, 804))
    assert elsewhere_case.village_id is None
    other_reference = elsewhere_case.reference
    [to_admin], to_kab = await deliver(sweep, admin_inbox, kab)
    sees(Text(to_admin.text), "en", "🆘 <b>New help request</b>")
    assert other_reference in to_admin.text
    assert tr("en", "Village: {village}", village=tr("en", "a village not on the list")) in (
        to_admin.text
    )
    assert to_kab == []

    reply = await person(REQUESTER, language_code="en").say("/kasus")
    sees(reply, "en", "Only officers can see help requests.")
    assert "DM-2026" not in reply.text

    reply = await people[KAB].say("/kasus")
    assert "DM-2026-000001" in reply.text
    assert other_reference not in reply.text
    reply = await people[ELSEWHERE].say("/kasus")
    assert "DM-2026" not in reply.text
    sees(reply, "en", "Nothing waiting. Thank you!")
    reply = await people[BU].say("/kasus")
    assert "DM-2026-000001" in reply.text
    assert other_reference not in reply.text

    reply = await admin.say("/kasus")
    assert "DM-2026-000001" in reply.text
    assert other_reference in reply.text
    reply = await admin.tap(f"DM-2026-000002 · {category_label('en', 'unpaid')}")
    assert "Requester: Telegram ID 804" in reply.text
    reply = await admin.tap(label("en", "button", "🙋 Claim"))
    sees(reply, "en", "✅ You handle this case now. The requester is told.")
    assert (await stored_case(db, 2)).assigned_officer_id == await known(db, ADMIN)
    # The officer of Kebumen cannot take it by a forged button either.
    reply = await people[KAB].press("cs:v:2")
    assert reply.toast == tr("en", "This button has expired.")


# --- 9. a requester who blocked the bot -------------------------------------------------


@pytest.mark.parametrize("how", ["blocked_before", "forbidden_on_send"])
async def test_requester_who_blocked_the_bot(app, person, emulator, sweep, db, how):
    people = await staff(app, person, (BU, "jogosimo"))
    bu = people[BU]
    warga = await request_for_help(person, sweep)
    await bu.tap(label("en", "button", "🙋 Claim"))
    await sweep()
    if how == "blocked_before":
        await warga.block()
    else:
        emulator.inject("forbidden", chat_id=REQUESTER)
    office = Inbox(emulator, BU)
    await bu.press("cs:v:1")
    await bu.tap(label("en", "button", "✉️ Write to the requester"))
    reply = await bu.say("Are you still there?")
    sees(reply, "en", "✅ Sent to the requester.")
    [told] = (await deliver(sweep, office))[0]
    sees(
        Text(told.text),
        "en",
        "⚠️ <b>The requester blocked the bot.</b> The case stays open; they cannot get "
        "messages until they write again.",
    )
    assert "DM-2026-000001" in told.text
    case = await stored_case(db)
    assert case.requester_unreachable is True
    assert (case.status, case.assigned_officer_id) == ("in_progress", await known(db, BU))
    assert (await row_of(db, User, REQUESTER)).unreachable_at is not None
    assert (await events_of(db))[-1] == ("unreachable", None, {})
    reply = await bu.tap(label("en", "button", "📂 Open the case"))
    sees(reply, "en", "⚠️ The requester blocked the bot: messages cannot reach them now.")
    assert label("en", "button", "✉️ Write to the requester") in reply.buttons
    # Told once: a second message that cannot be delivered does not repeat it.
    await bu.tap(label("en", "button", "✉️ Write to the requester"))
    await bu.say("Please write to us when you can.")
    assert await deliver(sweep, office) == [[]]


# --- 10. history, full text and files ---------------------------------------------------


async def long_request(p, paragraphs: list[str], photos: int) -> None:
    """A migrant's own request told in several messages, with photos of documents."""
    await p.say("/tolong")
    await p.tap(category_label("en", "documents_held"))
    await p.tap(label("en", "button", "Continue the request ▶️"))  # the contacts come first
    await p.tap(label("en", "button", "Me"))
    await p.tap("Malaysia")
    await p.tap(label("en", "button", "Skip ⏭"))
    await p.tap(label("en", "button", "Skip ⏭"))
    for paragraph in paragraphs:
        await p.say(paragraph)
    for _photo in range(photos):
        await p.send("photo")
    await p.tap(label("en", "button", "Continue ▶️"))
    reply = await p.tap(label("en", "button", "✅ Send to the officers"))
    sees(reply, "en", "✅ <b>Your request is saved.</b>")


async def test_history_and_full_text(app, person, emulator, sweep, db):
    people = await staff(app, person, (BU, "jogosimo"))
    bu = people[BU]
    warga = await villager(person, REQUESTER, locale="en", role="abroad")
    # As long as a description may be (MAX_DESCRIPTION_CHARS, 4,000): more than one message.
    words = [f"w{i:04d}" for i in range(660)]
    words[300] = "PT A&B <agency>"
    paragraphs = [" ".join(words[:220]), " ".join(words[220:440]), " ".join(words[440:])]
    await long_request(warga, paragraphs, photos=2)
    [case] = await cases_of(db, await known(db, REQUESTER))
    assert len(case.description) > 3900
    assert case.description == "\n\n".join(paragraphs)
    await sweep()

    await bu.tap(label("en", "button", "🙋 Claim"))
    office = Inbox(emulator, BU)
    reply = await bu.tap(label("en", "button", "📄 Full text and files"))
    assert "DM-2026-000001" in reply.text
    assert "Handled by: you" in reply.text
    sent = office.new()
    header = "DM-2026-000001: what happened\n"
    parts = [m for m in sent if m.media is None and m.text.startswith(header)]
    assert len(parts) >= 2
    joined = " ".join(m.text.removeprefix(header) for m in parts)
    assert joined.split() == case.description.split()
    photos = [m for m in sent if m.media == "photo"]
    assert [(m.text, m.media) for m in photos] == [("DM-2026-000001", "photo")] * 2

    await bu.tap(label("en", "button", "✉️ Write to the requester"))
    await bu.say("Which agency holds your passport?")
    await deliver(sweep, office)
    await warga.tap(label("en", "button", "↩️ Reply"))
    await warga.say("PT Sinar in Kuala Lumpur.")
    await warga.send("photo")
    await bu.press("cs:v:1")
    await bu.tap(label("en", "button", "📝 Internal note"))
    await bu.say("Ask the consulate.")
    await bu.tap(label("en", "button", "⏳ Waiting for the requester"))
    office.new()
    reply = await bu.tap(label("en", "button", "📜 History"))
    assert "Handled by: you" in reply.text
    history = "\n".join(m.text for m in office.new() if m.text.startswith("History of"))
    assert history.startswith("History of DM-2026-000001")
    for line in (
        "requester · request sent",
        f"{BU} · status: 🆕 New, unclaimed → 🙋 Claimed",
        f"{BU} · status: 🙋 Claimed → 🔧 In progress",
        f"{BU} · message",
        "requester · message",
        f"{BU} · internal note",
        f"{BU} · status: 🔧 In progress → ⏳ Waiting for the requester",
        "Officer → requester: Which agency holds your passport?",
        "Requester: PT Sinar in Kuala Lumpur.",
        "Requester: 1 photo",
        "Internal note: Ask the consulate.",
    ):
        assert line in " ".join(history.split()), line  # (a file alone: two spaces)

    # The photo the requester added is among the files now.
    office.new()
    await bu.tap(label("en", "button", "📄 Full text and files"))
    assert len([m for m in office.new() if m.media == "photo"]) == 3


# --- 11. linking a family's request with the migrant's own ------------------------------

MIGRANT = 803


async def family_and_migrant(app, person, sweep):
    """A family's case (no. 1) and the migrant's own (no. 2), both from Jogosimo."""
    people = await staff(app, person, (BU, "jogosimo"))
    family = await request_for_help(person, sweep)
    migrant = await villager(person, MIGRANT, locale="en", role="abroad")
    await ask_for_help(migrant, locale="en", for_whom="self", description="Majikan menahan gaji.")
    await sweep()
    return people[BU], family, migrant


async def ask_to_link(bu, family_case: int, migrant_reference: str):
    await bu.press(f"cs:v:{family_case}")
    reply = await bu.tap(label("en", "button", "🔗 Link migrant's own request"))
    sees(reply, "en", "Type the reference number of the migrant's own request")
    return await bu.say(f"Her own request is {migrant_reference.lower()}")


async def test_link_with_the_migrants_consent(app, person, emulator, sweep, db):
    bu, family, migrant = await family_and_migrant(app, person, sweep)
    office, asked = Inbox(emulator, BU), Inbox(emulator, MIGRANT)
    # Before any officer asked, the migrant's answer is no answer.
    reply = await migrant.press("hr:ln:2:1:y")
    assert reply.toast == tr("en", "This button has expired.")
    assert [(await stored_case(db, i)).linked_request_id for i in (1, 2)] == [None, None]
    assert await deliver(sweep, office) == [[]]
    reply = await ask_to_link(bu, 1, "DM-2026-000002")
    sees(reply, "en", "🔗 The migrant is asked to agree. You are told of the answer.")
    question = await one(sweep, asked)
    # Whoever holds the phone learns nothing from it: no request, category, name or worry.
    assert question.text == tr(
        "en",
        "A short question from the Desmigratif village service: may the officers put "
        "two of their records together, so that they can serve you better?",
    )
    assert data_of(question) == {
        label("en", "button", "Yes"): "hr:ln:2:1:y",
        label("en", "button", "No"): "hr:ln:2:1:n",
        label("en", "button", "🔕 Do not contact me here"): "hr:ln:2:1:x",
    }
    assert (await stored_case(db, 1)).linked_request_id is None

    # Nobody else can answer for the migrant, and no link can be made without asking.
    for someone, data in (
        (family, "hr:ln:2:1:y"),
        (bu, "hr:ln:2:1:y"),
        (migrant, "hr:ln:2:3:y"),
    ):
        reply = await someone.press(data)
        assert reply.toast == tr("en", "This button has expired."), (someone.user_id, data)
    assert [(await stored_case(db, i)).linked_request_id for i in (1, 2)] == [None, None]

    reply = await migrant.press(data_of(question)[label("en", "button", "Yes")])
    sees(reply, "en", "Thank you. The officers now see both requests together.")
    assert [(await stored_case(db, i)).linked_request_id for i in (1, 2)] == [2, 1]
    told = await one(sweep, office)
    sees(Text(told.text), "en", "🔗 <b>Linked with the migrant's own request.</b>")
    assert "DM-2026-000001" in told.text
    reply = await bu.press("cs:v:1")
    sees(reply, "en", "🔗 Linked with request no. {id}", id="DM-2026-000002")
    assert label("en", "button", "🔗 Link migrant's own request") not in reply.buttons
    assert [e for e in await events_of(db, 2) if e[0].startswith("link")] == [
        ("link_asked", await known(db, BU), {"other": 1}),
        ("linked", await known(db, MIGRANT), {"other": 1}),
    ]
    # A second Yes changes nothing.
    reply = await migrant.press("hr:ln:2:1:y")
    sees(reply, "en", "These requests cannot be linked any more.")
    assert [(await stored_case(db, i)).linked_request_id for i in (1, 2)] == [2, 1]
    # The family never sees the migrant's own request.
    assert "DM-2026-000002" not in everything(emulator, REQUESTER)


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_the_migrant_asks_not_to_be_contacted_here(app, person, emulator, sweep, db, locale):
    people = await staff(app, person, (BU, "jogosimo"), locale=locale)
    await request_for_help(person, sweep, locale=locale)
    migrant = await villager(person, MIGRANT, locale=locale, role="abroad")
    await ask_for_help(migrant, locale=locale, for_whom="self", description="Gaji ditahan.")
    await sweep()
    bu = people[BU]
    await bu.press("cs:claim:1")
    await sweep()
    await bu.press("cs:v:1")
    await bu.tap(label(locale, "button", "🔗 Link migrant's own request"))
    await bu.say("DM-2026-000002")
    office, asked = Inbox(emulator, BU), Inbox(emulator, MIGRANT)
    question = await one(sweep, asked)
    for private in ("DM-2026-000001", "DM-2026-000002", "Siti", FAMILY["employer"], "Malaysia"):
        assert private not in question.text
    reply = await migrant.press(
        data_of(question)[label(locale, "button", "🔕 Do not contact me here")]
    )
    sees(reply, locale, "All right. The officers will not contact you here.")
    assert reply.buttons == []
    [edited] = reply.messages
    assert (edited.message_id, edited.edited) == (question.message_id, True)
    told = await one(sweep, office)
    sees(
        Text(told.text),
        locale,
        "🔕 <b>The migrant asked not to be contacted through this chat.</b> Someone else "
        "may be reading their messages: find another safe way to reach them.",
    )
    assert [(await stored_case(db, i)).linked_request_id for i in (1, 2)] == [None, None]
    migrant_id = await known(db, MIGRANT)
    assert [e[:2] for e in await events_of(db, 2)][-1] == ("no_contact", migrant_id)
    assert [e[:2] for e in await events_of(db, 1)][-1] == ("no_contact", migrant_id)


async def test_link_refuses_what_cannot_be_linked(app, person, emulator, sweep, db):
    bu, _family, _migrant = await family_and_migrant(app, person, sweep)
    reply = await ask_to_link(bu, 1, "DM-2026-000001")  # the family's own case
    sees(reply, "en", "No request with that reference number in your area.")
    reply = await bu.say("DM-2026-000099")
    sees(reply, "en", "No request with that reference number in your area.")
    assert await deliver(sweep, Inbox(emulator, MIGRANT)) == [[]]
    assert [(await stored_case(db, i)).linked_request_id for i in (1, 2)] == [None, None]


# --- 12. the reporting export ------------------------------------------------------------


async def export(monkeypatch, capsys, database_url, *args: str) -> str:
    """``desmigratif cases export …`` (its own event loop, so in a thread); its output."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    capsys.readouterr()
    argv = ["cases", "export", "--from", "2026-12-01", "--to", "2026-12-01", *args]
    assert await asyncio.to_thread(cli, argv) == 0
    return capsys.readouterr().out


async def test_cases_export(app, person, sweep, db, database_url, monkeypatch, capsys):
    people = await staff(app, person, (BU, "jogosimo"))
    await request_for_help(person, sweep)
    await people[BU].tap(label("en", "button", "🙋 Claim"))
    elsewhere = await villager(person, 802, locale="en", village="candirenggo", role="abroad")
    await ask_for_help(elsewhere, locale="en", for_whom="self", description="Gaji tidak dibayar.")
    private = (DESCRIPTION, "Gaji tidak dibayar.", FAMILY["name"], FAMILY["contact"])

    out = await export(monkeypatch, capsys, database_url)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["reference"], r["village_id"], r["status"]) for r in rows] == [
        ("DM-2026-000001", "jogosimo", "claimed"),
        ("DM-2026-000002", "candirenggo", "new"),
    ]
    assert set(rows[0]) == {
        "reference",
        "category",
        "urgent",
        "for_whom",
        "village_id",
        "level",
        "status",
        "created_at",
        "claimed_at",
        "resolved_at",
        "closed_at",
    }
    assert not any(text in out for text in private)
    assert str(REQUESTER) not in out
    assert str(BU) not in out

    out = await export(monkeypatch, capsys, database_url, "--format", "json")
    data = json.loads(out)
    assert [row["reference"] for row in data] == ["DM-2026-000001", "DM-2026-000002"]
    assert not any(text in out for text in private)
    assert all("requester_id" not in row and "description" not in row for row in data)

    out = await export(monkeypatch, capsys, database_url, "--with-personal-data")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert (rows[0]["requester_id"], rows[0]["assigned_officer_id"]) == (str(REQUESTER), str(BU))
    assert (rows[0]["description"], rows[0]["name"], rows[0]["contact"]) == (
        DESCRIPTION,
        FAMILY["name"],
        FAMILY["contact"],
    )
    assert (rows[1]["requester_id"], rows[1]["description"]) == ("802", "Gaji tidak dibayar.")

    out = await export(
        monkeypatch, capsys, database_url, "--format", "json", "--with-personal-data"
    )
    data = json.loads(out)
    assert (data[0]["requester_id"], data[0]["description"], data[0]["contact"]) == (
        REQUESTER,
        DESCRIPTION,
        FAMILY["contact"],
    )

    out = await export(monkeypatch, capsys, database_url, "--area", "jogosimo")
    assert [r["reference"] for r in csv.DictReader(io.StringIO(out))] == ["DM-2026-000001"]
    out = await export(
        monkeypatch, capsys, database_url, "--area", "candirenggo", "--format", "json"
    )
    assert [r["reference"] for r in json.loads(out)] == ["DM-2026-000002"]
    out = await export(monkeypatch, capsys, database_url, "--area", "kebumen")
    assert len(list(csv.DictReader(io.StringIO(out)))) == 2


# --- officers in their own language ------------------------------------------------------


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_officer_transcript_in_their_language(app, person, emulator, sweep, db, locale):
    people = await staff(app, person, (BU, "jogosimo"), locale=locale)
    bu = people[BU]
    await request_for_help(person, sweep, locale=locale)
    requester = Inbox(emulator, REQUESTER)
    notice = bu.last_with_buttons()
    sees(Text(notice.text), locale, "🆘 <b>New help request</b>")
    assert category_label(locale, "lost_contact") in notice.text
    sees(Text(notice.text), locale, "Village: {village}", village="Jogosimo (Klirong, Kebumen)")
    assert label(locale, "button", "📂 Open the case") in notice.button_labels()

    reply = await bu.tap(label(locale, "button", "🙋 Claim"))
    sees(reply, locale, "✅ You handle this case now. The requester is told.")
    assert label(locale, "case status", "🙋 Claimed") in reply.text
    sees(reply, locale, "Handled by: {who}", who=tr(locale, "you"))
    told = await one(sweep, requester)
    assert told.text == status_text(locale, "DM-2026-000001", "🙋 An officer is handling it")

    reply = await bu.tap(label(locale, "button", "✉️ Write to the requester"))
    sees(reply, locale, "Write your message to the requester")
    reply = await bu.say("Selamat pagi, Bu. Kami sedang menghubungi agensinya.")
    sees(reply, locale, "✅ Sent to the requester.")
    relayed = await one(sweep, requester)
    assert relayed.text.startswith(tr(locale, "Officer of {office}", office="Desa Jogosimo"))

    reply = await resolve(bu, locale=locale)
    sees(reply, locale, "Status changed. The requester is told.")
    told = await one(sweep, requester)
    assert tr(locale, "Is your problem solved?") in told.text

    reply = await bu.say("/kasus")
    sees(reply, locale, "<b>🗂 Help requests</b>")
    sees(reply, locale, "Nothing waiting. Thank you!")
    assert (await stored_case(db)).status == "resolved"


# --- bugs these tests found (fixed) -----------------------------------------------------


async def test_second_tap_on_resolved_does_not_reopen(app, person, emulator, sweep, db):
    people = await staff(app, person, (BU, "jogosimo"), (BU2, "jogosimo"))
    bu = people[BU]
    await request_for_help(person, sweep)
    await bu.tap(label("en", "button", "🙋 Claim"))
    page = bu.last_with_buttons()
    resolve = data_of(page)[label("en", "button", "✅ Resolved")]
    await bu.press(resolve, page.message_id)
    await bu.press("cs:rs:1:contact_restored")
    requester = Inbox(emulator, REQUESTER)
    await deliver(sweep, requester)
    before = (snapshot(await stored_case(db)), await events_of(db))
    # Telegram delivers a quick double tap twice; the old page still carries the button.
    await bu.press(resolve, page.message_id)
    # Neither may another officer of the village turn it back with a stale button.
    await people[BU2].press("cs:st:1:waiting")
    assert (snapshot(await stored_case(db)), await events_of(db)) == before
    assert await deliver(sweep, requester) == [[]]


async def test_idle_reminder_is_not_doubled_by_a_reassignment(
    app, person, emulator, sweep, clock, db
):
    people = await staff(app, person, (BU, "jogosimo"), (BU2, "jogosimo"))
    bu = people[BU]
    await request_for_help(person, sweep)
    await bu.tap(label("en", "button", "🙋 Claim"))
    clock.advance(timedelta(days=1))
    await bu.tap(label("en", "button", "👥 Reassign"))
    await bu.tap(f"{BU2} · Desa Jogosimo")
    colleague = Inbox(emulator, BU2)
    await deliver(sweep, colleague)
    clock.advance(timedelta(days=3))
    assert len(idle_reminders(*await deliver(sweep, colleague))) == 1


@pytest.mark.parametrize("answer", ["y", "n"])
async def test_only_the_migrant_answers_the_link_question(
    app, person, emulator, sweep, db, answer
):
    bu, family, _migrant = await family_and_migrant(app, person, sweep)
    await ask_to_link(bu, 1, "DM-2026-000002")
    await sweep()
    office = Inbox(emulator, BU)
    before = await events_of(db, 1)
    reply = await family.press(f"hr:ln:1:2:{answer}")
    assert reply.toast == tr("en", "This button has expired.")
    assert await events_of(db, 1) == before
    assert await deliver(sweep, office) == [[]]


async def test_a_family_request_links_with_one_migrant_only(app, person, emulator, sweep, db):
    bu, _family, migrant = await family_and_migrant(app, person, sweep)
    other = await villager(person, 804, locale="en", role="abroad")
    await ask_for_help(other, locale="en", for_whom="self", description="Saya sakit.")
    await ask_to_link(bu, 1, "DM-2026-000002")
    await ask_to_link(bu, 1, "DM-2026-000003")  # not linked yet: the officer may ask again
    await sweep()
    reply = await migrant.press("hr:ln:2:1:y")
    sees(reply, "en", "Thank you. The officers now see both requests together.")
    reply = await other.press("hr:ln:3:1:y")
    sees(reply, "en", "These requests cannot be linked any more.")
    assert [(await stored_case(db, i)).linked_request_id for i in (1, 2, 3)] == [2, 1, None]


async def test_a_long_history_is_sent_whole(app, person, emulator, sweep, db):
    people = await staff(app, person, (BU, "jogosimo"))
    bu = people[BU]
    await request_for_help(person, sweep)
    await bu.tap(label("en", "button", "🙋 Claim"))
    await bu.tap(label("en", "button", "📝 Internal note"))
    await bu.say("Agency called.")
    office = Inbox(emulator, BU)
    await bu.tap(label("en", "button", "📜 History"))
    [short] = [m for m in office.new() if m.text.startswith("History of")]
    # Two more notes: a long one, then one whose author label straddles the 3500th
    # character, where the history is split into messages.
    events, messages = short.source.split("\n\n<b>Messages</b>\n")
    note_event = events.rsplit("\n", 1)[1]
    line_start = messages.removesuffix("Agency called.")
    before = f"{events}\n{note_event}\n{note_event}\n\n<b>Messages</b>\n{messages}\n"
    space = line_start.index("Internal note") + len("Internal")
    length = 3495 - space - len(before) - len(line_start) - 1
    long_note = ("The agency in Kuala Lumpur says the passport is with the employer. " * 60)[
        :length
    ]
    await bu.tap(label("en", "button", "📝 Internal note"))
    await bu.say(long_note)
    await bu.tap(label("en", "button", "📝 Internal note"))
    await bu.say("Consulate informed.")
    office.new()
    reply = await bu.tap(label("en", "button", "📜 History"))
    assert "Handled by: you" in reply.text
    history = " ".join(m.text for m in office.new() if m.media is None)
    assert history.count("Internal note: ") == 3
    assert "Agency called." in history
    assert "Consulate informed." in history


async def test_reply_under_a_notice_keeps_the_notice(app, person, emulator, sweep, db):
    """The requester's message stays in the officer's chat when they tap Reply under it."""
    people = await staff(app, person, (BU, "jogosimo"))
    bu = people[BU]
    requester = await request_for_help(person, sweep)
    await bu.tap(label("en", "button", "🙋 Claim"))
    await requester.say("Majikannya bernama Tan.")
    await sweep()
    notice = emulator.bot_messages(BU)[-1]
    assert "Majikannya bernama Tan." in notice.text
    reply = await bu.tap(label("en", "button", "✉️ Reply"))
    sees(reply, "en", "Write your message to the requester")
    assert "Majikannya bernama Tan." in emulator.bot_messages(BU)[-2].text
    assert not reply.messages[0].edited


async def test_each_message_is_signed_with_its_writers_office(app, person, sweep, db):
    """After a reassignment the requester's page still says who wrote what."""
    people = await staff(app, person, (BU, "jogosimo"), (KAB, "kebumen"))
    requester = await request_for_help(person, sweep)
    await people[KAB].press("cs:claim:1")  # from /kasus: the village officers were told
    await people[KAB].tap(label("en", "button", "✉️ Write to the requester"))
    await people[KAB].say("Kami dari kabupaten.")
    await people[KAB].tap(label("en", "button", "👥 Reassign"))
    await people[KAB].tap(f"{BU} · Desa Jogosimo")
    await sweep()
    await people[BU].tap(label("en", "button", "📂 Open the case"))
    await people[BU].tap(label("en", "button", "✉️ Write to the requester"))
    await people[BU].say("Kami dari desa.")
    reply = await requester.say("/status")
    reply = await requester.tap("DM-2026-000001")
    assert "Officer of Kabupaten Kebumen</b>" not in reply.text  # text, not HTML
    lines = reply.text.splitlines()
    assert any(
        line.startswith("Officer of Kabupaten Kebumen") and "Kami dari kabupaten." in line
        for line in lines
    )
    assert any(
        line.startswith("Officer of Desa Jogosimo") and "Kami dari desa." in line for line in lines
    )
