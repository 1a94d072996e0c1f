"""What a person's answers store, when, and only with consent: each change of the profile
is stored with its time, someone who declined gets nothing kept, a typed village name is
kept only when it is a name, and erasing leaves no row."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.services import profiles
from storage.models import Checklist, Delivery, Identity, Officer, Person, User
from tests.announcing import officer, villager
from tests.conftest import START
from tests.helping import ask_for_help
from tests.people import person as known
from tests.people import person_of, row_of
from tests.test_checklist import set_up
from tests.transcript import choose_language, label, sees

LATER = datetime(2026, 12, 3, 5, 30, tzinfo=UTC)  # 3 Dec 2026, 12:30 WIB


async def _user(db, telegram_id: int) -> User | None:
    db.expire_all()
    return await row_of(db, User, telegram_id)


async def _change_role(p) -> None:
    await p.say("/profil")
    await p.tap(label("id", "button", "Change who I am"))
    reply = await p.tap(label("id", "role", "Working abroad now"))
    sees(reply, "id", "Saved.")


async def _change_village(p) -> None:
    await p.say("/profil")
    await p.tap(label("id", "button", "Change village"))
    reply = await p.tap("Kalibangkang (Ayah)")
    sees(reply, "id", "Saved.")


async def _type_village(p) -> None:
    await p.say("/profil")
    await p.tap(label("id", "button", "Change village"))
    await p.tap(label("id", "button", "Another village…"))
    reply = await p.say("  Desa   Sidomulyo,  Ambal ")
    sees(reply, "id", "Saved.")


async def _change_language(p) -> None:
    await p.say("/bahasa")
    reply = await choose_language(p, "Basa Jawa")
    sees(reply, "jv", "Language changed to English.")


async def _stop_announcements(p) -> None:
    reply = await p.say("/berhenti")
    sees(
        reply,
        "id",
        "You will no longer receive announcements. Send /mulai to receive them again.",
    )


CHANGES = [
    # (what the person does, the stored fields it changes)
    (_change_role, {"role": "abroad"}),
    (_change_village, {"village_id": "kalibangkang", "other_village": None}),
    (_type_village, {"village_id": None, "other_village": "Desa Sidomulyo, Ambal"}),
    (_change_language, {"locale": "jv"}),
    (_stop_announcements, {"announcements_off": True}),
]


@pytest.mark.parametrize(("change", "stored"), CHANGES, ids=[c.__name__[1:] for c, _ in CHANGES])
async def test_each_change_is_stored_with_its_time(person, clock, db, change, stored):
    """/dataku says when the profile last changed: a change stored without its time
    would show the day of registration instead."""
    p = await villager(person, 6001, role="family")
    user = await _user(db, 6001)
    assert (user.role, user.village_id, user.locale, user.announcements_off) == (
        "family",
        "jogosimo",
        "id",
        False,
    )
    assert (user.consent, user.consent_at, user.updated_at) == ("given", START, START)
    clock.set(LATER)
    await change(p)
    user = await _user(db, 6001)
    assert {key: getattr(user, key) for key in stored} == stored
    assert (user.updated_at, user.consent_at) == (LATER, START)


async def test_announcements_start_again(person, clock, db):
    p = await villager(person, 6002)
    await _stop_announcements(p)
    clock.set(LATER)
    reply = await p.say("/mulai")
    sees(reply, "id", "You will receive announcements again. Send /berhenti to stop them.")
    user = await _user(db, 6002)
    assert (user.announcements_off, user.updated_at) == (False, LATER)


async def test_consent_given_is_dated_and_shown(person, clock, db):
    """/dataku tells the person when they agreed."""
    clock.set(LATER)
    p = await villager(person, 6003, role="prospective")
    user = await _user(db, 6003)
    assert (user.consent, user.consent_at, user.role, user.village_id, user.other_village) == (
        "given",
        LATER,
        "prospective",
        "jogosimo",
        None,
    )
    reply = await p.say("/dataku")
    assert (
        label(
            "id",
            "",
            "Consent to data processing: {value}",
            value=label("id", "", "given on {date}", date="3 Desember 2026, 12.30"),
        )
        in reply.text
    )


async def test_declining_keeps_only_the_id_the_language_and_the_refusal(person, clock, db):
    """Someone who says no after choosing a role and a typed village: none of it stays."""
    clock.set(LATER)
    p = person(6004, language_code="jv")
    await p.say("/start")
    await choose_language(p, "Basa Jawa")
    await p.tap(label("jv", "role", "Working abroad now"))
    await p.tap(label("jv", "button", "Another village…"))
    await p.say("Desa Sidomulyo")
    await p.tap(label("jv", "button", "I do not agree"))
    user = await _user(db, 6004)
    assert (
        user.locale,
        user.consent,
        user.consent_at,
        user.updated_at,
        user.role,
        user.village_id,
        user.other_village,
        user.dialog,
        user.dialog_data,
        user.help_draft,
        user.help_draft_at,
    ) == ("jv", "declined", LATER, LATER, None, None, None, None, None, None, None)
    assert not profiles.has_consent(user)
    assert profiles.is_registered(user)
    reply = await p.say("/profil")
    sees(reply, "jv", "You have not agreed, so no profile is kept.")


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Sidomulyo", "Sidomulyo"),
        ("  Desa \n Sidomulyo\t", "Desa Sidomulyo"),
        # Edge: 60 letters is the longest name kept, 61 is too long.
        ("S" * 60, "S" * 60),
        ("S" * 61, None),
        # Spaces squeezed first: 30 + 1 + 29 letters fit although 62 characters were typed.
        ("S" * 30 + "   " + "S" * 29, "S" * 30 + " " + "S" * 29),
        ("RT 05", "RT 05"),
        ("12345", None),
        ("   ", None),
        ("", None),
    ],
    ids=[
        "name",
        "spaces",
        "60",
        "61",
        "squeezed",
        "digits-and-letters",
        "digits",
        "blank",
        "empty",
    ],
)
def test_a_typed_village_name_is_kept_only_when_it_is_a_name(typed, kept):
    assert profiles.clean_village_name(typed) == kept


ASKED_AGAIN = "Please type just the name of your village, in letters (at most {limit} characters)."


@pytest.mark.parametrize(
    ("typed", "answer", "stored"),
    [
        ("S" * 60, "Saved.", (None, "S" * 60)),
        ("S" * 61, ASKED_AGAIN, ("jogosimo", None)),
    ],
    ids=["60", "61"],
)
async def test_a_village_name_of_61_letters_is_asked_again(person, db, typed, answer, stored):
    p = await villager(person, 6005)
    await p.say("/profil")
    await p.tap(label("id", "button", "Change village"))
    await p.tap(label("id", "button", "Another village…"))
    reply = await p.say(typed)
    sees(reply, "id", answer, limit=60)
    user = await _user(db, 6005)
    assert (user.village_id, user.other_village) == stored


@pytest.mark.parametrize("role", ["boss", "officer", ""])
def test_a_role_outside_the_three_is_refused(role):
    """Officers are granted an area by an admin, never self-chosen."""
    user = User(person_id=1, role="family")
    with pytest.raises(ValueError, match=f"^unknown role {role!r}$"):
        profiles.give_consent(user, role=role, village_id=None, other_village=None, now=START)
    with pytest.raises(ValueError, match=f"^unknown role {role!r}$"):
        profiles.set_role(user, role, START)
    assert (user.role, user.consent) == ("family", None)


@pytest.mark.parametrize(
    ("consent", "registered", "given"),
    [("given", True, True), ("declined", True, False), (None, False, False)],
)
def test_registered_and_consent(consent, registered, given):
    user = User(person_id=1, consent=consent)
    assert (profiles.is_registered(user), profiles.has_consent(user)) == (registered, given)


async def test_erasing_leaves_no_row(person, db):
    p = await villager(person, 6006, role="prospective")
    await set_up(p, departure="15-03-2027")
    assert await row_of(db, Checklist, 6006) is not None
    erased = await known(db, 6006)
    await p.say("/hapusdata")
    reply = await p.tap(label("id", "button", "Yes, erase everything"))
    sees(reply, "id", "All your data has been erased. Send /start to begin again.")
    db.expire_all()
    assert (await db.scalars(select(User.person_id))).all() == []
    assert (await db.scalars(select(Checklist.person_id))).all() == []
    # The person and their identity are gone (an admin of the settings may be a person now).
    assert await person_of(db, 6006) is None
    assert (await db.scalars(select(Identity).where(Identity.person_id == erased))).all() == []
    assert await db.get(Person, erased) is None


def test_declining_drops_what_was_typed_so_far():
    """The answers of an unfinished dialog and an unsent help request are personal too."""
    user = User(
        person_id=1,
        locale="id",
        role="abroad",
        village_id="jogosimo",
        other_village="Desa Sidomulyo",
        dialog_data={"name": "Siti"},
        help_draft={"description": "Sudah tiga minggu tidak ada kabar."},
        help_draft_at=START,
    )
    profiles.decline_consent(user, LATER)
    assert (
        user.locale,
        user.consent,
        user.consent_at,
        user.updated_at,
        user.role,
        user.village_id,
        user.other_village,
        user.dialog_data,
        user.help_draft,
        user.help_draft_at,
    ) == ("id", "declined", LATER, LATER, None, None, None, None, None, None)


async def test_an_officer_erasing_their_data_loses_the_role(app, person, db):
    bu = await officer(app, person, 6101, "jogosimo")
    assert (await row_of(db, Officer, 6101)).area_id == "jogosimo"
    erased = await known(db, 6101)
    await bu.say("/hapusdata")
    reply = await bu.tap(label("id", "button", "Yes, erase everything"))
    sees(reply, "id", "All your data has been erased. Send /start to begin again.")
    db.expire_all()
    assert (await db.scalars(select(Officer.person_id))).all() == []
    assert (await db.scalars(select(User.person_id))).all() == []
    assert await person_of(db, 6101) is None
    assert (await db.scalars(select(Identity).where(Identity.person_id == erased))).all() == []
    assert await db.get(Person, erased) is None


async def test_erasing_takes_back_the_notices_officers_got(
    app, person, emulator, clock, sweep, db
):
    """The officer's chat loses the notice about the erased person's request, at once."""
    await officer(app, person, 6201, "jogosimo")
    p = await villager(person, 6202)
    await ask_for_help(p)
    await sweep()
    db.expire_all()
    [notice] = (
        await db.scalars(
            select(Delivery.message_id).where(
                Delivery.chat_id == 6201, Delivery.kind == "case_notice", Delivery.status == "sent"
            )
        )
    ).all()
    clock.set(LATER)
    await p.say("/hapusdata")
    await p.tap(label("id", "button", "Yes, erase everything"))
    db.expire_all()
    unsend = (
        await db.execute(
            select(Delivery.chat_id, Delivery.status, Delivery.due_at, Delivery.payload).where(
                Delivery.kind == "unsend"
            )
        )
    ).all()
    assert [tuple(row) for row in unsend] == [
        (
            6201,
            "pending",
            LATER,
            {"message_id": notice, "sent_at": START.isoformat(), "media": False},
        )
    ]
