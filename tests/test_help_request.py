"""The requester's side of help requests: ``/tolong`` in id and jv, urgent contacts,
review and edit, ``/status``, adding information, bad input, restarts, erasure."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import build_application
from bot.simulator import Person
from storage.models import Delivery, HelpEvent, HelpMessage, HelpRequest, User
from tests.announcing import officer, villager
from tests.helping import FAMILY, HELP, ask_for_help, cases_of, category_label
from tests.people import person as person_id
from tests.people import row_of
from tests.transcript import full_message, label, sees, tr

LOCALES = ("id", "jv")


def police_line(locale: str) -> str:
    """The first emergency contact's line, exactly: the police and their number."""
    police = HELP.contacts[0]
    assert police.number == "110"
    return f"• {tr(locale, police.name)} · {tr(locale, 'call {number}', number='110')}"


@pytest.mark.parametrize("locale", LOCALES)
async def test_family_request_transcript(person, db, locale):
    p = await villager(person, 701, locale=locale)
    reply = await p.say("/tolong")
    sees(reply, locale, "<b>🆘 Ask for help</b>\nWhat happened?")
    assert category_label(locale, "unpaid") in reply.buttons
    reply = await p.tap(category_label(locale, "lost_contact"))
    sees(reply, locale, "Who needs help?")
    reply = await p.tap(label(locale, "button", "A family member"))
    sees(reply, locale, "What is the name of your family member who needs help?")
    reply = await p.say("Siti Aminah")
    sees(reply, locale, "{name} is my …", name="Siti Aminah")
    reply = await p.tap(label(locale, "relationship", "daughter or son"))
    sees(reply, locale, "In which country are they now?")
    reply = await p.say("Malaysia")
    sees(reply, locale, "In which city or area?")
    reply = await p.tap(label(locale, "button", "Skip ⏭"))
    sees(
        reply,
        locale,
        "The name of the employer or the licensed placement agency (P3MI), if you know it:",
    )
    await p.say("PT Maju Jaya")
    reply = await p.say("3 minggu lalu, WhatsApp")
    sees(reply, locale, "Their phone or WhatsApp number, if you have it.")
    reply = await p.say("0812 3456 7890")
    sees(reply, locale, "Tell us in your own words what happened")
    reply = await p.say("Sudah tiga minggu tidak ada kabar.")
    sees(reply, locale, "Received. You can send more")
    reply = await p.tap(label(locale, "button", "Continue ▶️"))
    sees(reply, locale, "<b>Please check your request</b>")
    assert "Siti Aminah" in reply.text
    assert "0812 3456 7890" in reply.text
    assert "Sudah tiga minggu tidak ada kabar." in reply.text
    assert await cases_of(db, await person_id(db, 701)) == []  # nothing is sent before Send
    reply = await p.tap(label(locale, "button", "✅ Send to the officers"))
    sees(reply, locale, "✅ <b>Your request is saved.</b>")
    sees(reply, locale, "Reference number: <b>{reference}</b>", reference="DM-2026-000001")
    sees(reply, locale, "• /status shows your requests")
    [case] = await cases_of(db, await person_id(db, 701))
    assert (case.category, case.for_whom, case.urgent, case.status) == (
        "lost_contact",
        "family",
        False,
        "new",
    )
    assert case.village_id == "jogosimo"
    assert case.subject == {
        "name": "Siti Aminah",
        "relationship": "child",
        "country": "Malaysia",
        "employer": "PT Maju Jaya",
        "last_contact": "3 minggu lalu, WhatsApp",
        "contact": "0812 3456 7890",
    }
    assert case.reference == "DM-2026-000001"
    stored = await row_of(db, User, 701)
    assert stored.dialog is None


@pytest.mark.parametrize("locale", LOCALES)
async def test_urgent_request_shows_the_emergency_contacts_first(person, db, locale):
    p = await villager(person, 702, locale=locale, role="abroad")
    await p.say("/tolong")
    reply = await p.tap(category_label(locale, "violence"))
    sees(reply, locale, "<b>🚨 If someone is in danger now, call for help first:</b>")
    for number in ("110", "0800-1000", "+62 21 2924 4800", "129", "08111-129-129"):
        assert number in reply.text
    assert "https://peduliwni.kemlu.go.id" in reply.text
    # Only numbers marked verified in the content facts; this one is [S].
    assert "0811-8080-141" not in reply.text
    reply = await p.tap(label(locale, "button", "Continue the request ▶️"))
    sees(reply, locale, "Who needs help?")
    await p.tap(label(locale, "button", "Me"))
    reply = await p.tap(label(locale, "button", "Malaysia"))
    sees(reply, locale, "In which city or area?")
    await p.tap(label(locale, "button", "Skip ⏭"))
    await p.tap(label(locale, "button", "Skip ⏭"))
    await p.say("Majikan memukul saya.")
    await p.tap(label(locale, "button", "Continue ▶️"))
    reply = await p.tap(label(locale, "button", "✅ Send to the officers"))
    sees(reply, locale, "• If someone is in danger, do not wait: call the police on 110.")
    [case] = await cases_of(db, await person_id(db, 702))
    assert case.urgent
    assert case.category == "violence"
    assert case.subject == {"country": "Malaysia"}


async def test_danger_now_button_marks_any_category_urgent(person, db):
    p = await villager(person, 703)
    await p.say("/tolong")
    reply = await p.tap(label("id", "button", "🚨 Someone is in danger now"))
    assert police_line("id") in reply.text.splitlines()
    reply = await p.tap(label("id", "button", "Continue the request ▶️"))
    sees(reply, "id", "<b>🆘 Ask for help</b>\nWhat happened?")
    # said already: no way back round the contacts
    assert label("id", "button", "🚨 Someone is in danger now") not in reply.buttons
    await p.tap(category_label("id", "wants_home"))
    # the contacts were shown already: straight on
    await p.tap(label("id", "button", "Me"))
    await p.say("Arab Saudi")
    await p.tap(label("id", "button", "Skip ⏭"))
    await p.tap(label("id", "button", "Skip ⏭"))
    await p.say("Saya dikunci di rumah majikan.")
    await p.tap(label("id", "button", "Continue ▶️"))
    await p.tap(label("id", "button", "✅ Send to the officers"))
    [case] = await cases_of(db, await person_id(db, 703))
    assert case.category == "wants_home"
    assert case.urgent


async def test_without_consent_only_the_contacts(person, db):
    p = await villager(person, 704, consent=False)
    reply = await p.say("/tolong")
    sees(reply, "id", "To send a request to the officers you need to agree")
    assert "0800-1000" in reply.text
    assert await cases_of(db, await person_id(db, 704)) == []
    await p.tap(label("id", "button", "« Menu"))
    reply = await p.tap(label("id", "menu", "🚨 Emergency contacts"))
    assert police_line("id") in reply.text.splitlines()


async def test_typed_details_are_checked(person):
    p = await villager(person, 705)
    await p.say("/tolong")
    await p.tap(category_label("id", "unpaid"))
    await p.tap(label("id", "button", "A family member"))
    reply = await p.say("x" * 201)
    sees(reply, "id", "That is too long for this question")
    await p.say("Siti")
    reply = await p.say("anak")  # relationship wants a button
    sees(reply, "id", "Please choose one of the buttons.")
    await p.tap(label("id", "relationship", "other relative"))
    await p.say("Taiwan")
    for _ in range(3):
        await p.tap(label("id", "button", "Skip ⏭"))
    reply = await p.say("tidak tahu")
    sees(reply, "id", "That does not look like a phone number.")
    reply = await p.say("+886 912 345 678")
    sees(reply, "id", "Tell us in your own words what happened")


async def test_description_is_kept_whole_with_photos_and_voice(person, db):
    p = await villager(person, 706)
    await ask_for_help(p, description="Bagian pertama.", send=False)
    # the review is showing; go back and add more
    await p.tap(label("id", "button", "✏️ Edit"))
    await p.tap(label("id", "button", "The description (rewrite it)"))
    first, second = "Gaji tidak dibayar. " * 150, "Majikan marah. " * 40  # 3,000 + 600 (≤ 4,000)
    long_text = first.strip() + "\n\n" + second.strip()
    await p.say(first.strip())
    await p.say(second.strip())
    reply = await p.send("photo")
    sees(reply, "id", "Received. You can send more")
    await p.send("voice")
    reply = await p.send("sticker")
    sees(reply, "id", "Here I can take text, a photo of a document or a voice note.")
    reply = await p.tap(label("id", "button", "Continue ▶️"))
    sees(reply, "id", "({count} characters in all: everything is sent)", count=len(long_text))
    await p.tap(label("id", "button", "✅ Send to the officers"))
    [case] = await cases_of(db, await person_id(db, 706))
    assert case.description == long_text
    assert [a["kind"] for a in case.attachments] == ["photo", "voice"]


async def test_edit_category_and_details_before_sending(person, db):
    p = await villager(person, 707)
    await ask_for_help(p, send=False)
    await p.tap(label("id", "button", "✏️ Edit"))
    reply = await p.tap(label("id", "button", "What happened (category)"))
    sees(reply, "id", "<b>🆘 Ask for help</b>\nWhat happened?")
    reply = await p.tap(category_label("id", "documents_held"))
    sees(reply, "id", "<b>🚨 If someone is in danger now, call for help first:</b>")
    reply = await p.tap(label("id", "button", "Continue the request ▶️"))
    sees(reply, "id", "<b>Please check your request</b>")
    assert category_label("id", "documents_held") in reply.text
    await p.tap(label("id", "button", "✏️ Edit"))
    await p.tap(label("id", "button", "Who needs help (details)"))
    await p.tap(label("id", "button", "Me"))
    await p.say("Hong Kong")
    await p.say("Kowloon")
    reply = await p.tap(label("id", "button", "Skip ⏭"))
    sees(reply, "id", "<b>Please check your request</b>")
    assert "Kowloon" in reply.text
    assert "Siti Aminah" not in reply.text
    await p.tap(label("id", "button", "✅ Send to the officers"))
    [case] = await cases_of(db, await person_id(db, 707))
    assert case.category == "documents_held"
    assert case.for_whom == "self"
    assert case.subject == {"country": "Hong Kong", "city": "Kowloon"}


async def test_cancel_sends_nothing(person, db):
    p = await villager(person, 708)
    await ask_for_help(p, send=False)
    await p.tap(label("id", "button", "✖️ Cancel the request"))  # asked: something is written
    reply = await p.tap(label("id", "button", "🗑 Discard"))
    sees(reply, "id", "The request was cancelled; nothing was sent.")
    assert await cases_of(db, await person_id(db, 708)) == []
    # the old Send button no longer works
    reply = await p.press("hr:send")
    assert await cases_of(db, await person_id(db, 708)) == []


async def test_send_twice_makes_one_case(person, db):
    p = await villager(person, 709)
    await ask_for_help(p)
    await p.press("hr:send")
    assert len(await cases_of(db, await person_id(db, 709))) == 1


async def test_the_case_is_stored_even_when_the_reply_fails(person, db, emulator, sweep):
    """Stored before any reply: a failing answer to Send loses nothing, and the
    confirmation comes through the delivery engine instead."""
    p = await villager(person, 710)
    await ask_for_help(p, send=False)
    # Telegram fails the answer and every retry (and the new message tried instead).
    emulator.inject("server_error", chat_id=710, methods={"editMessageText"}, count=4)
    await p.tap(label("id", "button", "✅ Send to the officers"))
    [case] = await cases_of(db, await person_id(db, 710))
    assert case.status == "new"
    db.expire_all()
    notices = await db.scalar(
        select(func.count()).select_from(Delivery).where(Delivery.kind == "case_notice")
    )
    deadlines = await db.scalar(
        select(func.count()).select_from(Delivery).where(Delivery.kind == "case_deadline")
    )
    # No officer yet: the admin (900, not onboarded) and the requester's confirmation.
    assert (notices, deadlines) == (2, 1)
    await sweep()
    last = emulator.bot_messages(710)[-1]
    assert "DM-2026-000001" in last.text
    assert tr("id", full_message("Sorry, something went wrong on our side")) not in last.text


@pytest.mark.parametrize("locale", LOCALES)
async def test_status_and_adding_information(app, person, db, sweep, emulator, locale):
    await officer(app, person, 500, "jogosimo", locale=locale)
    p = await villager(person, 711, locale=locale)
    await ask_for_help(p, locale=locale)
    reply = await p.say("/status")
    sees(reply, locale, "<b>📨 Your requests</b>")
    assert "DM-2026-000001" in reply.text
    sees(reply, locale, "📨 Received: waiting for an officer")
    reply = await p.tap("DM-2026-000001")
    reply = await p.tap(label(locale, "button", "➕ Add information"))
    sees(reply, locale, "Write what you want to add to {reference}", reference="DM-2026-000001")
    reply = await p.say("Nomor majikan baru: +60 12 345 6789")
    sees(
        reply, locale, "✅ Added to {reference}. The officer is told.", reference="DM-2026-000001"
    )
    await p.send("photo")
    await sweep()
    [case] = await cases_of(db, await person_id(db, 711))
    messages = (
        await db.scalars(select(HelpMessage).where(HelpMessage.request_id == case.id))
    ).all()
    assert [(m.author, m.file_kind) for m in messages] == [
        ("requester", None),
        ("requester", "photo"),
    ]
    officer_chat = [m.text for m in emulator.bot_messages(500)]
    assert any("+60 12 345 6789" in text for text in officer_chat)
    assert [m.media for m in emulator.bot_messages(500)].count("photo") == 1


async def test_a_requester_sees_only_their_own_requests(person, db):
    owner = await villager(person, 712)
    await ask_for_help(owner)
    [case] = await cases_of(db, await person_id(db, 712))
    other = await villager(person, 713)
    for data in (f"hr:v:{case.id}", f"hr:add:{case.id}", f"hr:ok:{case.id}", f"hr:re:{case.id}"):
        reply = await other.press(data)
        assert reply.toast == tr("id", "This button has expired."), data
        assert "Siti Aminah" not in reply.text
    reply = await other.say("/status")
    assert "DM-2026-000001" not in reply.text
    db.expire_all()
    events = await db.scalar(select(func.count()).select_from(HelpEvent))
    assert events == 1  # only "created"


BAD_INPUT = ("sticker", "location", "video")


@pytest.mark.parametrize("kind", BAD_INPUT)
async def test_bad_input_at_every_step_keeps_the_answers(person, db, kind):
    p = await villager(person, 714)
    await p.say("/tolong")
    for act in (
        lambda: p.tap(category_label("id", "unpaid")),
        lambda: p.tap(label("id", "button", "A family member")),
        lambda: p.say(FAMILY["name"]),
        lambda: p.tap(label("id", "relationship", "wife or husband")),
        lambda: p.say("Malaysia"),
        lambda: p.tap(label("id", "button", "Skip ⏭")),
        lambda: p.tap(label("id", "button", "Skip ⏭")),
        lambda: p.tap(label("id", "button", "Skip ⏭")),
        lambda: p.tap(label("id", "button", "Skip ⏭")),
        lambda: p.say("Gaji belum dibayar."),
        lambda: p.tap(label("id", "button", "Continue ▶️")),
    ):
        before = dict((await _user(db, 714)).dialog_data or {})
        reply = await p.send(kind)
        assert reply.text, "bad input must get an answer"
        assert (await _user(db, 714)).dialog_data == before
        reply = await p.say("/xyz")
        sees(reply, "id", "I do not know the command {command}.", command="/xyz")
        await act()
    await p.tap(label("id", "button", "✅ Send to the officers"))
    [case] = await cases_of(db, await person_id(db, 714))
    assert case.subject == {"name": "Siti Aminah", "relationship": "spouse", "country": "Malaysia"}


async def _user(db, telegram_id: int) -> User:
    db.expire_all()
    user = await row_of(db, User, telegram_id)
    assert user is not None
    return user


STEPS = 12


@pytest.mark.parametrize("stop_after", range(1, STEPS))
async def test_restart_between_any_two_steps_loses_nothing(
    settings, emulator, clock, db, stop_after
):
    async def fresh():
        application = build_application(settings, request=emulator, clock=clock)
        await application.initialize()
        return application

    steps = [
        lambda p: p.say("/tolong"),
        lambda p: p.tap(category_label("jv", "trafficking")),
        lambda p: p.tap(label("jv", "button", "Continue the request ▶️")),
        lambda p: p.tap(label("jv", "button", "A family member")),
        lambda p: p.say("Budi"),
        lambda p: p.tap(label("jv", "relationship", "sister or brother")),
        lambda p: p.say("Kamboja"),
        lambda p: p.say("Phnom Penh"),
        lambda p: p.tap(label("jv", "button", "Skip ⏭")),
        lambda p: p.say("2 minggu"),
        lambda p: p.tap(label("jv", "button", "Skip ⏭")),
        lambda p: p.say("Paspor ditahan, dipaksa kerja online."),
        lambda p: p.tap(label("jv", "button", "Continue ▶️")),
        lambda p: p.tap(label("jv", "button", "✅ Send to the officers")),
    ]
    app = await fresh()
    p = await villager(lambda *a, **k: Person(app, emulator, *a, **k), 715, locale="jv")
    for act in steps[:stop_after]:
        await act(p)
    await app.shutdown()
    app = await fresh()
    p = Person(app, emulator, 715, language_code="jv")
    for act in steps[stop_after:]:
        await act(p)
    await app.shutdown()
    [case] = await cases_of(db, await person_id(db, 715))
    assert case.urgent
    assert case.category == "trafficking"
    assert case.subject == {
        "name": "Budi",
        "relationship": "sibling",
        "country": "Kamboja",
        "city": "Phnom Penh",
        "last_contact": "2 minggu",
    }
    assert case.description == "Paspor ditahan, dipaksa kerja online."


async def test_erasure_keeps_an_anonymous_case(app, person, db, sweep):
    officer_p = await officer(app, person, 500, "jogosimo", locale="en")
    p = await villager(person, 716)
    await ask_for_help(p)
    await sweep()
    await officer_p.tap("Claim")
    await officer_p.tap("Write to the requester")
    await officer_p.say("Kami sedang menghubungi agensi.")
    await sweep()
    reply = await p.say("/dataku")
    assert "DM-2026-000001" in reply.text
    requester = await person_id(db, 716)
    await p.say("/hapusdata")
    await p.tap(label("id", "button", "Yes, erase everything"))
    db.expire_all()
    case = await db.scalar(select(HelpRequest))
    assert case.requester_id is None
    assert (case.subject, case.description, case.attachments) == (None, None, None)
    assert (case.category, case.village_id, case.status) == (
        "lost_contact",
        "jogosimo",
        "in_progress",
    )
    assert await db.scalar(select(func.count()).select_from(HelpMessage)) == 0
    actors = set((await db.scalars(select(HelpEvent.actor_id))).all())
    assert requester not in actors
    # the officer's page no longer shows anything personal
    reply = await officer_p.press(f"cs:v:{case.id}")
    assert "Siti" not in reply.text
    assert "0812" not in reply.text


async def test_help_from_a_risky_job_check(person):
    p = await villager(person, 717, role="prospective")
    from tests.test_job_check import answers_for

    answers = answers_for("stop")
    await p.say("/cekkerja")
    from bot.content.job_offer import load_job_offer

    for question in load_job_offer().questions:
        option = next(o for o in question.options if o.id == answers[question.id])
        reply = await p.tap(tr("id", option.text))
    reply = await p.tap(label("id", "button", "🆘 Ask the officers for help"))
    sees(reply, "id", "<b>🆘 Ask for help</b>\nWhat happened?")


# The hotline table of ../shared/reference/content-facts.md §3, copied into the repository:
# CI runs on a clean clone (.ci/run in /tmp/ci) where ../shared is not there.
FACTS = Path(__file__).resolve().parent / "facts" / "hotline_facts.md"


def status_of(number: str, facts: str) -> str:
    """The Status column of the one hotline row whose Contact column lists ``number``."""
    rows = [
        cells
        for line in facts.splitlines()
        if line.startswith("| ")
        and number in (cells := [c.strip() for c in line.strip("|").split("|")])[1]
    ]
    assert len(rows) == 1, f"{number} is in {len(rows)} rows of {FACTS.name}"
    return rows[0][2]


def test_content_lists_only_verified_contacts():
    """Every number the bot gives is marked [V] in the reference's hotline table.

    The table is a copy kept in tests/facts/hotline_facts.md (its header says where it comes
    from), not ../shared/reference itself, which a clean clone does not have: a test that
    skipped there would never run in CI. If the copy is missing the test fails, it never skips.
    """
    assert FACTS.is_file(), (
        f"{FACTS} is missing: copy section 3 (Hotlines) of shared/reference/content-facts.md "
        "into it, as its header describes"
    )
    facts = FACTS.read_text(encoding="utf-8")
    numbers = [
        number
        for contact in HELP.contacts
        for number in (contact.number, contact.abroad, contact.whatsapp)
        if number
    ]
    assert sorted(numbers) == ["+62 21 2924 4800", "0800-1000", "08111-129-129", "110", "129"]
    for number in numbers:
        assert status_of(number, facts).startswith("**[V]**"), f"{number} is not verified"
    for contact in HELP.contacts:
        assert "[V]" in contact.source, contact.source
    # The check can fail: the one-source WhatsApp number is not verified.
    assert status_of("0811-8080-141", facts).startswith("**[S]**")


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_reply_typed_without_the_button_reaches_the_case(
    app, person, db, sweep, emulator, locale
):
    """Villagers answer an officer by just typing: nothing they send may be lost."""
    await officer(app, person, 500, "jogosimo", locale="en")
    p = await villager(person, 718, locale=locale)
    await ask_for_help(p, locale=locale)
    reply = await p.say("Nomor paspornya C1234567.")
    sees(
        reply, locale, "✅ Added to {reference}. The officer is told.", reference="DM-2026-000001"
    )
    reply = await p.send("photo")
    sees(
        reply, locale, "✅ Added to {reference}. The officer is told.", reference="DM-2026-000001"
    )
    await sweep()
    [case] = await cases_of(db, await person_id(db, 718))
    messages = (
        await db.scalars(select(HelpMessage).where(HelpMessage.request_id == case.id))
    ).all()
    assert [(m.text, m.file_kind) for m in messages] == [
        ("Nomor paspornya C1234567.", None),
        (None, "photo"),
    ]
    assert any("C1234567" in m.text for m in emulator.bot_messages(500))


async def test_with_several_open_requests_the_person_chooses(person, db):
    p = await villager(person, 719)
    await ask_for_help(p)
    await ask_for_help(p, category="unpaid", description="Gaji belum dibayar.")
    reply = await p.say("Majikannya sudah menjawab.")
    sees(reply, "id", "Which of your requests is this message about?")
    assert reply.buttons[:2] == [
        f"DM-2026-000002 · {category_label('id', 'unpaid')}",
        f"DM-2026-000001 · {category_label('id', 'lost_contact')}",
    ]
    await p.say("Dia baik-baik saja.")  # more text while choosing is kept with it
    reply = await p.tap(f"DM-2026-000001 · {category_label('id', 'lost_contact')}")
    sees(reply, "id", "✅ Added to {reference}. The officer is told.", reference="DM-2026-000001")
    first, _second = await cases_of(db, await person_id(db, 719))
    texts = (
        await db.scalars(select(HelpMessage.text).where(HelpMessage.request_id == first.id))
    ).all()
    assert texts == ["Majikannya sudah menjawab.\n\nDia baik-baik saja."]
    reply = await p.say("halo")
    reply = await p.tap(label("id", "button", "✖️ It is not for the officers"))
    sees(reply, "id", "All right: it was not sent.")
    count = await db.scalar(select(func.count()).select_from(HelpMessage))
    assert count == 1


async def test_a_request_nobody_can_receive_is_logged_loudly(settings, emulator, clock, caplog):
    """No officer for the village and no admin: the case is kept and the log says so."""
    lonely = build_application(
        settings.model_copy(update={"admin_ids": frozenset()}), request=emulator, clock=clock
    )
    async with lonely:
        p = await villager(lambda *a, **k: Person(lonely, emulator, *a, **k), 720)
        reply = await ask_for_help(p)
    # Told honestly that nobody knows yet (tests/test_unrouted.py has the rest).
    sees(reply, "id", "⚠️ <b>No officer can be reached right now.</b>")
    assert "help request 1 (new) reached nobody" in caplog.text
