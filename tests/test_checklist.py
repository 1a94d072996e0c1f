"""The departure checklist as a user uses it, in Indonesian and Javanese."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from storage.models import Checklist, ChecklistMark, Delivery
from tests.announcing import villager
from tests.people import person as person_id
from tests.people import row_of
from tests.transcript import label, sees

SCHEME = {
    "p3mi": "Via a licensed agency (P3MI)",
    "g2g": "Government programme (G to G)",
    "ukps": "Sent by the company I work for",
}


def country(locale, name):
    return label(locale, "", name) if locale != "en" else name


async def set_up(
    p,
    locale="id",
    *,
    scheme="p3mi",
    destination="Hong Kong",
    sector="Domestic work and care",
    departure="15-03-2027",
    agency="PT Maju",
):
    await p.say("/persiapan")
    await p.tap(label(locale, "scheme", SCHEME[scheme]))
    await p.tap(label(locale, "", destination))
    await p.tap(label(locale, "", sector))
    reply = await p.say(departure)
    if scheme == "p3mi":
        reply = await p.say(agency)
    return reply


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_set_up_and_tick(person, emulator, db, locale):
    p = await villager(person, 901, locale=locale, role="prospective")
    reply = await p.say("/persiapan")
    sees(reply, locale, "<b>🧳 Departure checklist</b>\nA few questions")
    reply = await p.tap(label(locale, "scheme", SCHEME["p3mi"]))
    sees(reply, locale, "Which country will you work in?")
    reply = await p.tap(label(locale, "", "Hong Kong"))
    sees(reply, locale, "What work will you do?")
    reply = await p.tap(label(locale, "", "Domestic work and care"))
    sees(reply, locale, "When do you plan to leave?")
    reply = await p.say("31-02-2027")
    sees(reply, locale, "That date does not exist. Please check the day and the month.")
    reply = await p.say("15-03-2025")
    sees(reply, locale, "That date has already passed. Please type a date in the future.")
    reply = await p.say("15-03-2099")
    sees(reply, locale, "That date is too far ahead. Please check the year.")
    reply = await p.say("besok pagi")
    sees(reply, locale, "I could not read that date. Please type it like 15-03-2027.")
    reply = await p.say("15 Maret 27")
    sees(reply, locale, "What is the name of the agency (P3MI)?")
    reply = await p.say("PT Maju Jaya")
    sees(reply, locale, "Your checklist is ready.")
    assert label(locale, "", "Progress: {done} / {total}", done=0, total=20) in reply.text
    assert "░" * 10 in reply.text
    checklist_message = reply.messages[-1].message_id
    plan = await row_of(db, Checklist, 901)
    assert (plan.scheme, plan.country, plan.sector, plan.departure_on, plan.agency) == (
        "p3mi",
        "hong-kong",
        "domestic",
        date(2027, 3, 15),
        "PT Maju Jaya",
    )

    reply = await p.tap("⬜ " + label(locale, "", "Passport"))
    sees(
        reply,
        locale,
        "<b>Why it matters:</b> {text}",
        text=label(locale, "", _item("passport").why),
    )
    assert label(locale, "button", "📅 Enter the expiry date") in reply.buttons
    reply = await p.tap(label(locale, "button", "✅ Mark as done"))
    assert reply.messages[-1].message_id == checklist_message  # edited in place
    assert label(locale, "", "Progress: {done} / {total}", done=1, total=20) in reply.text
    assert "✅ " + label(locale, "", "Passport") in reply.buttons
    reply = await p.tap("✅ " + label(locale, "", "Passport"))
    reply = await p.tap(label(locale, "button", "↩️ Mark as not done"))
    assert label(locale, "", "Progress: {done} / {total}", done=0, total=20) in reply.text


OFFICES = {
    "Taiwan": ("KDEI Taipei", "{office} (Indonesia's office in Taiwan, in place of an embassy)"),
    "Malaysia": ("KBRI Kuala Lumpur", "{office} (the Indonesian embassy)"),
}


@pytest.mark.parametrize("locale", ["id", "jv"])
@pytest.mark.parametrize("destination", sorted(OFFICES))
async def test_after_arrival_item_names_the_office_of_the_destination(person, locale, destination):
    p = await villager(person, 913, locale=locale, role="prospective")
    await set_up(p, locale, destination=destination, sector="Factory work")
    reply = await p.tap("⬜ " + label(locale, "", "Report yourself on arrival"))
    office, kind = OFFICES[destination]
    named = label(locale, "", kind, office=office)
    item = _item("report-embassy")
    for heading, text in (
        ("<b>Why it matters:</b> {text}", item.why),
        ("<b>Where to get it:</b> {text}", item.where),
    ):
        sees(reply, locale, heading, text=label(locale, "", text, office=named))
    assert reply.text.count(office) == 2
    assert "{office}" not in reply.text
    if destination == "Taiwan":  # Taiwan has no embassy: never send people to a "KBRI"
        assert "KBRI" not in reply.text


async def test_after_arrival_item_for_a_typed_country(person):
    p = await villager(person, 914, role="prospective")
    await p.say("/persiapan")
    await p.tap(label("id", "scheme", SCHEME["p3mi"]))
    await p.tap(label("id", "button", "Another country…"))
    await p.say("Brunei")
    await p.tap(label("id", "", "Factory work"))
    await p.say("15-03-2027")
    await p.tap(label("id", "button", "Skip"))
    reply = await p.tap("⬜ " + label("id", "", "Report yourself on arrival"))
    general = label("id", "", "the Indonesian embassy (KBRI) or consulate (KJRI) in that country")
    where = label("id", "", _item("report-embassy").where, office=general)
    sees(reply, "id", "<b>Where to get it:</b> {text}", text=where)


@pytest.mark.parametrize("scheme", ["g2g", "ukps"])
async def test_every_scheme_has_the_placement_agreement(person, scheme):
    """UU 18/2017 Pasal 13 asks every worker for it, whoever places them (Pasal 49)."""
    p = await villager(person, 915, locale="jv", role="prospective")
    reply = await set_up(p, "jv", scheme=scheme)
    assert "⬜ " + label("jv", "", "Placement agreement") in reply.buttons
    assert "⬜ " + label("jv", "", "Check P3MI licence (SIP3MI)") not in reply.buttons
    reply = await p.tap("⬜ " + label("jv", "", "Placement agreement"))
    where = label("jv", "", _item("placement-agreement").where)
    sees(reply, "jv", "<b>Where to get it:</b> {text}", text=where)


def test_changed_labels_fit_a_small_screen():
    for locale in ("en", "id", "jv"):
        for context, message in (
            ("button", "✅ Mark as done"),
            ("button", "↩️ Mark as not done"),
            ("scheme", SCHEME["ukps"]),
            ("", "Report yourself on arrival"),
            ("", "Costs that cannot be charged"),
            ("", "OPP, fingerprints and ID PMI"),
        ):
            assert len(label(locale, context, message)) <= 30, (locale, message)


def _item(item_id):
    from bot.content.checklist import load_checklist

    return load_checklist().items[item_id]


async def test_month_only_and_javanese_month(person, db):
    p = await villager(person, 902, locale="jv", role="prospective")
    await set_up(
        p,
        "jv",
        scheme="g2g",
        destination="South Korea",
        sector="Factory work",
        departure="Sèptèmber 2027",
    )
    plan = await row_of(db, Checklist, 902)
    assert (plan.departure_on, plan.departure_approx, plan.agency) == (
        date(2027, 9, 1),
        True,
        None,
    )


async def test_departure_unknown(person, db):
    p = await villager(person, 903, role="prospective")
    await p.say("/persiapan")
    await p.tap(label("id", "scheme", SCHEME["g2g"]))
    await p.tap(label("id", "", "Japan"))
    await p.tap(label("id", "", "Factory work"))
    reply = await p.tap(label("id", "button", "I don't know yet"))
    sees(reply, "id", "Your checklist is ready.")
    rows = (await db.execute(select(Delivery.payload).where(Delivery.chat_id == 903))).all()
    assert [r[0] for r in rows] == [{"nudge": 1}]  # no departure, so only the weekly nudge


async def test_free_item_names_its_law(person):
    p = await villager(person, 904, role="prospective")
    await set_up(p)
    reply = await p.tap("⬜ " + label("id", "", "Register at Disnaker or LTSA"))
    law = _item("disnaker-registration").legal_basis
    sees(
        reply,
        "id",
        "<b>Cost:</b> {text}",
        text=label("id", "", "Free. Nobody may charge you for this ({law}).", law=law),
    )


async def test_item_outside_the_checklist_is_refused(person, db):
    p = await villager(person, 905, role="prospective")
    await set_up(p, scheme="g2g")  # the agency licence only applies to P3MI placements
    reply = await p.press("cl:t:agency-licence")
    sees(reply, "id", "That button is no longer valid. Here is where we are:")
    reply = await p.press("cl:t:no-such-item")
    sees(reply, "id", "That button is no longer valid. Here is where we are:")
    assert (await db.scalars(select(ChecklistMark))).all() == []


async def test_scheme_change_keeps_ticks_that_still_apply(person, db):
    p = await villager(person, 906, role="prospective")
    await set_up(p, scheme="p3mi")
    for title in ("Passport", "Check P3MI licence (SIP3MI)"):
        await p.tap("⬜ " + label("id", "", title))
        await p.tap(label("id", "button", "✅ Mark as done"))
    reply = await p.tap(label("id", "button", "⚙️ Change answers"))
    await p.tap(label("id", "button", "🧭 How you go"))
    reply = await p.tap(label("id", "scheme", SCHEME["g2g"]))
    assert label("id", "", "Progress: {done} / {total}", done=1, total=19) in reply.text
    assert "✅ " + label("id", "", "Passport") in reply.buttons
    # Back to P3MI: the agency tick comes back with its item.
    await p.tap(label("id", "button", "⚙️ Change answers"))
    await p.tap(label("id", "button", "🧭 How you go"))
    reply = await p.tap(label("id", "scheme", SCHEME["p3mi"]))
    assert label("id", "", "Progress: {done} / {total}", done=2, total=20) in reply.text


async def test_expiry_date(person, db):
    p = await villager(person, 907, role="prospective")
    await set_up(p)
    await p.tap("⬜ " + label("id", "", "Passport"))
    reply = await p.tap(label("id", "button", "📅 Enter the expiry date"))
    sees(reply, "id", "Until when is it valid ({item})?", item=label("id", "", "Passport"))
    reply = await p.say("30-02-2030")
    sees(reply, "id", "That date does not exist. Please check the day and the month.")
    reply = await p.say("01-06-2027")
    sees(reply, "id", "Saved. I will remind you {days} days before it runs out.", days="90 / 30")
    assert "1 Juni 2027" in reply.text
    assert (
        await db.get(ChecklistMark, (await person_id(db, 907), "passport"))
    ).expires_on == date(2027, 6, 1)
    payloads = [r[0] for r in (await db.execute(select(Delivery.payload))).all()]
    assert {"expiry": "passport", "days": 90} in payloads
    assert {"expiry": "passport", "days": 30} in payloads


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_share_with_family(person, emulator, locale):
    p = await villager(person, 908, locale=locale, role="family")
    await set_up(p, locale, agency="PT <Maju>")
    await p.tap("⬜ " + label(locale, "", "Passport"))
    await p.tap(label(locale, "button", "✅ Mark as done"))
    reply = await p.tap(label(locale, "button", "📤 Share with family"))
    summary = reply.messages[-1]
    sees(reply, locale, "Departure preparation — summary")
    assert "PT <Maju>" in summary.text
    assert "✓ " + label(locale, "", "Passport") in summary.text
    assert "✗ " + label(locale, "", "Work visa, not tourist visa") in summary.text
    assert "0800-1000" in summary.text
    sent = emulator.bot_messages(908)[-1]
    assert sent.parse_mode is None  # plain text, ready to forward


async def test_checklist_needs_consent(person):
    # Someone who declined reads the general steps (tests/test_checklist_public.py); someone
    # still setting up is told why their own checklist needs consent first.
    p = await villager(person, 909, consent=False)
    reply = await p.say("/persiapan")
    sees(reply, "id", "<b>🧳 The legal steps to work abroad</b>")
    newcomer = person(908, language_code="id")
    await newcomer.say("/start")
    reply = await newcomer.say("/persiapan")
    sees(reply, "id", "The checklist keeps your plans")


async def test_menu_button_opens_the_checklist(person):
    p = await villager(person, 910, role="prospective")
    reply = await p.say("/menu")
    reply = await p.tap(label("id", "menu", "🧳 Departure checklist"))
    sees(reply, "id", "<b>🧳 Departure checklist</b>\nA few questions")


async def test_bad_input_during_set_up(person, db):
    p = await villager(person, 911, role="prospective")
    await p.say("/persiapan")
    reply = await p.send("sticker")
    sees(reply, "id", "I can only read text messages and button taps here.")
    sees(reply, "id", "<b>🧳 Departure checklist</b>\nA few questions")
    await p.tap(label("id", "scheme", SCHEME["p3mi"]))
    await p.tap(label("id", "", "Hong Kong"))
    await p.tap(label("id", "", "Domestic work and care"))
    reply = await p.say("😀" * 3)
    sees(reply, "id", "I could not read that date. Please type it like 15-03-2027.")
    reply = await p.send("location")
    sees(reply, "id", "When do you plan to leave?")
    assert (await row_of(db, Checklist, 911)) is None  # nothing stored until the set-up is done


async def test_erase_removes_the_checklist(person, db):
    p = await villager(person, 912, role="prospective")
    await set_up(p)
    await p.tap("⬜ " + label("id", "", "Passport"))
    await p.tap(label("id", "button", "✅ Mark as done"))
    await p.say("/hapusdata")
    await p.tap(label("id", "button", "Yes, erase everything"))
    assert await row_of(db, Checklist, 912) is None
    assert (await db.scalars(select(ChecklistMark))).all() == []
    rows = (await db.execute(select(Delivery.chat_id, Delivery.status))).all()
    assert all(chat is None and status == "skipped" for chat, status in rows)
