"""/bahasa, /profil, /dataku, /hapusdata, /batal and /menu, as a user would use them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.context import services_of
from bot.services import officers
from storage.models import Base, Officer, Person, User
from tests.announcing import villager
from tests.helping import ask_for_help
from tests.people import person as known
from tests.people import person_of, row_of, telegram_person
from tests.test_checklist import set_up
from tests.test_job_check import answers_for, run_check
from tests.test_onboarding import onboard
from tests.test_quiz import answer
from tests.transcript import choose_language, label, sees, tr


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
    assert (await row_of(db, User, 201)).locale == locale


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
    stored = await row_of(db, User, 204)
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


def _before_value(message: str) -> str:
    """The Indonesian text of ``message`` up to its first placeholder."""
    return tr("id", message, value="\0", date="\0", summary="\0").split("\0")[0]


# What /dataku shows for each way the bot knows to reach the person (identities, listed
# before everything else), and for each column of users (Indonesian), for someone who has
# filled them all: the exact line, or how the line starts (a date follows). Adding a column
# to users fails test_dataku_shows_every_user_column until it is shown (or listed in
# FOLDED, with the reason).
def identity_lines() -> dict[str, str]:
    return {"telegram": tr("id", "Telegram ID: {value}", value=208)}


def exact_lines() -> dict[str, str]:
    return {
        "locale": tr("id", "Language: {value}", value="Bahasa Indonesia"),
        "role": tr(
            "id", "Who you are: {value}", value=label("id", "role", "Planning to work abroad")
        ),
        "village_id": tr("id", "Village: {value}", value="Jogosimo (Klirong, Kebumen)"),
        "other_village": tr("id", "Village you typed: {value}", value="Karangsari"),
        "announcements_off": tr("id", "Announcements: stopped (/mulai starts them)"),
        "dialog": tr(
            "id",
            "Unfinished: {value} (/batal cancels it)",
            value=tr("id", "writing a help request"),
        ),
        "dialog_data": tr("id", "Your answers in it so far, kept until you finish or cancel it"),
        "timezone": tr("id", "Time zone: {value}", value="WIT"),  # Asia/Jayapura
        "quiet_start": tr(
            "id", "Quiet hours for reminders: {start}–{end}", start="22:00", end="05:00"
        ),
        "reminders_off": tr("id", "Reminders: off"),
    }


def line_starts() -> dict[str, str]:
    return {
        "consent": _before_value("Consent to data processing: {value}")
        + _before_value("given on {date}"),
        "help_draft": _before_value(
            "An unsent help request, saved {date}: {summary} (/tolong continues it)"
        ),
        "created_at": _before_value("First contact: {value}"),
        "updated_at": _before_value("Last change: {value}"),
    }


FOLDED = {
    "person_id": "an internal number; the identities' lines say who the person is",
    "consent_at": "the date in the consent line",
    "step": "part of the unfinished dialog's line",
    "help_draft_at": "the date in the unsent request's line",
    "quiet_end": "the same line as quiet_start",
    # cleared as soon as the person writes (they are reachable again): /dataku, which they
    # send, never finds it set
    "unreachable_at": "never set when the person asks",
}


async def test_dataku_shows_every_user_column(person, db, clock):
    """Every column of users is shown by /dataku (its output, not its source)."""
    identities, exact, starts = identity_lines(), exact_lines(), line_starts()
    assert (len(identities), len(exact), len(starts), len(FOLDED)) == (1, 10, 4, 6)
    assert {*exact, *starts, *FOLDED} == {column.key for column in User.__table__.columns}
    p = await villager(person, 208, role="prospective")
    await ask_for_help(p, send=False)  # an unfinished dialog with answers in it
    db.expire_all()
    user = await row_of(db, User, 208)
    user.other_village = "Karangsari"
    user.announcements_off = True
    user.reminders_off = True
    user.timezone = "Asia/Jayapura"
    user.quiet_start, user.quiet_end = 22 * 60, 5 * 60
    user.help_draft = dict(user.dialog_data or {})
    user.help_draft_at = clock.now()
    await db.commit()
    reply = await p.say("/dataku")
    lines = [line.removeprefix("• ") for line in reply.messages[0].text.split("\n")]
    # The identities come first, right under the heading.
    assert lines[1 : 1 + len(identities)] == list(identities.values()), lines
    for channel, expected in identities.items():
        assert lines.count(expected) == 1, f"identity {channel}: {expected!r} not in {lines}"
    for column, expected in exact.items():
        assert lines.count(expected) == 1, f"users.{column}: {expected!r} not in {lines}"
    for column, start in starts.items():
        found = [line for line in lines if line.startswith(start) and line != start]
        assert len(found) == 1, f"users.{column}: no line {start!r}… in {lines}"


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_erase_everything(app, person, db, locale):
    warga = await villager(person, 207, locale=locale, role="prospective")
    services = services_of(app)
    async with services.sessions() as session, session.begin():
        await officers.grant(
            session,
            await services.routing(session),
            await telegram_person(session, 207),
            "jogosimo",
            granted_by=900,
            now=services.clock.now(),
        )
    # A row in every table keyed by the person: a checklist with a tick, a quiz round, a job
    # check (tests/test_erasure.py erases a person who used everything, in more detail).
    await set_up(warga, locale)
    await warga.tap("⬜ " + label(locale, "", "Passport"))
    await warga.tap(label(locale, "button", "📅 Enter the expiry date"))
    await warga.say("01-06-2027")
    await warga.say("/kuis")
    await answer(warga, db, locale, right=True)
    await run_check(warga, locale, answers_for("low"))
    erased = await known(db, 207)
    # The tables keyed by a person id (the inbox's person_id is a sender's Telegram id),
    # and the person's own row.
    keyed = [
        t
        for t in Base.metadata.sorted_tables
        if t.c.get("person_id") is not None and t.name not in ("inbox", "inbox_lines")
    ]
    keys = {"people": Person.__table__.c.id} | {t.name: t.c.person_id for t in keyed}

    async def rows_per_table() -> dict[str, int]:
        db.expire_all()
        return {
            name: await db.scalar(select(func.count()).select_from(key.table).where(key == erased))
            for name, key in keys.items()
        }

    every_table = {
        "people": 1,
        "identities": 1,
        "users": 1,
        "officers": 1,
        "checklists": 1,
        "checklist_marks": 1,
        "quiz_rounds": 1,
        "job_checks": 1,
        # The checklist's reminders: its departure dates, the passport's 90 and 30 days.
        "deliveries": 8,
    }
    assert await rows_per_table() == every_table
    reply = await warga.say("/hapusdata")
    sees(reply, locale, "<b>Erase all your data?</b>")
    reply = await warga.tap(label(locale, "button", "Yes, erase everything"))
    sees(reply, locale, "All your data has been erased. Send /start to begin again.")
    # Nothing about this person remains in any of those tables.
    assert await rows_per_table() == dict.fromkeys(every_table, 0)
    assert await row_of(db, Officer, 207) is None
    assert await person_of(db, 207) is None
    # Starting again is a fresh onboarding.
    reply = await warga.say("/start")
    sees(reply, locale, "<b>Welcome to the Desmigratif assistant.</b>")  # Telegram's language


async def test_erase_can_be_refused(person, db):
    warga = person(208)
    await onboard(warga)
    await warga.say("/hapusdata")
    reply = await warga.tap(label("id", "button", "No, keep my data"))
    sees(reply, "id", "Nothing was erased.")
    assert (await row_of(db, User, 208)).consent == "given"


async def test_erase_button_after_dialog_left_is_stale(person, db):
    warga = person(209)
    await onboard(warga)
    await warga.say("/hapusdata")
    erase_message = warga.last_with_buttons().message_id
    await warga.say("/batal")
    reply = await warga.press("del:yes", erase_message)
    assert reply.toast is not None
    assert (await row_of(db, User, 209)) is not None


async def test_cancel(person, db):
    warga = person(210)
    await onboard(warga)
    reply = await warga.say("/batal")
    sees(reply, "id", "There is nothing to cancel.")
    await warga.say("/profil")
    await warga.tap(label("id", "button", "Change village"))
    reply = await warga.say("/batal")
    sees(reply, "id", "Stopped. Nothing was changed.")
    stored = await row_of(db, User, 210)
    assert stored.dialog is None
    assert stored.village_id == "jogosimo"


async def test_cancel_during_onboarding(person, db):
    warga = person(211)
    await warga.say("/start")
    reply = await warga.say("/batal")
    sees(reply, "id", "Setup stopped. Send /start whenever you want to begin.")
    assert (await row_of(db, User, 211)).dialog is None


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
