"""Issue 13: the relationship question names the person, and the officer's case page
words it from the outside and shows the requester's language (id and jv)."""

from __future__ import annotations

import pytest

from tests.announcing import officer, villager
from tests.helping import ask_for_help, cases_of, category_label
from tests.people import person as person_id
from tests.transcript import label, sees, tr

QUESTION = {"id": "Siti Aminah adalah … saya", "jv": "Siti Aminah punika … kula"}
BUTTONS = {
    "id": [
        "anak perempuan atau laki-laki",
        "istri atau suami",
        "ibu atau ayah",
        "kakak atau adik",
        "kerabat lain",
    ],
    "jv": [
        "putri utawi putra",
        "garwa (estri utawi kakung)",
        "ibu utawi bapak",
        "sedherek sekandhung",
        "sedherek sanes",
    ],
}


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_the_relationship_question_names_the_person(person, db, locale):
    p = await villager(person, 711, locale=locale)
    await p.say("/tolong")
    await p.tap(category_label(locale, "lost_contact"))
    await p.tap(label(locale, "button", "A family member"))
    reply = await p.say("Siti <Aminah>")
    assert reply.text.splitlines()[-1] == QUESTION[locale].replace("Siti Aminah", "Siti <Aminah>")
    assert reply.buttons[:5] == BUTTONS[locale]
    assert len(reply.buttons) == 7  # and Back, Cancel
    reply = await p.say("sepupu")  # typed instead of a button: asked again
    sees(reply, locale, "Please choose one of the buttons.")
    assert reply.buttons[:5] == BUTTONS[locale]
    reply = await p.tap(BUTTONS[locale][3])
    sees(reply, locale, "In which country are they now?")


# Officer in one language, requester in the other: each line is in the officer's language.
PAGE = {
    ("id", "jv"): (
        "Siti Aminah adalah anak perempuan atau laki-laki dari pemohon",
        "Bahasa pemohon: Basa Jawa",
    ),
    ("jv", "id"): (
        "Siti Aminah punika putri utawi putranipun ingkang nyuwun pitulungan",
        "Basanipun ingkang nyuwun pitulungan: Bahasa Indonesia",
    ),
    ("id", "id"): (
        "Siti Aminah adalah anak perempuan atau laki-laki dari pemohon",
        "Bahasa pemohon: Bahasa Indonesia",
    ),
}
OTHER = {
    "spouse": {
        "id": "Siti Aminah adalah istri atau suami dari pemohon",
        "jv": "Siti Aminah punika garwanipun ingkang nyuwun pitulungan (estri utawi kakung)",
    },
    "relative": {
        "id": "Siti Aminah adalah kerabat lain dari pemohon",
        "jv": "Siti Aminah punika sedherek sanesipun ingkang nyuwun pitulungan",
    },
}


async def open_case(app, person, sweep, db, officer_locale, requester_locale, relationship):
    bu = await officer(app, person, 900, "jogosimo", locale=officer_locale)
    warga = await villager(person, 801, locale=requester_locale)
    await ask_for_help(warga, locale=requester_locale, details={"relationship": relationship})
    await sweep()
    [case] = await cases_of(db, await person_id(db, 801))
    assert case.subject["relationship"] == relationship
    return await bu.tap(label(officer_locale, "button", "📂 Open the case"))


@pytest.mark.parametrize(("officer_locale", "requester_locale"), list(PAGE))
async def test_the_officer_sees_who_it_is_and_the_language(
    app, person, sweep, db, officer_locale, requester_locale
):
    page = await open_case(app, person, sweep, db, officer_locale, requester_locale, "child")
    lines = page.text.splitlines()
    relationship, language = PAGE[officer_locale, requester_locale]
    assert relationship in lines
    assert language in lines
    requester = tr(officer_locale, "Requester: Telegram ID <code>{id}</code>", id=801)
    assert (
        lines.index(language)
        == lines.index(requester.replace("<code>", "").replace("</code>", "")) + 1
    )


@pytest.mark.parametrize("relationship", list(OTHER))
@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_other_relationships_read_the_right_way_round(
    app, person, sweep, db, locale, relationship
):
    page = await open_case(app, person, sweep, db, locale, locale, relationship)
    assert OTHER[relationship][locale] in page.text.splitlines()
