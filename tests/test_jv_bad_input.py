"""Bad input inside feature dialogs (issue 13), in Indonesian and Javanese: a sticker, a
photo, a location, 5,000 characters, emoji, an unknown command, a stale and a forged button
in the checklist set-up, the job check, the profile edit and the expiry date each get a calm
answer and the same question again, and nothing is stored or changed. (The onboarding
steps are tests/test_bad_input.py.)"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import func, select

from storage.models import Checklist, ChecklistMark, JobCheck, User
from tests.announcing import villager
from tests.people import row_of
from tests.test_checklist import SCHEME, set_up
from tests.transcript import label, tr


async def checklist_scheme(p, locale):
    await p.say("/persiapan")


async def checklist_departure(p, locale):
    await p.say("/persiapan")
    await p.tap(label(locale, "scheme", SCHEME["p3mi"]))
    await p.tap(label(locale, "", "Hong Kong"))
    await p.tap(label(locale, "", "Domestic work and care"))


async def job_check(p, locale):
    await p.say("/cekkerja")
    await p.tap(label(locale, "", "A calo, sponsor or relative"))


async def profile_village(p, locale):
    await p.say("/profil")
    await p.tap(label(locale, "button", "Change village"))


async def profile_village_name(p, locale):
    await profile_village(p, locale)
    await p.tap(label(locale, "button", "Another village…"))


async def expiry_date(p, locale):
    await set_up(p, locale)
    await p.tap("⬜ " + label(locale, "", "Passport"))
    await p.tap(label(locale, "button", "📅 Enter the expiry date"))


# Each step, what it asks in Javanese, and what typed text there gets (None: buttons only).
STEPS: dict[str, tuple[Callable[..., Awaitable[None]], str, str | None]] = {
    "checklist scheme": (
        checklist_scheme,
        "🧳 Daftar persiapan bidhal\nWonten sawetawis pitakenan supados daftar persiapan "
        "menika cocog kaliyan rencana panjenengan.\n\nPenempatan panjenengan ing luar negeri "
        "badhe lumantar pundi?",
        None,
    ),
    "checklist departure": (
        checklist_departure,
        "Benjing menapa panjenengan badhe bidhal? Sumangga ketik tanggalipun, upaminipun "
        "15-03-2027 utawi 15/3/2027, utawi wulanipun kemawon, upaminipun Maret 2027 utawi "
        "wulan ngajeng.",
        "I could not read that date. Please type it like 15-03-2027.",
    ),
    "job check": (
        job_check,
        "🔎 Pamriksan tawaran padamelan (2 / 12)\n",  # the question itself is content
        None,
    ),
    "profile village": (profile_village, "Panjenengan manggen ing desa pundi?", None),
    "profile village name": (
        profile_village_name,
        "Sumangga ketik nami desa saha kecamatan panjenengan.",
        "Please type just the name of your village, in letters (at most {limit} characters).",
    ),
    "expiry date": (
        expiry_date,
        "Laku dumugi tanggal pinten (Paspor)? Sumangga ketik tanggalipun, upaminipun "
        "15-03-2030, utawi wulanipun, upaminipun Maret 2030.",
        "I could not read that date. Please type it like 15-03-2027.",
    ),
}
MEDIA_HINT = "I can only read text messages and button taps here."
BUTTONS_HINT = "Please answer with one of the buttons below."
STALE = "That button is no longer valid. Here is where we are:"
INPUTS = ["sticker", "photo", "location", "x" * 5000, "😀🙏🇮🇩", "/terbang", "stale", "forged"]
JV = {
    MEDIA_HINT: "Ing ngriki kula namung saged maos pesen teks saha pencetan tombol.",
    BUTTONS_HINT: "Sumangga mangsuli mawi salah satunggaling tombol ing ngandhap.",
    STALE: "Tombol menika sampun boten laku. Kita lajengaken saking ngriki:",
    "I do not know the command {command}. Try /menu or /bantuan.": (
        "Kula boten mangertos printah /terbang. Sumangga cobi /menu utawi /bantuan."
    ),
    "I could not read that date. Please type it like 15-03-2027.": (
        "Kula boten saged maos tanggal menika. Sumangga ketik kados makaten: 15-03-2027."
    ),
    "Please type just the name of your village, in letters (at most {limit} characters).": (
        "Sumangga ketik nami desa panjenengan kemawon, mawi huruf (paling kathah 60 huruf)."
    ),
}


def expected_hint(locale: str, given: str, typed_hint: str | None) -> str:
    if given in ("sticker", "photo", "location"):
        message = MEDIA_HINT
    elif given in ("stale", "forged"):
        message = STALE
    elif given.startswith("/"):
        message = "I do not know the command {command}. Try /menu or /bantuan."
    else:
        message = typed_hint or BUTTONS_HINT
    if locale == "jv":
        return JV[message]
    return tr(locale, message, command="/terbang", limit=60)


async def stored(db, user_id: int) -> tuple:
    db.expire_all()
    user = await row_of(db, User, user_id)
    counts = [
        await db.scalar(select(func.count()).select_from(model))
        for model in (Checklist, ChecklistMark, JobCheck)
    ]
    return (user.dialog, user.step, user.dialog_data, user.village_id, user.other_village, counts)


# Every input in Javanese; a few in Indonesian, which tests/test_bad_input.py covers more.
CASES = [("jv", given) for given in INPUTS] + [
    ("id", given) for given in ("photo", "x" * 5000, "/terbang", "forged")
]


@pytest.mark.parametrize("step", list(STEPS))
@pytest.mark.parametrize(("locale", "given"), CASES, ids=lambda value: value[:10])
async def test_bad_input_in_a_feature_dialog_gets_the_question_again(
    person, db, locale, step, given
):
    p = await villager(person, 4101, locale=locale, role="prospective")
    consent_message = p.last_with_buttons().message_id  # the consent screen, now the menu
    walk, question_jv, typed_hint = STEPS[step]
    await walk(p, locale)
    asked = p.emulator.bot_messages(p.chat_id)[-1]  # the question, with its buttons if any
    question = asked.text
    if locale == "jv":
        assert question.startswith(question_jv), question
    before = await stored(db, 4101)
    assert before[0] is not None  # inside the dialog

    if given in ("sticker", "photo", "location"):
        reply = await p.send(given)  # type: ignore[arg-type]
    elif given == "stale":
        reply = await p.press("ob:consent:yes", consent_message)
    elif given == "forged":
        reply = await p.press("zz:" + "9" * 61)
    else:
        reply = await p.say(given)

    assert reply.text == expected_hint(locale, given, typed_hint) + "\n\n" + question
    assert reply.buttons == asked.button_labels()  # the same buttons, whatever they are
    expired = {
        "id": tr("id", "This button has expired."),
        "jv": "Tombol menika sampun boten saged dipunginakaken malih.",
    }[locale]
    assert reply.toast == (expired if given in ("stale", "forged") else None)
    assert await stored(db, 4101) == before


QUIZ_QUESTION = "Pitakenan 1 / 10\n\n"


@pytest.mark.parametrize("given", ["sticker", "x" * 5000, "forged"], ids=lambda g: g[:10])
async def test_bad_input_during_a_quiz_question_gets_the_question_again(person, given):
    p = await villager(person, 4102, locale="jv", role="prospective")
    await p.say("/kuis")
    if given == "sticker":
        reply = await p.send("sticker")
    elif given == "forged":
        reply = await p.press("qz:a:999:0:a")
    else:
        reply = await p.say(given)
    assert QUIZ_QUESTION in reply.text
