"""Issue 13, "nothing they wrote is lost": at the review (and the edit menu) typed text is
added to the description and a photo, voice note or document to the files, with the limits
of the description step; a help word typed there is added too. Indonesian and Javanese,
exact texts and the database."""

from __future__ import annotations

import pytest

from tests.helping import ask_for_help, cases_of
from tests.people import person as person_id
from tests.test_help_drafts import DESCRIPTION, user_row
from tests.test_limits import plural, too_long, too_many_files
from tests.transcript import I18N, label, tr

LOCALES = ("id", "jv")
ADDED = {
    "id": "Sudah ditambahkan ke permintaan Anda.",
    "jv": "Sampun dipuntambahaken dhateng panyuwunan panjenengan.",
}
CALM = {
    "id": "Di sini saya bisa menerima teks, foto dokumen, atau pesan suara.",
    "jv": "Ing ngriki kula saged nampi teks, foto dokumen utawi pesen swanten.",
}


async def at_review(person, user_id: int, locale: str):
    from tests.announcing import villager

    p = await villager(person, user_id, locale=locale)
    review = await ask_for_help(p, locale=locale, for_whom="self", send=False)
    return p, review.messages[-1].text


def what_happened(locale: str, description: str) -> str:
    return tr(locale, "What happened: {text}", text=description)


def files(locale: str, **counts: int) -> str:
    _ = I18N.translator(locale)
    words = {
        "photo": ("{n} photo", "{n} photos"),
        "voice": ("{n} voice note", "{n} voice notes"),
        "document": ("{n} document", "{n} documents"),
    }
    shown = ", ".join(_.ngettext(*words[kind], n) for kind, n in counts.items())
    return tr(locale, "Files: {files}", files=shown)


@pytest.mark.parametrize("locale", LOCALES)
async def test_text_a_photo_and_a_voice_note_at_the_review_are_added(person, db, locale):
    p, review = await at_review(person, 721, locale)
    reply = await p.say("Majikan juga menahan paspor.")
    description = DESCRIPTION + "\n\nMajikan juga menahan paspor."
    expected = review.replace(
        what_happened(locale, DESCRIPTION), what_happened(locale, description)
    )
    assert reply.text == ADDED[locale] + "\n\n" + expected
    assert reply.buttons[-3:] == [
        label(locale, "button", "✅ Send to the officers"),
        label(locale, "button", "✏️ Edit"),
        label(locale, "button", "✖️ Cancel the request"),
    ]
    user = await user_row(db, 721)
    assert (user.step, user.dialog_data["description"]) == ("review", description)

    reply = await p.send("photo")
    assert reply.text == ADDED[locale] + "\n\n" + expected + "\n" + files(locale, photo=1)
    reply = await p.send("voice")
    assert reply.text.endswith("\n" + files(locale, photo=1, voice=1))
    assert reply.text.startswith(ADDED[locale] + "\n\n")
    assert [a["kind"] for a in (await user_row(db, 721)).dialog_data["attachments"]] == [
        "photo",
        "voice",
    ]

    await p.tap(label(locale, "button", "✅ Send to the officers"))
    [case] = await cases_of(db, await person_id(db, 721))
    assert case.description == description
    assert [a["kind"] for a in case.attachments] == ["photo", "voice"]


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_help_word_at_the_review_is_added_not_a_new_request(person, db, locale):
    words = {"id": "tolong cepat, saya takut", "jv": "tulung enggal, kula ajrih"}
    p, _review = await at_review(person, 722, locale)
    reply = await p.say(words[locale])
    assert reply.text.startswith(ADDED[locale] + "\n\n")
    user = await user_row(db, 722)
    assert (user.dialog, user.step) == ("help", "review")
    assert user.dialog_data["description"] == DESCRIPTION + "\n\n" + words[locale]
    assert "resume" not in user.dialog_data


@pytest.mark.parametrize("locale", LOCALES)
async def test_too_long_text_at_the_review_is_refused_whole(person, db, locale):
    p, review = await at_review(person, 723, locale)
    assert len(DESCRIPTION) == 65
    reply = await p.say("x" * 3934)  # 65 + the blank line + 3,934 = 4,001
    assert reply.text == too_long(locale, used="65", left="3.933", count="3.934") + "\n\n" + review
    assert (await user_row(db, 723)).dialog_data["description"] == DESCRIPTION
    reply = await p.say("x" * 3933)  # exactly 4,000
    assert reply.text.startswith(ADDED[locale] + "\n\n")
    assert len((await user_row(db, 723)).dialog_data["description"]) == 4000


@pytest.mark.parametrize("locale", LOCALES)
async def test_the_eleventh_file_at_the_review_is_refused(person, db, locale):
    p, _review = await at_review(person, 724, locale)
    for number in range(10):
        reply = await p.send("document" if number % 2 else "photo")
        assert reply.text.startswith(ADDED[locale] + "\n\n")
    reply = await p.send("voice")
    assert reply.text.startswith(too_many_files(locale) + "\n\n")
    assert reply.text.endswith("\n" + files(locale, photo=5, document=5))
    assert len((await user_row(db, 724)).dialog_data["attachments"]) == 10


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_sticker_at_the_review_gets_the_calm_answer(person, db, locale):
    p, review = await at_review(person, 725, locale)
    before = (await user_row(db, 725)).dialog_data
    for kind in ("sticker", "location"):
        reply = await p.send(kind)
        assert reply.text == CALM[locale] + "\n\n" + review
    assert (await user_row(db, 725)).dialog_data == before


@pytest.mark.parametrize("locale", LOCALES)
async def test_text_at_the_edit_menu_is_added_and_the_review_shown(person, db, locale):
    p, review = await at_review(person, 726, locale)
    reply = await p.tap(label(locale, "button", "✏️ Edit"))
    assert reply.text == tr(locale, "What do you want to change?")
    reply = await p.say("Nomor agensi 021 555 0101")
    description = DESCRIPTION + "\n\nNomor agensi 021 555 0101"
    expected = review.replace(
        what_happened(locale, DESCRIPTION), what_happened(locale, description)
    )
    assert reply.text == ADDED[locale] + "\n\n" + expected
    user = await user_row(db, 726)
    assert (user.step, user.dialog_data["description"]) == ("review", description)
    reply = await p.tap(label(locale, "button", "✏️ Edit"))
    reply = await p.send("photo")
    assert reply.text.endswith("\n" + files(locale, photo=1))
    assert plural(locale, "{n} photo", 1) in reply.text
