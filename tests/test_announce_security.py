"""Nobody but officers announces; officers stay inside their area; /berhenti and /mulai."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import Announcement, User
from tests.announcing import announce, body, officer, villager
from tests.people import row_of, telegram_person
from tests.transcript import label, sees


@pytest.mark.parametrize("locale", ["id", "jv"])
@pytest.mark.parametrize("command", ["/umumkan", "/pengumuman"])
async def test_villagers_cannot_announce(person, db, locale, command):
    warga = await villager(person, 801, locale=locale)
    reply = await warga.say(command)
    sees(reply, locale, "Only officers can send announcements.")
    assert (await db.scalars(select(Announcement))).all() == []


@pytest.mark.parametrize(
    "data",
    [
        "an:new",
        "an:send",
        "an:now",
        "an:t:jogosimo",
        "an:pick:villages",
        "an:e:text",
        "an:adone",
        "anl:halt:1",
        "anl:rep:1",
        "anl:list:0",
    ],
)
async def test_forged_announcement_buttons(app, person, db, data):
    warga = await villager(person, 802)
    bu = await officer(app, person, 880, "jogosimo")
    await announce(bu, "Milik petugas")
    await bu.tap(label("id", "button", "Send"))
    reply = await warga.press(data)
    assert "Milik petugas" not in reply.text
    items = (await db.scalars(select(Announcement))).all()
    assert [(a.id, a.status) for a in items] == [(1, "scheduled")]
    assert (await row_of(db, User, 802)).dialog is None


async def test_officer_cannot_toggle_a_village_outside_the_area(app, person, db):
    bu = await officer(app, person, 881, "jogosimo")
    await bu.say("/umumkan")
    await bu.say("Halo")
    await bu.tap(label("id", "button", "No photo"))
    reply = await bu.tap(label("id", "button", "Continue ▸"))
    # A single-village officer has no village choice at all.
    assert label("id", "button", "Choose villages") not in reply.buttons
    await bu.tap(label("id", "button", "Choose who"))
    reply = await bu.press("an:t:candirenggo")
    sees(reply, "id", "That button is no longer valid. Here is where we are:")
    stored = await row_of(db, User, 881)
    assert "candirenggo" not in str(stored.dialog_data)


async def test_kabupaten_officer_reaches_only_their_villages(app, person, emulator, sweep):
    await villager(person, 803, village="candirenggo")
    # Someone whose village is not in the data file can only be reached by an admin.
    other = person(804)
    await other.say("/start")
    await other.tap("✓ Bahasa Indonesia")
    await other.tap(label("id", "role", "Family of a migrant worker"))
    await other.tap(label("id", "button", "Another village…"))
    await other.say("Desa Lain, Kec. Lain")
    await other.tap(label("id", "button", "I agree"))
    bu = await officer(app, person, 882, "kebumen")
    await announce(bu, "Untuk Kebumen")
    await bu.tap(label("id", "button", "Send"))
    admin = person(900)
    await admin.say("/start")
    await admin.tap("✓ Bahasa Indonesia")
    await admin.tap(label("id", "role", "Family of a migrant worker"))
    await admin.tap("Jogosimo (Klirong)")
    await admin.tap(label("id", "button", "I agree"))
    await announce(admin, "Untuk semua")
    await admin.tap(label("id", "button", "Send"))
    await sweep()
    texts_803 = [body(m.text) for m in emulator.bot_messages(803)]
    texts_804 = [body(m.text) for m in emulator.bot_messages(804)]
    assert "Untuk Kebumen" in texts_803
    assert "Untuk Kebumen" not in texts_804
    assert "Untuk semua" in texts_803
    assert "Untuk semua" in texts_804


async def test_officer_cannot_stop_another_officers_announcement(app, person, db):
    first = await officer(app, person, 883, "jogosimo")
    await villager(person, 805)
    await announce(first, "Punya saya", when="05-12-2026 08:00")
    await first.tap(label("id", "button", "Send"))
    second = await officer(app, person, 884, "jogosimo")
    reply = await second.say("/pengumuman")
    sees(reply, "id", "No announcements yet. Send one with /umumkan.")
    reply = await second.press("anl:halt:1")
    sees(reply, "id", "That button is no longer valid. Here is where we are:")
    assert (await db.get(Announcement, 1)).status == "scheduled"


async def test_demoted_officer_cannot_send_the_draft(app, person, db):
    from bot.context import services_of
    from bot.services import officers

    await villager(person, 806)
    bu = await officer(app, person, 885, "jogosimo")
    await announce(bu, "Sebelum dicabut")
    services = services_of(app)
    async with services.sessions() as session, session.begin():
        await officers.revoke(
            session,
            await services.routing(session),
            await telegram_person(session, 885),
            now=services.clock.now(),
        )
    reply = await bu.tap(label("id", "button", "Send"))
    sees(reply, "id", "Only officers can send announcements.")
    assert (await db.scalars(select(Announcement))).all() == []


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_stop_and_resume_announcements(app, person, emulator, sweep, db, locale):
    warga = await villager(person, 807, locale=locale)
    reply = await warga.say("/berhenti")
    sees(
        reply,
        locale,
        "You will no longer receive announcements. Send /mulai to receive them again.",
    )
    assert (await row_of(db, User, 807)).announcements_off is True
    bu = await officer(app, person, 886, "jogosimo")
    await villager(person, 808)
    await announce(bu, "Pertama")
    await bu.tap(label("id", "button", "Send"))
    await sweep()
    assert "Pertama" not in [body(m.text) for m in emulator.bot_messages(807)]
    reply = await warga.say("/mulai")
    sees(reply, locale, "You will receive announcements again. Send /berhenti to stop them.")
    await announce(bu, "Kedua")
    await bu.tap(label("id", "button", "Send"))
    await sweep()
    assert body(emulator.bot_messages(807)[-1].text) == "Kedua"


async def test_stop_needs_registration(person):
    p = person(809)
    await p.say("/start")
    reply = await p.say("/berhenti")
    sees(reply, "id", "Announcements only go to registered people who agreed to data processing.")


async def _to_step(p, step: str) -> str:
    """Walk the officer dialog to ``step``; returns the question asked there."""
    await p.say("/umumkan")
    if step == "text":
        return "<b>New announcement</b>"
    await p.say("Halo warga")
    if step == "photo":
        return "Add a photo? Send it now, or continue without one."
    await p.tap(label("id", "button", "No photo"))
    if step == "versions":
        return "Add the announcement in other languages?"
    await p.tap(label("id", "button", "Continue ▸"))
    if step == "audience":
        return "<b>Who receives it?</b>"
    await p.tap(label("id", "button", "Continue ▸"))
    if step == "when":
        return "When should it go out?"
    await p.tap(label("id", "button", "Choose a date and time"))
    if step == "when_typed":
        return "Type the date and time like this"
    await p.say("05-12-2026 08:00")
    return "<b>Preview above.</b>"


@pytest.mark.parametrize(
    "step", ["text", "photo", "versions", "audience", "when", "when_typed", "preview"]
)
@pytest.mark.parametrize("kind", ["sticker", "voice", "location", "contact", "document"])
async def test_bad_input_in_the_announcement_dialog(app, person, db, step, kind):
    await villager(person, 810)
    bu = await officer(app, person, 887, "jogosimo")
    question = await _to_step(bu, step)
    before = (await row_of(db, User, 887)).step
    reply = await bu.send(kind)
    hint = (
        "Please send text, or a photo with a caption."
        if step == "text"
        else "That is not a photo."
        if step == "photo"
        else "I can only read text messages and button taps here."
    )
    sees(reply, "id", hint)
    sees(reply, "id", question)
    db.expire_all()
    assert (await row_of(db, User, 887)).step == before
    assert (await db.scalars(select(Announcement))).all() == []
