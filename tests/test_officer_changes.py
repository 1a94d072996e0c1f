"""Cases follow officer changes (issue 11): an officer who is removed, moves area or
erases their data hands back every open case they no longer cover (back in the area's
queue, logged, the area's officers alerted), their scheduled announcements are
cancelled (the admins are told which), and every notice is checked when it is sent
against the officer's role and area at that moment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.context import services_of
from bot.services import officers
from storage.models import Announcement, Delivery, HelpEvent, Officer
from tests.announcing import announce, officer, villager
from tests.conftest import START
from tests.people import person as known
from tests.people import row_of, telegram_person
from tests.test_officer_cases import (
    BU,
    BU2,
    REQUESTER,
    Inbox,
    Text,
    events_of,
    request_for_help,
    stored_case,
)
from tests.transcript import label, sees, tr

ADMIN = 900
NEWS = "Bu Siti dipindah ke Johor, nomor barunya 0813 1111 2222"
REFERENCE = "DM-2026-000001"


def handover_lines(app, locale: str, *, cases: int = 0, announcements: int = 0, refs="") -> str:
    _ = services_of(app).i18n.translator(locale)
    lines = []
    if cases:
        lines.append(
            _.ngettext(
                "{count} open case went back to its area's queue: {references}",
                "{count} open cases went back to their area's queue: {references}",
                cases,
                count=cases,
                references=refs,
            )
        )
    if announcements:
        lines.append(
            _.ngettext(
                "{count} scheduled announcement was cancelled: no. {ids}",
                "{count} scheduled announcements were cancelled: no. {ids}",
                announcements,
                count=announcements,
                ids=refs,
            )
        )
    return "\n".join(lines)


async def claimed_case(app, person, sweep, locale: str):
    """Two Jogosimo officers, an admin; a request from Jogosimo that BU claimed."""
    bu = await officer(app, person, BU, "jogosimo", locale=locale)
    bu2 = await officer(app, person, BU2, "jogosimo", locale=locale)
    admin = await villager(person, ADMIN, locale=locale)
    warga = await request_for_help(person, sweep, locale=locale)
    await bu.tap(label(locale, "button", "🙋 Claim"))
    await sweep()
    return bu, bu2, admin, warga


async def requester_writes(warga, sweep, locale: str) -> None:
    """The requester adds news on the status notice the claim sent them."""
    reply = await warga.tap(label(locale, "button", "➕ Add information"))
    sees(reply, locale, "Write what you want to add to {reference}", reference=REFERENCE)
    reply = await warga.say(NEWS)
    sees(reply, locale, "✅ Added to {reference}. The officer is told.", reference=REFERENCE)


async def deadlines_of(db) -> list[tuple[str, object, str]]:
    rows = await db.execute(
        select(Delivery.payload, Delivery.due_at, Delivery.status)
        .where(Delivery.kind == "case_deadline")
        .order_by(Delivery.id)
    )
    return [(payload["check"], due, status) for payload, due, status in rows.all()]


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_a_removed_officers_case_goes_back_to_the_village_queue(
    app, person, emulator, sweep, db, clock, locale
):
    bu, _bu2, admin, warga = await claimed_case(app, person, sweep, locale)
    assert (await stored_case(db)).assigned_officer_id == await known(db, BU)
    boxes = {chat: Inbox(emulator, chat) for chat in (BU, BU2, ADMIN)}

    reply = await admin.say(f"/petugas hapus {BU}")
    sees(reply, locale, "{id} is no longer an officer.", id=BU)
    assert handover_lines(app, locale, cases=1, refs=REFERENCE) in reply.text
    case = await stored_case(db)
    assert (case.status, case.assigned_officer_id, case.claimed_at, case.idle_check) == (
        "new",
        None,
        None,
        None,
    )
    assert (await events_of(db))[-1] == ("released", None, {"before": "claimed", "why": "removed"})
    boxes[ADMIN].new()  # the reply above

    await sweep()
    assert boxes[BU].new() == []
    [alert] = boxes[BU2].new()
    sees(
        Text(alert.text),
        locale,
        "🔁 <b>Back in the queue</b>: the officer who held this case no longer covers it. "
        "Please claim it.",
    )
    assert REFERENCE in alert.text
    assert label(locale, "button", "🙋 Claim") in alert.button_labels()
    assert boxes[ADMIN].new() == []  # the admin who removed them read it in the reply

    # The requester's news reaches the officers who cover the case now, not the old one.
    await requester_writes(warga, sweep, locale)
    await sweep()
    assert boxes[BU].new() == []
    [news] = boxes[BU2].new()
    sees(Text(news.text), locale, "💬 <b>The requester wrote:</b>")
    assert NEWS in news.text

    # It escalates again if nobody claims it; the idle reminder never reaches anyone.
    deadlines = services_of(app).help.deadlines
    assert await deadlines_of(db) == [
        ("escalate", START + deadlines.normal_escalate, "pending"),
        ("idle", START + deadlines.idle_reminder, "pending"),
        ("escalate", START + deadlines.normal_escalate, "pending"),
    ]
    clock.advance(deadlines.idle_reminder + timedelta(minutes=1))
    await sweep()
    assert boxes[BU].new() == []
    statuses = [status for check, _due, status in await deadlines_of(db) if check == "idle"]
    assert statuses == ["skipped"]

    # The removed officer's old buttons open nothing.
    reply = await bu.say("/kasus")
    assert REFERENCE not in reply.text


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_a_moved_officer_stops_hearing_about_the_old_villages_cases(
    app, person, emulator, sweep, db, locale
):
    bu, _bu2, admin, warga = await claimed_case(app, person, sweep, locale)
    boxes = {chat: Inbox(emulator, chat) for chat in (BU, BU2, ADMIN)}

    # Moved to the whole kabupaten: it still covers Jogosimo, so the case stays theirs.
    reply = await admin.say(f"/petugas tambah {BU} kebumen")
    sees(reply, locale, "{id} is now an officer for {area}.", id=BU, area="Kabupaten Kebumen")
    assert REFERENCE not in reply.text
    assert (await stored_case(db)).assigned_officer_id == await known(db, BU)

    # Moved to another village: the case goes back to Jogosimo's queue.
    reply = await admin.say(f"/petugas tambah {BU} candirenggo")
    sees(
        reply,
        locale,
        "{id} is now an officer for {area}.",
        id=BU,
        area="Candirenggo (Ayah, Kebumen)",
    )
    assert handover_lines(app, locale, cases=1, refs=REFERENCE) in reply.text
    case = await stored_case(db)
    assert (case.status, case.assigned_officer_id) == ("new", None)
    assert (await events_of(db))[-1] == ("released", None, {"before": "claimed", "why": "moved"})
    await sweep()
    assert boxes[BU].new() == []
    assert len(boxes[BU2].new()) == 1

    await requester_writes(warga, sweep, locale)
    await sweep()
    assert boxes[BU].new() == []
    [news] = boxes[BU2].new()
    assert NEWS in news.text
    reply = await bu.press("cs:v:1")
    assert NEWS not in reply.text
    assert REFERENCE not in reply.text


async def test_a_notice_is_checked_against_the_role_when_it_is_sent(
    app, person, emulator, sweep, db
):
    """The change lands between queueing and sending (another process, or the command
    line bypassing the hand-back): the notice goes to who covers the case now."""
    _bu, _bu2, _admin, warga = await claimed_case(app, person, sweep, "id")
    boxes = {chat: Inbox(emulator, chat) for chat in (BU, BU2)}
    await requester_writes(warga, sweep, "id")  # queued for BU, not sent yet
    async with services_of(app).sessions() as session, session.begin():
        (await row_of(session, Officer, BU)).area_id = "candirenggo"  # type: ignore[union-attr]
    await sweep()
    await sweep()
    assert boxes[BU].new() == []
    [news] = boxes[BU2].new()
    sees(Text(news.text), "id", "💬 <b>The requester wrote:</b>")
    assert NEWS in news.text
    skipped = await db.execute(
        select(Delivery.chat_id, Delivery.error).where(Delivery.status == "skipped")
    )
    assert (BU, "passed on to 1") in skipped.all()


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_a_removed_officers_scheduled_announcement_is_cancelled(
    app, person, emulator, sweep, db, clock, locale
):
    bu = await officer(app, person, BU, "jogosimo", locale=locale)
    await villager(person, ADMIN, locale=locale)
    warga = await villager(person, REQUESTER, locale=locale)
    await announce(bu, "Pelatihan besok pagi", locale=locale, when="02-12-2026 08:00")
    await bu.tap(label(locale, "button", "Send"))
    await announce(bu, "Rapat lusa", locale=locale, when="03-12-2026 08:00")
    await bu.tap(label(locale, "button", "Send"))
    admin_box = Inbox(emulator, ADMIN)

    # Removed from the command line: no admin saw it happen, so all of them are told.
    services = services_of(app)
    async with services.sessions() as session, session.begin():
        handover = await officers.revoke(
            session,
            await services.routing(session),
            await telegram_person(session, BU),
            now=clock.now(),
        )
    assert handover == officers.Handover(cases=(), announcements=(1, 2))
    statuses = (await db.scalars(select(Announcement.status).order_by(Announcement.id))).all()
    assert statuses == ["cancelled", "cancelled"]
    await sweep()
    [told] = admin_box.new()
    _ = services.i18n.translator(locale)
    assert told.text == "\n".join(
        [
            tr(locale, "👤 <b>Officer {id} is no longer an officer.</b>", id=BU)
            .replace("<b>", "")
            .replace("</b>", ""),
            _.ngettext(
                "{count} scheduled announcement was cancelled: no. {ids}",
                "{count} scheduled announcements were cancelled: no. {ids}",
                2,
                count=2,
                ids="1, 2",
            ),
        ]
    )
    clock.advance(timedelta(days=3))
    await sweep()
    texts = [m.text for m in emulator.bot_messages(REQUESTER)]
    assert not any("Pelatihan" in text or "Rapat" in text for text in texts)
    assert warga is not None


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_an_officer_who_erases_their_data_hands_back_and_is_forgotten(
    app, person, emulator, sweep, db, locale
):
    bu, bu2, _admin, _warga = await claimed_case(app, person, sweep, locale)
    await bu.tap(label(locale, "button", "✉️ Write to the requester"))
    await bu.say("Selamat pagi, kami sedang menghubungi agensinya.")
    await sweep()
    boxes = {chat: Inbox(emulator, chat) for chat in (BU2, ADMIN)}
    bu_id = await known(db, BU)  # before they are forgotten

    await bu.say("/hapusdata")
    reply = await bu.tap(label(locale, "button", "Yes, erase everything"))
    sees(reply, locale, "All your data has been erased. Send /start to begin again.")
    case = await stored_case(db)
    assert (case.status, case.assigned_officer_id) == ("new", None)
    actors = {actor for _action, actor, _detail in await events_of(db)}
    assert bu_id not in actors
    assert 0 in actors  # their claim and message: done by "a former officer"
    authors = (await db.execute(select(HelpEvent.actor_id, HelpEvent.action))).all()
    assert (0, "status") in authors
    assert await row_of(db, Officer, BU) is None

    await sweep()
    [alert] = boxes[BU2].new()
    assert REFERENCE in alert.text
    [told] = boxes[ADMIN].new()
    first = tr(locale, "👤 <b>An officer erased their data.</b>")
    assert told.text.split("\n")[0] == first.replace("<b>", "").replace("</b>", "")
    assert str(BU) not in told.text
    payloads = (await db.scalars(select(Delivery.payload))).all()
    assert all((p or {}).get("officer") != bu_id for p in payloads)

    # The history shows the former officer, not their id.
    await bu2.press("cs:v:1")
    reply = await bu2.tap(label(locale, "button", "📜 History"))
    sees(reply, locale, "<b>History of {reference}</b>", reference=REFERENCE)
    assert tr(locale, "former officer") in reply.text
    assert str(BU) not in reply.text


async def test_the_command_line_hands_back_too(
    app, person, emulator, sweep, db, database_url, monkeypatch, capsys
):
    """``desmigratif officer add … --area`` / ``officer remove`` (another process)."""
    import asyncio

    from bot.__main__ import main as cli

    await claimed_case(app, person, sweep, "id")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ADMIN_IDS", str(ADMIN))
    capsys.readouterr()
    assert await asyncio.to_thread(cli, ["officer", "add", str(BU), "--area", "kebumen"]) == 0
    assert capsys.readouterr().out == f"{BU} is an officer for Kabupaten Kebumen\n"
    assert await asyncio.to_thread(cli, ["officer", "remove", str(BU)]) == 0
    assert capsys.readouterr().out == (
        f"{BU} is no longer an officer\nopen cases back in their area's queue: 1\n"
    )
    assert await asyncio.to_thread(cli, ["officer", "remove", str(BU)]) == 1
    case = await stored_case(db)
    assert (case.status, case.assigned_officer_id) == ("new", None)
    # The admins' notice is queued (due at the command line's own clock, the real one).
    told = await db.execute(
        select(Delivery.chat_id, Delivery.payload).where(Delivery.kind == "admin_notice")
    )
    assert told.all() == [
        (
            ADMIN,
            {
                "event": "handover",
                "why": "removed",
                "officer": await known(db, BU),
                "cases": [1],
                "announcements": [],
            },
        )
    ]


async def test_a_page_is_edited_in_place_and_a_notice_stays(app, person, emulator, sweep, db):
    """Buttons on the queue replace the queue; a button under a notice keeps the notice
    (the record of what arrived) and opens a new message. Telegram sends the pressed
    message's keyboard with the press, which is how the bot tells them apart."""
    bu, _bu2, _admin, _warga = await claimed_case(app, person, sweep, "id")
    queue = await bu.say("/kasus")
    [page] = queue.messages
    opened = await bu.press("cs:v:1", page.message_id)
    assert [(m.message_id, m.edited) for m in opened.messages] == [(page.message_id, True)]
    [notice] = [m for m in emulator.bot_messages(BU) if "cs:claim:1" in str(m.buttons)]
    before = notice.text
    from_notice = await bu.press("cs:v:1", notice.message_id)
    assert [m.edited for m in from_notice.messages] == [False]
    assert notice.text == before
