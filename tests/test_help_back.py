"""Issue 13: "« Back" on every step of the help request goes exactly one step back and
keeps every answer; going forward again offers to keep them (id and jv)."""

from __future__ import annotations

import pytest

from tests.announcing import villager
from tests.helping import cases_of, category_label
from tests.people import person as person_id
from tests.transcript import label, sees, tr

LOCALES = ("id", "jv")
BACK = {"id": "« Kembali", "jv": "« Wangsul"}
CANCEL = {"id": "✖️ Batalkan permintaan", "jv": "✖️ Batalaken panyuwunan"}
SKIP = {"id": "Lewati ⏭", "jv": "Langkungi ⏭"}
SO_FAR = {"id": "Jawaban Anda tadi: {answer}", "jv": "Wangsulan panjenengan wau: {answer}"}
KEEP = {"id": "Tetap: {answer} ▶️", "jv": "Tetep: {answer} ▶️"}
WHERE = {
    "id": ["🇮🇩 Masih di Indonesia", "🏠 Di tempat penampungan"],
    "jv": ["🇮🇩 Taksih wonten Indonesia", "🏠 Wonten papan penampungan"],
}
COUNTRY_FAMILY = {
    "id": "Di negara mana dia sekarang?\nAtau ketik nama negaranya.",
    "jv": "Sapunika piyambakipun wonten ing negari pundi?\nUtawi ketik nami negarinipun.",
}
RELATIONSHIP = {"id": "anak perempuan atau laki-laki", "jv": "putri utawi putra"}
DESCRIPTION = "Sudah tiga minggu tidak ada kabar. Agensi tidak menjawab telepon."
FAMILY_ANSWERS = {
    "name": "Siti Aminah",
    "relationship": "child",
    "country": "Malaysia",
    "city": "Kuala Lumpur",
    "employer": "PT Maju Jaya",
    "last_contact": "More than a month ago",  # a range button, stored in the person's words
    "contact": "0812 3456 7890",
}
WHO_FAMILY = {
    "id": "Siapa yang perlu dibantu?\n\nJawaban Anda tadi: Anggota keluarga",
    "jv": "Sinten ingkang mbetahaken pitulungan?\n\nWangsulan panjenengan wau: Kulawarga",
}
WHO_ME = {
    "id": "Siapa yang perlu dibantu?\n\nJawaban Anda tadi: Saya sendiri",
    "jv": "Sinten ingkang mbetahaken pitulungan?\n\nWangsulan panjenengan wau: Kula piyambak",
}
QUESTIONS = {
    "name": "What is the name of your family member who needs help?",
    "country": "In which country are they now?",
    "city": "In which city or area?",
    "employer": "The name of the employer or the licensed placement agency",
    "last_contact": "When did you last hear from them?",
    "contact": "Their phone or WhatsApp number",
}


KEEP_THIS = {"id": "Tetap pakai jawaban ini ▶️", "jv": "Ngagem wangsulan menika ▶️"}


def keep(locale: str, answer: str) -> str:
    """The Keep button: with the answer when it fits on a button, never cut."""
    whole = KEEP[locale].format(answer=answer)
    return whole if len(whole.replace("\ufe0f", "")) <= 30 else KEEP_THIS[locale]


async def walk_family(p, locale: str):
    """Category → for_whom → every detail → the description, all answered."""
    await p.say("/tolong")
    await p.tap(category_label(locale, "lost_contact"))  # no contacts screen
    await p.tap(label(locale, "button", "A family member"))
    await p.say("Siti Aminah")
    await p.tap(label(locale, "relationship", "daughter or son"))
    await p.tap("Malaysia")
    await p.say("Kuala Lumpur")
    await p.say("PT Maju Jaya")
    await p.tap(tr(locale, "More than a month ago"))
    await p.say("0812 3456 7890")
    return await p.say(DESCRIPTION)


@pytest.mark.parametrize("locale", LOCALES)
async def test_back_from_every_step_of_the_family_path_keeps_the_answers(person, db, locale):
    p = await villager(person, 1301, locale=locale)
    reply = await walk_family(p, locale)
    sees(reply, locale, "Received. You can send more")
    assert reply.buttons == [label(locale, "button", "Continue ▶️"), BACK[locale], CANCEL[locale]]

    # Back, step by step, to the first question: each shows the answer it has.
    kept = {
        "contact": "0812 3456 7890",
        "last_contact": tr(locale, "More than a month ago"),
        "employer": "PT Maju Jaya",
        "city": "Kuala Lumpur",
        "country": "Malaysia",
    }
    for step, answer in kept.items():
        reply = await p.tap(BACK[locale])
        sees(reply, locale, QUESTIONS[step])
        assert reply.text.endswith("\n\n" + SO_FAR[locale].format(answer=answer))
        assert reply.buttons[0] == keep(locale, answer)
        assert reply.buttons[-2:] == [BACK[locale], CANCEL[locale]]
        if step in ("contact", "last_contact", "employer", "city"):
            assert reply.buttons[-3] == SKIP[locale]
    # The country question: the kept answer first, then "in Indonesia", then abroad.
    assert reply.text == COUNTRY_FAMILY[locale] + "\n\n" + SO_FAR[locale].format(answer="Malaysia")
    assert reply.buttons[:3] == [KEEP[locale].format(answer="Malaysia"), *WHERE[locale]]

    reply = await p.tap(BACK[locale])
    assert (
        reply.text.splitlines()[0]
        == {
            "id": "Siti Aminah adalah … saya",
            "jv": "Siti Aminah punika … kula",
        }[locale]
    )
    assert reply.text.endswith(SO_FAR[locale].format(answer=RELATIONSHIP[locale]))
    assert reply.buttons[0] == keep(locale, RELATIONSHIP[locale])
    assert reply.buttons[-2:] == [BACK[locale], CANCEL[locale]]

    reply = await p.tap(BACK[locale])
    sees(reply, locale, QUESTIONS["name"])
    assert reply.text.endswith(SO_FAR[locale].format(answer="Siti Aminah"))
    assert reply.buttons == [
        KEEP[locale].format(answer="Siti Aminah"),
        BACK[locale],
        CANCEL[locale],
    ]

    reply = await p.tap(BACK[locale])  # name → who needs help
    assert reply.text == WHO_FAMILY[locale]
    assert reply.buttons == [
        label(locale, "button", "Me"),
        label(locale, "button", "A family member"),
        BACK[locale],
        CANCEL[locale],
    ]
    reply = await p.tap(BACK[locale])  # for_whom → category, the first step: no Back
    sees(reply, locale, "<b>🆘 Ask for help</b>")
    assert reply.text.endswith(
        "\n\n" + SO_FAR[locale].format(answer=category_label(locale, "lost_contact"))
    )
    assert BACK[locale] not in reply.buttons
    assert reply.buttons[-1] == CANCEL[locale]

    # Nothing was lost on the way back.
    user = await user_row(db, 1301)
    assert (user.dialog, user.step) == ("help", "category")
    assert user.dialog_data["subject"] == {
        "name": "Siti Aminah",
        "relationship": "child",
        "country": "Malaysia",
        "city": "Kuala Lumpur",
        "employer": "PT Maju Jaya",
        "last_contact": tr(locale, "More than a month ago"),
        "contact": "0812 3456 7890",
    }
    assert user.dialog_data["description"] == DESCRIPTION

    # Forward again: the same answers, kept with one tap each; a typed name replaces one.
    await p.tap(category_label(locale, "lost_contact"))
    reply = await p.tap(label(locale, "button", "A family member"))
    assert reply.buttons[0] == KEEP[locale].format(answer="Siti Aminah")
    reply = await p.say("Siti Rahayu")  # typed instead: replaces the name
    assert (
        reply.text.splitlines()[0]
        == {
            "id": "Siti Rahayu adalah … saya",
            "jv": "Siti Rahayu punika … kula",
        }[locale]
    )
    for _ in range(6):  # relationship … contact
        reply = await p.tap(reply.buttons[0])
    sees(reply, locale, "Received. You can send more")  # the description is still there
    reply = await p.tap(label(locale, "button", "Continue ▶️"))
    sees(reply, locale, "<b>Please check your request</b>")
    assert tr(locale, "What happened: {text}", text=DESCRIPTION) in reply.text.splitlines()
    assert tr(locale, "For: a family member") in reply.text.splitlines()
    await p.tap(label(locale, "button", "✅ Send to the officers"))
    [case] = await cases_of(db, await person_id(db, 1301))
    assert case.for_whom == "family"
    assert case.description == DESCRIPTION
    assert case.subject == {
        "name": "Siti Rahayu",
        "relationship": "child",
        "country": "Malaysia",
        "city": "Kuala Lumpur",
        "employer": "PT Maju Jaya",
        "last_contact": tr(locale, "More than a month ago"),
        "contact": "0812 3456 7890",
    }
    assert case.urgent is True  # the range was kept too: more than a month is urgent


async def user_row(db, telegram_id: int):
    from sqlalchemy import select

    from storage.models import User

    db.expire_all()
    return (
        await db.scalars(select(User).where(User.person_id == await person_id(db, telegram_id)))
    ).one()


CONTACTS_SHOWN = "<b>🚨 If someone is in danger now, call for help first:</b>"


@pytest.mark.parametrize("locale", LOCALES)
async def test_back_on_the_self_path_through_the_contacts_screen(person, db, locale):
    p = await villager(person, 1302, locale=locale, role="abroad")
    await p.say("/tolong")
    reply = await p.tap(category_label(locale, "violence"))  # urgent: the contacts first
    sees(reply, locale, CONTACTS_SHOWN)
    assert reply.buttons == [
        label(locale, "button", "Continue the request ▶️"),
        BACK[locale],
        CANCEL[locale],
    ]
    await p.tap(label(locale, "button", "Continue the request ▶️"))
    reply = await p.tap(label(locale, "button", "Me"))
    sees(reply, locale, "In which country are you now?")
    await p.tap("Malaysia")
    await p.tap(SKIP[locale])  # no city
    reply = await p.say("PT Maju Jaya")
    # The description has nothing yet: Back and Cancel only.
    assert reply.buttons == [BACK[locale], CANCEL[locale]]
    reply = await p.tap(BACK[locale])  # description → employer
    sees(reply, locale, QUESTIONS["employer"])
    assert reply.text.endswith(SO_FAR[locale].format(answer="PT Maju Jaya"))
    reply = await p.tap(BACK[locale])  # employer → city (skipped: nothing to keep)
    assert reply.text == tr(locale, "In which city or area?")
    assert reply.buttons == [SKIP[locale], BACK[locale], CANCEL[locale]]
    reply = await p.tap(BACK[locale])  # city → country
    sees(reply, locale, "In which country are you now?")
    assert reply.buttons[0] == KEEP[locale].format(answer="Malaysia")
    reply = await p.tap(BACK[locale])  # country → who needs help
    assert reply.text == WHO_ME[locale]
    reply = await p.tap(BACK[locale])  # the contacts came between: back to them
    sees(reply, locale, CONTACTS_SHOWN)
    reply = await p.tap(BACK[locale])  # contacts → category
    sees(reply, locale, "<b>🆘 Ask for help</b>")
    assert BACK[locale] not in reply.buttons

    # The same urgent category again: the contacts were seen, so straight to "Who".
    reply = await p.tap(category_label(locale, "violence"))
    assert reply.text == WHO_ME[locale]
    reply = await p.tap(BACK[locale])  # no contacts screen this time: back to the category
    sees(reply, locale, "<b>🆘 Ask for help</b>")
    await p.tap(category_label(locale, "unpaid"))  # another category, answers kept
    reply = await p.tap(label(locale, "button", "Me"))
    assert reply.buttons[0] == KEEP[locale].format(answer="Malaysia")
    await p.tap(reply.buttons[0])
    reply = await p.say("Johor Bahru")  # the city now
    assert reply.buttons[0] == KEEP[locale].format(answer="PT Maju Jaya")
    await p.tap(reply.buttons[0])
    await p.say("Gaji tidak dibayar empat bulan.")
    await p.tap(label(locale, "button", "Continue ▶️"))
    await p.tap(label(locale, "button", "✅ Send to the officers"))
    [case] = await cases_of(db, await person_id(db, 1302))
    assert (case.category, case.for_whom) == ("unpaid", "self")
    assert case.subject == {
        "country": "Malaysia",
        "city": "Johor Bahru",
        "employer": "PT Maju Jaya",
    }


@pytest.mark.parametrize("locale", LOCALES)
async def test_switching_who_needs_help_starts_the_details_afresh(person, db, locale):
    p = await villager(person, 1303, locale=locale)
    await p.say("/tolong")
    await p.tap(category_label(locale, "unpaid"))
    await p.tap(label(locale, "button", "Me"))
    await p.tap("Malaysia")
    await p.tap(BACK[locale])
    await p.tap(BACK[locale])  # country → who needs help
    reply = await p.tap(label(locale, "button", "A family member"))
    # Someone else now: nothing about "me" is offered as their answer.
    assert reply.buttons == [BACK[locale], CANCEL[locale]]
    user = await user_row(db, 1303)
    assert (user.step, user.dialog_data["for_whom"], user.dialog_data["subject"]) == (
        "name",
        "family",
        {},
    )


REVIEW = "<b>Please check your request</b>"


@pytest.mark.parametrize("locale", LOCALES)
async def test_back_in_editing_mode_returns_to_the_review(person, db, locale):
    p = await villager(person, 1304, locale=locale)
    await walk_family(p, locale)
    review = await p.tap(label(locale, "button", "Continue ▶️"))
    sees(review, locale, REVIEW)

    # Edit the category, then Back: the review again, unchanged.
    await p.tap(label(locale, "button", "✏️ Edit"))
    reply = await p.tap(label(locale, "button", "What happened (category)"))
    assert reply.buttons[-2:] == [BACK[locale], CANCEL[locale]]
    reply = await p.tap(BACK[locale])
    assert reply.text == review.text

    # An urgent category in editing: its contacts, Back to the category, Back to the review.
    await p.tap(label(locale, "button", "✏️ Edit"))
    await p.tap(label(locale, "button", "What happened (category)"))
    reply = await p.tap(category_label(locale, "trafficking"))
    sees(reply, locale, CONTACTS_SHOWN)
    reply = await p.tap(BACK[locale])
    sees(reply, locale, "<b>🆘 Ask for help</b>")
    reply = await p.tap(BACK[locale])  # the review, with the category chosen: kept
    sees(reply, locale, REVIEW)
    assert reply.text.splitlines()[1] == category_label(locale, "trafficking") + " · " + tr(
        locale, "🚨 URGENT"
    )
    assert reply.text.splitlines()[2:] == review.text.splitlines()[2:]
    user = await user_row(db, 1304)
    assert (user.step, user.dialog_data["category"], user.dialog_data["editing"]) == (
        "review",
        "trafficking",
        False,
    )
    review = reply

    # Edit the details: one step back inside the edit, and from its first step the review.
    await p.tap(label(locale, "button", "✏️ Edit"))
    reply = await p.tap(label(locale, "button", "Who needs help (details)"))
    assert reply.buttons[-2:] == [BACK[locale], CANCEL[locale]]
    reply = await p.tap(label(locale, "button", "A family member"))
    reply = await p.tap(reply.buttons[0])  # keep the name
    reply = await p.tap(BACK[locale])  # relationship → name
    sees(reply, locale, QUESTIONS["name"])
    reply = await p.tap(BACK[locale])  # name → who needs help
    assert reply.text == WHO_FAMILY[locale]
    reply = await p.tap(BACK[locale])  # the edit's first step → the review
    assert reply.text == review.text

    # Change one answer in the edit: every other answer is kept.
    await p.tap(label(locale, "button", "✏️ Edit"))
    await p.tap(label(locale, "button", "Who needs help (details)"))
    reply = await p.tap(label(locale, "button", "A family member"))
    for _ in range(3):  # name, relationship, country
        reply = await p.tap(reply.buttons[0])
    reply = await p.say("Penang")
    for _ in range(3):  # employer, last contact, contact: then the review
        reply = await p.tap(reply.buttons[0])
    sees(reply, locale, REVIEW)
    lines = reply.text.splitlines()
    assert tr(locale, "City or area") + ": Penang" in lines
    assert tr(locale, "Name") + ": Siti Aminah" in lines
    await p.tap(label(locale, "button", "✅ Send to the officers"))
    [case] = await cases_of(db, await person_id(db, 1304))
    assert case.subject["city"] == "Penang"
    assert case.subject["contact"] == "0812 3456 7890"
    assert case.description == DESCRIPTION


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_stale_back_has_expired(person, db, locale):
    p = await villager(person, 1305, locale=locale)
    await p.say("/tolong")
    await p.tap(category_label(locale, "unpaid"))
    await p.tap(label(locale, "button", "Me"))
    await p.tap("Malaysia")  # now at the city
    # The country's Back, from an old message: expired, and the city is asked again.
    reply = await p.press("hr:back:country")
    assert reply.toast == tr(locale, "This button has expired.")
    sees(reply, locale, "That button is no longer valid. Here is where we are:")
    sees(reply, locale, "In which city or area?")
    # A Back the first step does not have, and a step that does not exist: expired too.
    for forged in ("hr:back:category", "hr:back:review", "hr:back:nowhere"):
        reply = await p.press(forged)
        assert reply.toast == tr(locale, "This button has expired.")
    user = await user_row(db, 1305)
    assert (user.step, user.dialog_data["subject"]) == ("city", {"country": "Malaysia"})
    # After the request is cancelled, no Back brings it back.
    await p.tap(CANCEL[locale])
    reply = await p.press("hr:back:city")
    assert reply.toast == tr(locale, "This button has expired.")
    user = await user_row(db, 1305)
    assert user.dialog is None
    assert await cases_of(db, await person_id(db, 1305)) == []


@pytest.mark.parametrize("locale", LOCALES)
async def test_back_after_someone_in_danger_now(person, db, locale):
    p = await villager(person, 1306, locale=locale)
    await p.say("/tolong")
    reply = await p.tap(label(locale, "button", "🚨 Someone is in danger now"))
    sees(reply, locale, CONTACTS_SHOWN)
    assert reply.buttons[-2:] == [BACK[locale], CANCEL[locale]]
    reply = await p.tap(BACK[locale])  # back to the categories; the danger is kept
    sees(reply, locale, "<b>🆘 Ask for help</b>")
    assert label(locale, "button", "🚨 Someone is in danger now") not in reply.buttons
    assert BACK[locale] not in reply.buttons
    reply = await p.tap(category_label(locale, "unpaid"))  # the contacts, not seen through
    sees(reply, locale, CONTACTS_SHOWN)
    await p.tap(label(locale, "button", "Continue the request ▶️"))
    reply = await p.tap(BACK[locale])  # for_whom → the contacts it came through
    sees(reply, locale, CONTACTS_SHOWN)
    await p.tap(label(locale, "button", "Continue the request ▶️"))
    await p.tap(label(locale, "button", "Me"))
    # A Keep with nothing to keep is forged: expired, nothing stored.
    reply = await p.press("hr:keep")
    assert reply.toast == tr(locale, "This button has expired.")
    user = await user_row(db, 1306)
    assert (user.step, user.dialog_data["danger"], user.dialog_data["subject"]) == (
        "country",
        True,
        {},
    )
