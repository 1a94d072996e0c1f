"""Issue 13: someone still in Indonesia (not left yet, or in a holding house) can say so;
"a problem before departure" asks where the person is, not which foreign country; the
review and the officer's page say it in words, each in its reader's language."""

from __future__ import annotations

import pytest

from tests.announcing import officer, villager
from tests.helping import cases_of, category_label
from tests.people import person as person_id
from tests.transcript import label, sees, tr

OTHER = {"id": "jv", "jv": "id"}
WHERE = {
    "id": ["🇮🇩 Masih di Indonesia", "🏠 Di tempat penampungan"],
    "jv": ["🇮🇩 Taksih wonten Indonesia", "🏠 Wonten papan penampungan"],
}
BUTTON = {"indonesia": 0, "penampungan": 1}
WORDS = {
    "indonesia": {
        "id": "Keberadaan: di Indonesia, belum berangkat",
        "jv": "Panggenan: wonten ing Indonesia, dereng bidhal",
    },
    "penampungan": {
        "id": "Keberadaan: di tempat penampungan di Indonesia",
        "jv": "Panggenan: wonten ing papan penampungan ing Indonesia",
    },
}
WHERE_NOW = {
    ("self", "id"): "Di mana Anda sekarang?\nAtau ketik nama negaranya.",
    ("self", "jv"): "Sapunika panjenengan wonten ing pundi?\nUtawi ketik nami negarinipun.",
    ("family", "id"): "Di mana dia sekarang?\nAtau ketik nama negaranya.",
    ("family", "jv"): "Sapunika piyambakipun wonten ing pundi?\nUtawi ketik nami negarinipun.",
}
CITY_IN_INDONESIA = {
    "id": "Di kota atau kabupaten mana di Indonesia?",
    "jv": "Wonten ing kitha utawi kabupaten pundi ing Indonesia?",
}
BACK = {"id": "« Kembali", "jv": "« Wangsul"}
CANCEL = {"id": "✖️ Batalkan permintaan", "jv": "✖️ Batalaken panyuwunan"}
SKIP = {"id": "Lewati ⏭", "jv": "Langkungi ⏭"}
FAMILY_BUTTON = {"id": "Anggota keluarga", "jv": "Kulawarga"}
DESCRIPTION = "Sudah bayar Rp25 juta ke sponsor, disuruh menunggu, paspor ditahan."


@pytest.mark.parametrize("where", ["indonesia", "penampungan"])
@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_before_departure_asks_where_the_person_is(app, person, sweep, db, locale, where):
    bu = await officer(app, person, 900, "jogosimo", locale=OTHER[locale])
    p = await villager(person, 1401, locale=locale, role="prospective")
    await p.say("/tolong")
    await p.tap(category_label(locale, "pre_departure"))
    reply = await p.tap(label(locale, "button", "Me"))
    assert reply.text == WHERE_NOW["self", locale]
    assert reply.buttons[:3] == [*WHERE[locale], tr(locale, "Malaysia")]
    assert reply.buttons[-2:] == [BACK[locale], CANCEL[locale]]
    reply = await p.tap(WHERE[locale][BUTTON[where]])
    assert reply.text == CITY_IN_INDONESIA[locale]
    assert reply.buttons == [SKIP[locale], BACK[locale], CANCEL[locale]]
    await p.say("Kebumen")
    await p.tap(SKIP[locale])  # no employer
    await p.say(DESCRIPTION)
    review = await p.tap(label(locale, "button", "Continue ▶️"))
    lines = review.text.splitlines()
    assert lines[1:5] == [
        category_label(locale, "pre_departure"),
        tr(locale, "For: me"),
        WORDS[where][locale],
        tr(locale, "City or area") + ": Kebumen",
    ]
    assert not any(line.startswith(tr(locale, "Country")) for line in lines)
    await p.tap(label(locale, "button", "✅ Send to the officers"))
    [case] = await cases_of(db, await person_id(db, 1401))
    assert case.subject == {"where": where, "city": "Kebumen"}

    # The officer reads it in the officer's own language.
    await sweep()
    page = await bu.tap(label(OTHER[locale], "button", "📂 Open the case"))
    page_lines = page.text.splitlines()
    assert WORDS[where][OTHER[locale]] in page_lines
    assert tr(OTHER[locale], "City or area") + ": Kebumen" in page_lines
    assert not any(line.startswith(tr(OTHER[locale], "Country")) for line in page_lines)


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_a_family_member_still_in_indonesia(app, person, sweep, db, locale):
    bu = await officer(app, person, 900, "jogosimo", locale=locale)
    p = await villager(person, 1402, locale=locale)
    await p.say("/tolong")
    await p.tap(category_label(locale, "lost_contact"))
    reply = await p.tap(FAMILY_BUTTON[locale])  # "a family member": not only abroad
    await p.say("Siti Aminah")
    reply = await p.tap(label(locale, "relationship", "sister or brother"))
    # Not "before departure": asked as the country question, Indonesia offered first.
    sees(reply, locale, "In which country are they now?")
    assert reply.buttons[:3] == [*WHERE[locale], tr(locale, "Malaysia")]
    reply = await p.tap(WHERE[locale][1])
    assert reply.text == CITY_IN_INDONESIA[locale]

    # Back: the holding house is kept; choosing a country instead replaces it.
    reply = await p.tap(BACK[locale])
    assert reply.text.endswith(
        {
            "id": "Jawaban Anda tadi: 🏠 Di tempat penampungan",
            "jv": "Wangsulan panjenengan wau: 🏠 Wonten papan penampungan",
        }[locale]
    )
    assert (
        reply.buttons[0]
        == {
            "id": "Tetap pakai jawaban ini ▶️",  # the whole answer would not fit on a button
            "jv": "Ngagem wangsulan menika ▶️",
        }[locale]
    )
    reply = await p.tap(tr(locale, "Malaysia"))
    assert reply.text == tr(locale, "In which city or area?")
    reply = await p.tap(BACK[locale])
    assert reply.buttons[0] == {"id": "Tetap: Malaysia ▶️", "jv": "Tetep: Malaysia ▶️"}[locale]
    # And back to the holding house: never a country and a place in Indonesia together.
    reply = await p.tap(WHERE[locale][1])
    assert reply.text == CITY_IN_INDONESIA[locale]
    await p.say("Bekasi")
    for _ in range(3):  # employer, last contact, contact
        await p.tap(SKIP[locale])
    await p.say(DESCRIPTION)
    review = await p.tap(label(locale, "button", "Continue ▶️"))
    assert tr(locale, "For: a family member") in review.text.splitlines()
    assert WORDS["penampungan"][locale] in review.text.splitlines()
    await p.tap(label(locale, "button", "✅ Send to the officers"))
    [case] = await cases_of(db, await person_id(db, 1402))
    assert case.subject == {
        "name": "Siti Aminah",
        "relationship": "sibling",
        "where": "penampungan",
        "city": "Bekasi",
    }
    await sweep()
    page = await bu.tap(label(locale, "button", "📂 Open the case"))
    lines = page.text.splitlines()
    assert tr(locale, "For: a family member ({name})", name="Siti Aminah") in lines
    assert WORDS["penampungan"][locale] in lines
    assert lines.index(WORDS["penampungan"][locale]) < lines.index(
        tr(locale, "City or area") + ": Bekasi"
    )


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_before_departure_for_a_family_member(person, db, locale):
    p = await villager(person, 1403, locale=locale)
    await p.say("/tolong")
    await p.tap(category_label(locale, "pre_departure"))
    await p.tap(FAMILY_BUTTON[locale])
    await p.say("Siti Aminah")
    reply = await p.tap(label(locale, "relationship", "daughter or son"))
    assert reply.text == WHERE_NOW["family", locale]
    assert reply.buttons[:2] == WHERE[locale]
    # A foreign country typed is still an answer (someone may have left after all).
    reply = await p.say("Hong Kong")
    assert reply.text == tr(locale, "In which city or area?")
    user_data = await data_of(db, 1403)
    assert user_data["subject"]["country"] == "Hong Kong"
    assert "where" not in user_data["subject"]


async def data_of(db, telegram_id: int):
    from sqlalchemy import select

    from storage.models import User

    db.expire_all()
    return (
        (await db.scalars(select(User).where(User.person_id == await person_id(db, telegram_id))))
        .one()
        .dialog_data
    )


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_a_forged_where_has_expired(person, db, locale):
    p = await villager(person, 1404, locale=locale)
    await p.say("/tolong")
    await p.tap(category_label(locale, "pre_departure"))
    await p.tap(label(locale, "button", "Me"))
    reply = await p.press("hr:where:moon")
    assert reply.toast == tr(locale, "This button has expired.")
    assert (await data_of(db, 1404))["subject"] == {}
    await p.tap(label(locale, "button", "« Back"))  # at "who needs help" now
    reply = await p.press("hr:where:indonesia")  # the old country message's button
    assert reply.toast == tr(locale, "This button has expired.")
    assert (await data_of(db, 1404))["subject"] == {}
