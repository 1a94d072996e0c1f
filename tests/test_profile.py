"""/bahasa, /profil, /dataku, /hapusdata, /batal and /menu, as a user would use them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.context import services_of
from bot.services import officers
from storage.models import Base, Officer, User
from tests.test_onboarding import onboard
from tests.transcript import choose_language, label, sees


@pytest.mark.parametrize(
    ("start", "target", "locale"),
    [("Bahasa Indonesia", "Basa Jawa", "jv"), ("Basa Jawa", "Bahasa Indonesia", "id")],
)
async def test_change_language(person, db, start, target, locale):
    warga = person(201)
    await onboard(warga, language=start)
    reply = await warga.say("/bahasa")
    assert target in reply.buttons
    reply = await choose_language(warga, target)
    sees(reply, locale, "Language changed to English.")
    sees(reply, locale, "<b>Main menu</b>\nWhat would you like to do?")
    assert (await db.get(User, 201)).locale == locale


async def test_change_language_to_english(person):
    warga = person(202)
    await onboard(warga)
    await warga.say("/bahasa")
    reply = await warga.tap("English")
    assert "Language changed to English." in reply.text
    assert "👤 My profile" in reply.buttons


async def test_language_during_onboarding_returns_to_onboarding(person):
    warga = person(203)
    await warga.say("/start")
    await choose_language(warga, "Basa Jawa")
    reply = await warga.say("/bahasa")
    sees(reply, "jv", "<b>Welcome to the Desmigratif assistant.</b>")
    reply = await choose_language(warga, "Bahasa Indonesia")
    sees(reply, "id", "Which of these describes you?")


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_profile_edit_role_and_village(person, db, locale):
    language = {"id": "Bahasa Indonesia", "jv": "Basa Jawa"}[locale]
    warga = person(204)
    await onboard(warga, language=language)
    reply = await warga.say("/profil")
    sees(
        reply,
        locale,
        "<b>Your profile</b>\nWho you are: {role}\nVillage: {village}\nLanguage: {language}",
        role=label(locale, "role", "Family of a migrant worker"),
        village="Jogosimo (Klirong, Kebumen)",
        language=language,
    )
    assert "Jogosimo (Klirong, Kebumen)" in reply.text

    reply = await warga.tap(label(locale, "button", "Change who I am"))
    reply = await warga.tap(label(locale, "role", "Working abroad now"))
    sees(reply, locale, "Saved.")
    assert label(locale, "role", "Working abroad now") in reply.text

    await warga.tap(label(locale, "button", "Change village"))
    await warga.tap(label(locale, "button", "Another village…"))
    reply = await warga.say("Karangsari, Buluspesantren")
    sees(reply, locale, "Saved.")
    stored = await db.get(User, 204)
    assert (stored.role, stored.village_id, stored.other_village) == (
        "abroad",
        None,
        "Karangsari, Buluspesantren",
    )


async def test_profile_text_is_escaped(person, db):
    warga = person(205)
    await warga.say("/start")
    await choose_language(warga, "Bahasa Indonesia")
    await warga.tap(label("id", "role", "Planning to work abroad"))
    await warga.tap(label("id", "button", "Another village…"))
    reply = await warga.say("Desa <b>Baru</b> & Co")
    assert "Desa <b>Baru</b> & Co" in reply.text  # shown literally, not as formatting
    await warga.tap(label("id", "button", "I agree"))
    reply = await warga.say("/profil")
    assert "Desa <b>Baru</b> & Co" in reply.text


async def test_data_shows_every_stored_field(person, app):
    warga = person(206)
    await onboard(warga)
    reply = await warga.say("/dataku")
    sees(reply, "id", "<b>Everything kept about you</b>")
    assert "206" in reply.text
    assert "Jogosimo (Klirong, Kebumen)" in reply.text
    assert "1 Desember 2026" in reply.text  # consent date, formatted in Indonesian


def test_data_lines_cover_every_user_column():
    """Adding a column to users must also show it in /dataku (or say why not)."""
    import inspect

    from handlers.profile import data_lines

    source = inspect.getsource(data_lines)
    for column in User.__table__.columns:
        assert f'"{column.key}"' in source, f"/dataku does not show users.{column.key}"


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_erase_everything(app, person, db, locale):
    language = {"id": "Bahasa Indonesia", "jv": "Basa Jawa"}[locale]
    warga = person(207)
    await onboard(warga, language=language)
    services = services_of(app)
    async with services.sessions() as session, session.begin():
        await officers.grant(
            session, services.routing(), 207, "jogosimo", granted_by=900, now=services.clock.now()
        )
    reply = await warga.say("/hapusdata")
    sees(reply, locale, "<b>Erase all your data?</b>")
    reply = await warga.tap(label(locale, "button", "Yes, erase everything"))
    sees(reply, locale, "All your data has been erased. Send /start to begin again.")
    # Nothing about this person remains in any table.
    for table in Base.metadata.sorted_tables:
        key = table.c.get("telegram_id")
        if key is not None:
            count = await db.scalar(select(func.count()).select_from(table).where(key == 207))
            assert count == 0, f"{table.name} still has a row about the user"
    assert await db.get(Officer, 207) is None
    # Starting again is a fresh onboarding.
    reply = await warga.say("/start")
    sees(reply, "id", "<b>Welcome to the Desmigratif assistant.</b>")


async def test_erase_can_be_refused(person, db):
    warga = person(208)
    await onboard(warga)
    await warga.say("/hapusdata")
    reply = await warga.tap(label("id", "button", "No, keep my data"))
    sees(reply, "id", "Nothing was erased.")
    assert (await db.get(User, 208)).consent == "given"


async def test_erase_button_after_dialog_left_is_stale(person, db):
    warga = person(209)
    await onboard(warga)
    await warga.say("/hapusdata")
    erase_message = warga.last_with_buttons().message_id
    await warga.say("/batal")
    reply = await warga.press("del:yes", erase_message)
    assert reply.toast is not None
    assert (await db.get(User, 209)) is not None


async def test_cancel(person, db):
    warga = person(210)
    await onboard(warga)
    reply = await warga.say("/batal")
    sees(reply, "id", "There is nothing to cancel.")
    await warga.say("/profil")
    await warga.tap(label("id", "button", "Change village"))
    reply = await warga.say("/batal")
    sees(reply, "id", "Stopped. Nothing was changed.")
    stored = await db.get(User, 210)
    assert stored.dialog is None
    assert stored.village_id == "jogosimo"


async def test_cancel_during_onboarding(person, db):
    warga = person(211)
    await warga.say("/start")
    reply = await warga.say("/batal")
    sees(reply, "id", "Setup stopped. Send /start whenever you want to begin.")
    assert (await db.get(User, 211)).dialog is None


async def test_menu_before_registration_continues_onboarding(person):
    warga = person(212)
    await warga.say("/start")
    await choose_language(warga, "Bahasa Indonesia")
    reply = await warga.say("/menu")
    sees(reply, "id", "Let us finish setting up first.")
    sees(reply, "id", "Which of these describes you?")


async def test_help_keeps_the_dialog(person):
    warga = person(213)
    await warga.say("/start")
    await choose_language(warga, "Basa Jawa")
    reply = await warga.say("/bantuan")
    sees(reply, "jv", "<b>About this assistant</b>")
    sees(reply, "jv", "Which of these describes you?")


async def test_menu_buttons(person):
    warga = person(214)
    await onboard(warga)
    reply = await warga.tap(label("id", "menu", "❓ Help"))
    sees(reply, "id", "<b>About this assistant</b>")
    reply = await warga.tap(label("id", "button", "« Menu"))
    reply = await warga.tap(label("id", "menu", "📄 My data"))
    sees(reply, "id", "<b>Everything kept about you</b>")
    reply = await warga.tap(label("id", "button", "« Menu"))
    reply = await warga.tap(label("id", "menu", "👤 My profile"))
    sees(
        reply,
        "id",
        "<b>Your profile</b>\nWho you are: {role}\nVillage: {village}\nLanguage: {language}",
        role=label("id", "role", "Family of a migrant worker"),
        village="Jogosimo (Klirong, Kebumen)",
        language="Bahasa Indonesia",
    )
