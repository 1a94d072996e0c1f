"""Hostile text through the free-text fields (issue 14): HTML-like text (``<3 & <b>``,
unbalanced and lone tags), emoji with joiners and flags, right-to-left marks and Javanese
with diacritics reach the other side exactly as typed, escaped, never breaking the HTML
(the emulator refuses broken HTML as Telegram does), and never an error reply; 4,000
characters get the stated limit. Checked on both sides: the requester's words where the
officer reads them, the officer's where the requester reads them, an announcement where
its recipients read it."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from telegram import Update

from bot.case_text import cut
from bot.telegram_html import telegram_length
from storage.models import HelpMessage
from tests.announcing import announce, body, officer, villager
from tests.helping import ask_for_help, cases_of, category_label
from tests.people import person as person_id
from tests.people import row_of
from tests.test_checklist import SCHEME
from tests.transcript import first_line, label, tr

REQUESTER, BU, KAB, NEIGHBOUR = 801, 880, 883, 802
PAYLOADS = {
    "lt-amp-b": "<3 & <b>",
    "unbalanced-tag": "<i>bold",
    "lone-close-tag": "</b> alone",
    "emoji-zwj-flags": "👨‍👩‍👧 🇮🇩 🇲🇾 🙏🏽 ❤️",
    "rtl-marks": "\u202eabc\u200f def",
    "javanese": "Kulå nyuwun pitulungan, anak kulå ical",
}
each_payload = pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
ERROR = "Sorry, something went wrong on our side"


def locale_for(payload: str) -> str:
    return "jv" if payload == PAYLOADS["javanese"] else "id"


def lines(text: str | None) -> list[str]:
    return (text or "").splitlines()


def has_lines(text: str | None, block: str) -> bool:
    """``block``'s lines appear, whole and in a row, among the lines of ``text``."""
    want, got = block.splitlines(), lines(text)
    return any(got[i : i + len(want)] == want for i in range(len(got)))


def assert_clean(emulator) -> None:
    """No Bot API call was refused for its text (broken HTML, too long, empty), and no
    chat got the error reply."""
    refused = [
        (c.method, c.outcome)
        for c in emulator.calls
        # (re-opening the page already shown is "not modified": the test's own tap)
        if c.outcome.startswith("Bad") and "not modified" not in c.outcome
    ]
    assert refused == []
    for chat in emulator.chats:
        for message in emulator.bot_messages(chat):
            for locale in ("id", "jv", "en"):
                assert tr(locale, ERROR).split(",")[0] not in message.text


def received(emulator, chat_id: int, since: int) -> list[str]:
    return [m.text for m in emulator.bot_messages(chat_id) if m.message_id > since]


def last_id(emulator, chat_id: int) -> int:
    return max((m.message_id for m in emulator.bot_messages(chat_id)), default=0)


# --- the help request's typed answers ---------------------------------------------------


def field_values(payload: str) -> dict[str, str]:
    """A distinct value per field, each carrying the payload."""
    return {
        "name": payload,
        "city": f"{payload} kota",
        "employer": f"{payload} PT",
        "last_contact": f"{payload} kabar",
        "contact": f"{payload} 0812 3456 7890",  # still 7 to 15 digits: a valid number
    }


@each_payload
async def test_help_request_answers_arrive_exactly_on_both_sides(
    app, person, db, emulator, sweep, payload
):
    locale = locale_for(payload)
    await officer(app, person, BU, "jogosimo")
    p = await villager(person, REQUESTER, locale=locale)
    values = field_values(payload)
    description = f"{payload} cerita"
    review = await ask_for_help(
        p, locale=locale, details=values, description=description, send=False
    )
    subject = {  # label key → the label's text, in the requester's and the officer's language
        "name": "Name",
        "city": "City or area",
        "employer": "Employer or agency",
        "last_contact": "Last contact",
        "contact": "Phone or WhatsApp",
    }
    shown = lines(review.text)
    for field, value in values.items():
        assert f"{tr(locale, subject[field])}: {value}" in shown, (field, review.text)
    assert tr(locale, "What happened: {text}", text=description) in shown
    # Typed at the review: added to the description, shown back exactly.
    addition = f"{payload} tambahan"
    review = await p.say(addition)
    description = f"{description}\n\n{addition}"
    assert has_lines(review.text, tr(locale, "What happened: {text}", text=description))
    reply = await p.tap(label(locale, "button", "✅ Send to the officers"))
    [case] = await cases_of(db, await person_id(db, REQUESTER))
    assert case.subject["name"] == payload
    assert case.subject["contact"] == values["contact"]
    assert case.description == description
    assert case.reference in reply.text

    since = last_id(emulator, BU)
    await sweep()
    [notice] = received(emulator, BU, since)
    assert tr("id", "For: a family member ({name})", name=payload) in lines(notice)
    assert has_lines(notice, tr("id", "Summary: {text}", text=description))
    page = await officer_view(person, case.id)
    shown = lines(page.text)
    for field, value in values.items():
        assert f"{tr('id', subject[field])}: {value}" in shown, (field, page.text)
    assert has_lines(page.text, tr("id", "What happened: {text}", text=description))
    assert_clean(emulator)


NOT_A_NUMBER = "That does not look like a phone number. Example: 0812 3456 7890 or +60 12 345 6789"


@pytest.mark.parametrize(
    "typed",
    [
        *PAYLOADS.values(),
        "²²²²²²²²",  # isdigit() is true for these, and for Arabic-Indic digits
        "١٢٣٤٥٦٧٨٩",
        "0812 34",  # 6 digits: one too few
        "0812 3456 7890 1234",  # 16 digits: one too many
    ],
    ids=[*PAYLOADS, "superscripts", "arabic-indic", "6-digits", "16-digits"],
)
async def test_a_contact_that_is_not_a_number_is_asked_again(person, db, emulator, typed):
    """At the contact question, text that is not a phone number gets the example, in the
    person's language, and the question again; nothing is stored, no call is refused."""
    from storage.models import User

    locale = "jv" if typed == PAYLOADS["javanese"] else "id"
    p = await villager(person, REQUESTER, locale=locale)
    await p.say("/tolong")
    await p.tap(category_label(locale, "lost_contact"))
    await p.tap(label(locale, "button", "A family member"))
    await p.say("Siti Aminah")
    await p.tap(label(locale, "relationship", "daughter or son"))
    await p.say("Malaysia")
    for value in ("Kuala Lumpur", "PT Maju Jaya", "3 minggu lalu"):
        await p.say(value)
    reply = await p.say(typed)
    assert lines(reply.text)[0] == first_line(locale, NOT_A_NUMBER)
    user = await row_of(db, User, REQUESTER)
    await db.refresh(user)
    assert user.step == "contact"
    assert "contact" not in (user.dialog_data or {}).get("subject", {})
    assert_clean(emulator)
    # Seven ASCII digits (the lower edge) and fifteen (the upper) are numbers.
    for number in ("0812 345 6", "+62 812 3456 78901"):
        await p.say(number)
        await db.refresh(user)
        assert user.step == "description", number
        await p.tap(label(locale, "button", "« Back"))


async def officer_view(person, case_id: int):
    return await person(BU, language_code="id").press(f"cs:v:{case_id}")


# --- what is written about a case, both ways ---------------------------------------------


@each_payload
async def test_case_messages_arrive_exactly_on_both_sides(
    app, person, db, emulator, sweep, payload
):
    locale = locale_for(payload)
    bu = await officer(app, person, BU, "jogosimo")
    await officer(app, person, KAB, "kebumen")
    p = await villager(person, REQUESTER, locale=locale)
    await ask_for_help(p, locale=locale)
    [case] = await cases_of(db, await person_id(db, REQUESTER))
    await sweep()

    # The requester adds a message from /status: the officer reads it exactly.
    await p.say("/status")
    addition = f"{payload} tambahan"
    reply = await p.say(addition)
    assert case.reference in reply.text
    since = last_id(emulator, BU)
    await sweep()
    [notice] = received(emulator, BU, since)
    assert lines(notice)[0] == "💬 Pemohon menulis:"
    assert lines(notice)[-1] == addition

    # The officer writes to the requester: the requester reads it exactly.
    await bu.press(f"cs:v:{case.id}")
    await bu.tap(label("id", "button", "🙋 Claim"))
    await bu.tap(label("id", "button", "✉️ Write to the requester"))
    written = f"{payload} dari petugas"
    reply = await bu.say(written)
    assert lines(reply.text)[0] == tr("id", "✅ Sent to the requester.")
    since = last_id(emulator, REQUESTER)
    await sweep()
    *_claimed, message = received(emulator, REQUESTER, since)  # after "being handled"
    assert lines(message)[-1] == written

    # The requester replies to it: the officer reads the reply exactly.
    await p.tap(label(locale, "button", "↩️ Reply"))
    answer = f"{payload} balasan"
    await p.say(answer)
    since = last_id(emulator, BU)
    await sweep()
    [notice] = received(emulator, BU, since)
    assert answer in lines(notice), notice

    # An internal note, read back in the history.
    await bu.press(f"cs:v:{case.id}")
    await bu.tap(label("id", "button", "📝 Internal note"))
    note = f"{payload} catatan"
    await bu.say(note)
    reply = await bu.tap(label("id", "button", "📜 History"))
    assert any(line.endswith(f"{tr('id', 'Internal note')}: {note}") for line in lines(reply.text))

    # A link reference that names no case: the officer is told, nothing breaks.
    await bu.press(f"cs:v:{case.id}")
    await bu.tap(label("id", "button", "🔗 Link migrant's own request"))
    reply = await bu.say(payload)
    assert lines(reply.text)[0] == tr(
        "id", "No request with that reference number in your area. Example: DM-2026-000123"
    )

    # An escalation reason: the kabupaten officer reads it exactly.
    await bu.press(f"cs:v:{case.id}")
    await bu.tap(label("id", "button", "⬆️ Escalate to the district"))
    reason = f"{payload} alasan"
    await bu.say(reason)
    since = last_id(emulator, KAB)
    await sweep()
    kab_notices = received(emulator, KAB, since)
    assert any(
        tr("id", "Reason: {reason}", reason=reason) in lines(text) for text in kab_notices
    ), kab_notices

    # A typed outcome: the requester reads it exactly.
    await bu.press(f"cs:v:{case.id}")
    await bu.tap(label("id", "button", "✅ Resolved"))
    await bu.tap(label("id", "button", "✏️ Something else: I type it"))
    outcome = f"{payload} hasil"
    await bu.say(outcome)
    since = last_id(emulator, REQUESTER)
    await sweep()
    [status] = received(emulator, REQUESTER, since)
    assert tr(locale, "The officer wrote: {text}", text=outcome) in lines(status)

    case_id, description = case.id, case.description
    db.expire_all()
    stored = (
        await db.scalars(
            select(HelpMessage.text)
            .where(HelpMessage.request_id == case_id)
            .order_by(HelpMessage.id)
        )
    ).all()
    assert [t for t in stored if t != description] == [addition, written, answer, note]
    assert_clean(emulator)


# --- announcements ----------------------------------------------------------------------


@each_payload
async def test_announcement_text_reaches_recipients_exactly(
    app, person, db, emulator, sweep, payload
):
    bu = await officer(app, person, BU, "jogosimo")
    await villager(person, REQUESTER, locale="id")
    await villager(person, NEIGHBOUR, locale="jv")
    text, version = f"{payload} rapat desa", f"{payload} rapat dusun"
    preview = await announce(bu, text, versions={"jv": version})
    assert [body(m.text) for m in preview.messages[:2]] == [text, version]
    await bu.tap(label("id", "button", "Send"))
    await sweep()
    await sweep()
    assert body(emulator.bot_messages(REQUESTER)[-1].text) == text
    assert body(emulator.bot_messages(NEIGHBOUR)[-1].text) == version
    assert_clean(emulator)


# --- 4,000 characters: every field states its limit, or takes it whole -------------------

PRAYING = "🙏🏽"  # two characters, four UTF-16 units
LONG = ("Kulå <b>& 👨‍👩‍👧 " * 300)[:3999] + "!"  # 4,000 characters, no space at the end


async def test_four_thousand_characters_get_the_stated_limits(app, person, db, emulator, sweep):
    assert len(LONG) == 4000
    bu = await officer(app, person, BU, "jogosimo")
    await officer(app, person, KAB, "kebumen")
    p = await villager(person, REQUESTER)
    # A typed answer of the request: at most 200, said so, the question asked again.
    await p.say("/tolong")
    await p.tap(category_label("id", "lost_contact"))
    await p.tap(label("id", "button", "A family member"))
    reply = await p.say(LONG)
    assert lines(reply.text)[0] == tr(
        "id",
        "That is too long for this question ({count} characters; at most {limit}). "
        "You can tell everything in the description later.",
        count=4000,
        limit=200,
    )
    await p.say("/batal")
    # The description is taken whole; the review shows its start and says so.
    review = await ask_for_help(p, description=LONG, send=False)
    assert lines(review.text)[-1] == tr(
        "id", "({count} characters in all: everything is sent)", count=4000
    )
    await p.tap(label("id", "button", "✅ Send to the officers"))
    [case] = await cases_of(db, await person_id(db, REQUESTER))
    assert case.description == LONG
    case_id = case.id
    await sweep()
    # An addition from /status is taken whole; the officer's notice says it goes on.
    await p.say("/status")
    await p.say(LONG)
    since = last_id(emulator, BU)
    await sweep()
    [notice] = received(emulator, BU, since)
    # Cut where Telegram's count (UTF-16 units, an emoji counts twice) reaches 3,500.
    assert lines(notice)[-2:] == [
        cut(LONG, 3500),
        tr("id", "(continues: open the case to read all of it)"),
    ]
    assert telegram_length(cut(LONG, 3500)) in (3499, 3500)
    # The officer's message to the requester: at most 3,800 (it goes under a header).
    await bu.press(f"cs:v:{case_id}")
    await bu.tap(label("id", "button", "🙋 Claim"))
    await bu.tap(label("id", "button", "✉️ Write to the requester"))
    too_long = (
        "That is too long for one message ({count} characters; at most {limit}). "
        "Please send it in two parts."
    )
    reply = await bu.say(LONG)
    assert telegram_length(LONG) == 4750  # each family emoji: five characters, eight units
    assert lines(reply.text)[0] == tr("id", too_long, count=4750, limit=3800)
    # 3,000 characters but 6,000 as Telegram counts them: refused here, not by Telegram.
    reply = await bu.say(PRAYING * 1500)
    assert lines(reply.text)[0] == tr("id", too_long, count=6000, limit=3800)
    await bu.tap(label("id", "button", "✖️ Cancel"))
    shorter = (
        "That is too long ({count} characters; at most {limit}). Please say it shorter: "
        "an internal note can hold the rest."
    )
    # An internal note is kept whole, and the history shows it over several messages.
    await bu.tap(label("id", "button", "📝 Internal note"))
    reply = await bu.say(LONG)
    assert lines(reply.text)[0] == tr("id", "✅ Note saved.")
    db.expire_all()
    notes = await db.scalars(select(HelpMessage.text).where(HelpMessage.author == "note"))
    assert notes.all() == [LONG]
    reply = await bu.tap(label("id", "button", "📜 History"))
    assert len(reply.messages) > 1
    assert all(telegram_length(m.text) <= 4096 for m in reply.messages)
    # An escalation reason: at most 500, said (it was cut at 500 without a word).
    await bu.press(f"cs:v:{case_id}")
    await bu.tap(label("id", "button", "⬆️ Escalate to the district"))
    reply = await bu.say(LONG)
    assert lines(reply.text)[0] == tr("id", shorter, count=4000, limit=500)
    reason = "x" * 500
    reply = await bu.say(reason)
    assert lines(reply.text)[0] == tr("id", "⬆️ Escalated. The district officers are told.")
    since = last_id(emulator, KAB)
    await sweep()
    assert any(
        tr("id", "Reason: {reason}", reason=reason) in lines(text)
        for text in received(emulator, KAB, since)
    )
    await bu.press(f"cs:v:{case_id}")
    # A typed outcome: at most 300.
    await bu.tap(label("id", "button", "✅ Resolved"))
    await bu.tap(label("id", "button", "✏️ Something else: I type it"))
    reply = await bu.say(LONG)
    assert lines(reply.text)[0] == tr("id", shorter, count=4000, limit=300)
    # An announcement: at most 3,946 (room for the sender line and the /berhenti line).
    await bu.say("/batal")
    await bu.say("/umumkan")
    reply = await bu.say(LONG)
    assert lines(reply.text)[0] == tr(
        "id",
        "This text has {count} characters; an announcement can have at most {limit}.",
        count="4.750",
        limit="3.946",
    )
    assert_clean(emulator)


# --- the checklist's typed country and agency, and a typed date ---------------------------


@each_payload
async def test_checklist_typed_answers_arrive_exactly(person, emulator, db, payload):
    locale = locale_for(payload)
    p = await villager(person, REQUESTER, locale=locale, role="prospective")
    await p.say("/persiapan")
    await p.tap(label(locale, "scheme", SCHEME["p3mi"]))
    await p.tap(label(locale, "button", "Another country…"))
    country, agency = f"{payload} negara", f"{payload} agen"
    await p.say(country)
    await p.tap(label(locale, "", "Factory work"))
    reply = await p.say(payload)  # as a date: read as none, asked again
    assert lines(reply.text)[0] == tr(
        locale, "I could not read that date. Please type it like 15-03-2027."
    )
    await p.say("15-03-2027")
    reply = await p.say(agency)
    heading = tr(
        locale,
        "Destination: {country} · Work: {sector} · Departure: {date}",
        country=country,
        sector=tr(locale, "Factory work"),
        date="§",
    ).split("§")[0]
    assert any(line.startswith(heading) for line in lines(reply.text)), reply.text
    reply = await p.say("/dataku")
    [line] = [line for line in lines(reply.text) if country in line]
    assert f": {country};" in line
    assert line.endswith(f": {agency}")
    # The summary to forward to the family carries both exactly.
    await p.say("/persiapan")
    reply = await p.tap(label(locale, "button", "📤 Share with family"))
    shown = lines(reply.text)
    assert any(line.endswith(country) for line in shown), reply.text
    assert any(line.endswith(agency) for line in shown), reply.text
    assert_clean(emulator)


# --- a typed village name ----------------------------------------------------------------


@each_payload
async def test_typed_village_name_arrives_exactly(person, emulator, db, sweep, payload):
    locale = locale_for(payload)
    admin = await villager(person, 900)  # a village not on the list: the admins' case
    p = await villager(person, REQUESTER, locale=locale)
    await p.say("/profil")
    await p.tap(label(locale, "button", "Change village"))
    await p.tap(label(locale, "button", "Another village…"))
    name = f"{payload} Sidomulyo"  # letters are needed: emoji alone are refused
    reply = await p.say(name)
    assert tr(locale, "Village: {village}", village=name) in lines(reply.text), reply.text
    await ask_for_help(p, locale=locale)
    [case] = await cases_of(db, await person_id(db, REQUESTER))
    await sweep()
    reply = await p.say("/dataku")
    assert any(line.endswith(f": {name}") for line in lines(reply.text)), reply.text
    # The admins' case page names no typed village (only that it is not on the list).
    page = await admin.press(f"cs:v:{case.id}")
    assert lines(page.text)[1] == "Desa: desa yang tidak ada di daftar"
    assert name not in page.text
    assert_clean(emulator)


async def test_village_name_limits_are_stated(person, emulator):
    p = await villager(person, REQUESTER)
    await p.say("/profil")
    await p.tap(label("id", "button", "Change village"))
    await p.tap(label("id", "button", "Another village…"))
    refused = tr(
        "id",
        "Please type just the name of your village, in letters (at most {limit} characters).",
        limit=60,
    )
    for text in (LONG, "x" * 61, PAYLOADS["emoji-zwj-flags"], "<3 & 12"):
        reply = await p.say(text)
        assert lines(reply.text)[0] == refused, text
    reply = await p.say("x" * 60)
    assert tr("id", "Village: {village}", village="x" * 60) in lines(reply.text)
    assert_clean(emulator)


# --- every field at its limit, in emoji (each counts twice for Telegram) -----------------

FULL_EMOJI = PRAYING * 100  # 200 characters, the most a typed answer may have; 400 units


async def emoji_request(person):
    """A request whose every typed answer is at its 200-character limit in emoji, with a
    long emoji description; returns the requester and the review they were shown."""
    p = await villager(person, REQUESTER)
    values = dict.fromkeys(("name", "city", "employer", "last_contact"), FULL_EMOJI)
    values["contact"] = PRAYING * 95 + "0812345678"
    review = await ask_for_help(p, details=values, description=PRAYING * 2000, send=False)
    return p, review


async def test_a_review_of_answers_all_in_emoji_is_shown(app, person, db, emulator, sweep):
    _p, review = await emoji_request(person)
    assert lines(review.text)[0] == "Mohon periksa permintaan Anda"
    assert f"{tr('id', 'Name')}: {FULL_EMOJI}" in lines(review.text)
    shown = cut(PRAYING * 2000, 1500).rstrip() + "…"
    assert tr("id", "What happened: {text}", text=shown) in lines(review.text)
    assert lines(review.text)[-1] == tr(
        "id", "({count} characters in all: everything is sent)", count=4000
    )
    assert review.buttons[0] == label("id", "button", "✅ Send to the officers")
    assert_clean(emulator)


async def test_the_case_page_of_answers_all_in_emoji_opens(app, person, db, emulator, sweep):
    p, _review = await emoji_request(person)
    await officer(app, person, BU, "jogosimo")
    await p.tap(label("id", "button", "✅ Send to the officers"))
    await sweep()
    # Found here (issue 14): the page repeats the name three times and kept 1,500 units of
    # description; it passed Telegram's 4,096 and was refused, the case could not be opened.
    page = await person(BU).press("cs:v:1")
    assert f"{tr('id', 'Name')}: {FULL_EMOJI}" in lines(page.text)
    [described] = [line for line in lines(page.text) if line.startswith("Apa yang terjadi: ")]
    assert described.endswith(PRAYING + "…")  # what room is left, cut between two emoji
    assert 3900 < telegram_length(page.text) <= 4096  # the room used, within the limit
    assert label("id", "button", "📄 Full text and files") in page.buttons
    assert_clean(emulator)


@each_payload
async def test_announcement_caption_and_typed_time_arrive_exactly(
    app, person, emulator, sweep, payload
):
    await villager(person, REQUESTER)
    bu = await officer(app, person, BU, "jogosimo")
    await bu.say("/umumkan")
    caption = f"{payload} poster"
    update = emulator.media_update(BU, "photo")
    update["message"]["caption"] = caption
    await bu.app.process_update(Update.de_json(update, bu.app.bot))
    await bu.tap(label("id", "button", "Continue ▸"))
    await bu.tap(label("id", "button", "Continue ▸"))
    await bu.tap(label("id", "button", "Choose a date and time"))
    reply = await bu.say(payload)  # as a time: not read, asked again
    assert lines(reply.text)[0] == first_line("id", "I could not read that date and time.")
    await bu.tap(label("id", "button", "« Back"))
    await bu.tap(label("id", "button", "Send now"))
    reply = await bu.tap(label("id", "button", "Send"))
    assert first_line("id", "Announcement #{id} is being sent to {n} person.", id=1, n=1) in (
        reply.text
    )
    await sweep()
    delivered = emulator.bot_messages(REQUESTER)[-1]
    assert (delivered.media, body(delivered.text)) == ("photo", caption)
    assert_clean(emulator)
