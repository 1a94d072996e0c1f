"""Onboarding transcripts: /start → language → role → village → consent, in id and jv."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import User
from tests.people import row_of, telegram_of, telegram_person
from tests.transcript import choose_language, full_message, label, sees, tr

ROLE_FAMILY = ("role", "Family of a migrant worker")
ROLE_PROSPECTIVE = ("role", "Planning to work abroad")


@pytest.mark.parametrize(("locale", "language"), [("id", "Bahasa Indonesia"), ("jv", "Basa Jawa")])
async def test_full_onboarding(person, db, locale, language):
    siti = person(101, language_code="id")
    reply = await siti.say("/start")
    sees(reply, "id", "<b>Welcome to the Desmigratif assistant.</b>")
    assert reply.buttons == ["✓ Bahasa Indonesia", "Basa Jawa", "English"]

    reply = await choose_language(siti, language)
    sees(reply, locale, "Which of these describes you?")
    assert reply.buttons == [
        label(locale, "role", "Planning to work abroad"),
        label(locale, "role", "Working abroad now"),
        label(locale, *ROLE_FAMILY),
    ]

    reply = await siti.tap(label(locale, *ROLE_FAMILY))
    sees(reply, locale, "Which village do you live in?")
    assert reply.buttons[:4] == [
        "Tanggulangin (Klirong)",
        "Jogosimo (Klirong)",
        "Kalibangkang (Ayah)",
        "Candirenggo (Ayah)",
    ]
    assert reply.buttons[4] == label(locale, "button", "Another village…")

    reply = await siti.tap("Jogosimo (Klirong)")
    sees(reply, locale, "<b>Your personal data</b>")
    assert "/hapusdata" in reply.text
    assert reply.buttons == [
        label(locale, "button", "I agree"),
        label(locale, "button", "I do not agree"),
        label(locale, "button", "ℹ️ What is kept?"),
    ]

    reply = await siti.tap(label(locale, "button", "I agree"))
    sees(reply, locale, "Thank you, you are registered.")
    assert label(locale, "menu", "👤 My profile") in reply.buttons

    stored = await row_of(db, User, 101)
    assert (stored.locale, stored.role, stored.village_id, stored.consent) == (
        locale,
        "family",
        "jogosimo",
        "given",
    )
    assert stored.dialog is None
    assert stored.dialog_data is None


async def test_language_preselected_from_telegram(person):
    reply = await person(102, language_code="jv").say("/start")
    assert reply.buttons[1] == "✓ Basa Jawa"
    sees(reply, "jv", "<b>Welcome to the Desmigratif assistant.</b>")


async def test_unknown_telegram_language_defaults_to_indonesian(person):
    reply = await person(103, language_code="de").say("/start")
    assert reply.buttons[0] == "✓ Bahasa Indonesia"


async def test_deep_link_preselects_village(person, db):
    budi = person(104)
    await budi.say("/start v_kalibangkang")
    reply = await choose_language(budi, "Bahasa Indonesia")
    reply = await budi.tap(label("id", *ROLE_PROSPECTIVE))
    assert reply.buttons[0] == "✅ Kalibangkang (Ayah)"
    sees(reply, "id", "Which village do you live in? The link you opened names the one marked ✅.")
    await budi.tap("✅ Kalibangkang (Ayah)")
    await budi.tap(label("id", "button", "I agree"))
    assert (await row_of(db, User, 104)).village_id == "kalibangkang"


async def test_unknown_deep_link_is_ignored(person):
    ani = person(105)
    await ani.say("/start v_atlantis")
    await choose_language(ani, "Bahasa Indonesia")
    reply = await ani.tap(label("id", *ROLE_PROSPECTIVE))
    assert not reply.buttons[0].startswith("✅")


async def test_registered_user_opening_another_village_link(person, db):
    ani = person(106)
    await onboard(ani)
    reply = await ani.say("/start v_candirenggo")
    sees(
        reply,
        "id",
        "This link is for the village of {village}. Is that your village now?",
        village="Candirenggo",
    )
    reply = await ani.tap(label("id", "button", "Yes, change my village"))
    sees(reply, "id", "Your village has been changed.")
    assert (await row_of(db, User, 106)).village_id == "candirenggo"


async def test_other_village_typed(person, db):
    rina = person(107, language_code="jv")
    await rina.say("/start")
    await choose_language(rina, "Basa Jawa")
    await rina.tap(label("jv", *ROLE_FAMILY))
    reply = await rina.tap(label("jv", "button", "Another village…"))
    sees(reply, "jv", "Please type the name of your village and its kecamatan (sub-district).")
    reply = await rina.say("🙏🙏🙏")
    sees(
        reply,
        "jv",
        "Please type just the name of your village, in letters (at most {limit} characters).",
        limit=60,
    )
    reply = await rina.say("x" * 5000)
    sees(
        reply,
        "jv",
        "Please type just the name of your village, in letters (at most {limit} characters).",
        limit=60,
    )
    reply = await rina.say("  Desa   Sidomulyo, Ambal ")
    sees(reply, "jv", "<b>Your personal data</b>")
    assert "Desa Sidomulyo, Ambal" in reply.text
    await rina.tap(label("jv", "button", "I agree"))
    stored = await row_of(db, User, 107)
    assert (stored.village_id, stored.other_village) == (None, "Desa Sidomulyo, Ambal")


async def test_declining_consent_keeps_nothing_personal(person, db):
    joko = person(108)
    await joko.say("/start")
    await choose_language(joko, "Bahasa Indonesia")
    await joko.tap(label("id", *ROLE_PROSPECTIVE))
    await joko.tap("Tanggulangin (Klirong)")
    reply = await joko.tap(label("id", "button", "I do not agree"))
    sees(
        reply,
        "id",
        "Understood: nothing personal is kept.",
    )
    assert label("id", "menu", "👤 My profile") not in reply.buttons
    assert label("id", "menu", "✅ Agree to data processing") in reply.buttons
    stored = await row_of(db, User, 108)
    assert stored.consent == "declined"
    assert (stored.role, stored.village_id, stored.other_village, stored.dialog_data) == (
        None,
        None,
        None,
        None,
    )
    # Changing their mind later goes straight to the consent question.
    reply = await joko.tap(label("id", "menu", "✅ Agree to data processing"))
    sees(reply, "id", "<b>Your personal data</b>")


async def test_officer_onboarding_skips_role_and_village(app, person, db):
    from bot.context import services_of
    from bot.services import officers

    services = services_of(app)
    async with services.sessions() as session, session.begin():
        await officers.grant(
            session,
            await services.routing(session),
            await telegram_person(session, 109),
            "kebumen",
            granted_by=None,
            now=services.clock.now(),
        )
    officer = person(109)
    await officer.say("/start")
    reply = await choose_language(officer, "Bahasa Indonesia")
    sees(reply, "id", "<b>Your personal data</b>")
    reply = await officer.tap(label("id", "button", "I agree"))
    assert label("id", "menu", "🛡 Officer menu") in reply.buttons


async def onboard(
    someone, village: str = "Jogosimo (Klirong)", language: str = "Bahasa Indonesia"
):
    await someone.say("/start")
    await choose_language(someone, language)
    locale = {"Bahasa Indonesia": "id", "Basa Jawa": "jv", "English": "en"}[language]
    await someone.tap(
        label(locale, *ROLE_FAMILY) if locale != "en" else "Family of a migrant worker"
    )
    await someone.tap(village)
    return await someone.tap(label(locale, "button", "I agree") if locale != "en" else "I agree")


async def test_no_user_row_is_shared(person, db):
    await onboard(person(110))
    await onboard(person(111), village="Candirenggo (Ayah)")
    rows = (await db.scalars(select(User).order_by(User.person_id))).all()
    assert [(await telegram_of(db, u.person_id), u.village_id) for u in rows] == [
        (110, "jogosimo"),
        (111, "candirenggo"),
    ]


TELEGRAM_ID = {
    "id": "ID Telegram (nomor akun, bukan nomor HP)",
    "jv": "ID Telegram (nomer akun, sanes nomer HP)",
}


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_consent_is_short_with_the_details_one_tap_away(person, db, locale):
    """The decision first, in a few lines; the full notice behind a button, and back."""
    language = {"id": "Bahasa Indonesia", "jv": "Basa Jawa"}[locale]
    p = person(112)
    await p.say("/start")
    await choose_language(p, language)
    await p.tap(label(locale, *ROLE_FAMILY))
    short = await p.tap("Jogosimo (Klirong)")
    sees(short, locale, "<b>Your personal data</b>")
    question = tr(locale, full_message("<b>Your personal data</b>\nDo you agree"))
    # The question comes right after the title; the whole screen is a few short lines.
    assert short.text.splitlines()[1] == question.splitlines()[1]
    assert len(short.text.splitlines()) <= 10
    assert TELEGRAM_ID[locale] in short.text
    assert "status" not in short.text.lower()
    assert "UU 27/2022" not in short.text

    details = await p.tap(label(locale, "button", "ℹ️ What is kept?"))
    sees(details, locale, "<b>What is kept, and why</b>")
    assert TELEGRAM_ID[locale] in details.text
    for kept in ("UU 27/2022", "/dataku", "/hapusdata"):
        assert kept in details.text
    assert details.buttons == [label(locale, "button", "« Back")]
    assert (await row_of(db, User, 112)).consent is None  # looking decides nothing

    back = await p.tap(label(locale, "button", "« Back"))
    assert back.text == short.text
    reply = await p.tap(label(locale, "button", "I agree"))
    sees(reply, locale, "Thank you, you are registered.")
    assert (await row_of(db, User, 112)).consent == "given"


@pytest.mark.parametrize(
    ("locale", "who"), [("id", "Anda sebagai: "), ("jv", "Panjenengan minangka: ")]
)
async def test_profile_and_data_say_who_you_are_not_status(person, locale, who):
    """ "Status" is a help request's state; a person's role is "who you are" (glossary)."""
    language = {"id": "Bahasa Indonesia", "jv": "Basa Jawa"}[locale]
    p = person(113)
    await onboard(p, language=language)
    role = label(locale, *ROLE_FAMILY)
    for command in ("/profil", "/dataku"):
        reply = await p.say(command)
        assert who + role in reply.text
        assert "Status:" not in reply.text
    assert TELEGRAM_ID[locale] + ": 113" in reply.text
