"""Typed text is read for what the person means (issue 13): the matcher over real-style
messages in Indonesian, Javanese and English, and transcripts through the real app."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot.content.errors import ContentError
from bot.content.lexicon import LEXICON_FILE, load_lexicon
from bot.understanding import Matcher, Reading, normalise, read
from storage.models import User
from tests.announcing import villager
from tests.helping import ask_for_help, category_label
from tests.people import person as person_id
from tests.transcript import first_line, full_message, label, sees, tr

MESSAGES = yaml.safe_load(
    Path(__file__).with_name("understanding_messages.yaml").read_text(encoding="utf-8")
)
CASES = [(language, *row.rsplit(" => ", 1)) for language, rows in MESSAGES.items() for row in rows]
DANGER = "<b>🚨 If someone is in danger now, call for help first:</b>"
UNKNOWN = "I am not sure what you mean."
HELLO = "Hello! I am the Desmigratif assistant. How can I help?"
THANKS = "You are welcome! I am here when you need me."
SOUNDS = "It sounds like: {category}."
KEPT = "What you were doing before is kept."
BACK_LABEL = "↩️ Back to where I was"
MENU = "<b>Main menu</b>\nWhat would you like to do?"


def expected_reading(expected: str) -> Reading:
    intent, _, category = expected.partition(":")
    if intent == "danger":
        return Reading("help", category or None, danger=True)
    return Reading(intent, category or None)


# --- the matcher -------------------------------------------------------------------------


def test_at_least_a_hundred_messages_per_language():
    assert {language: len(rows) >= 100 for language, rows in MESSAGES.items()} == {
        "id": True,
        "jv": True,
        "en": True,
    }


@pytest.mark.parametrize(("language", "text", "expected"), CASES)
def test_reads_what_the_message_means(language, text, expected):
    reading = read(text)
    if ":" not in expected and reading.intent == "help":
        reading = Reading("help", None, reading.danger)  # the category is not pinned
    assert reading == expected_reading(expected), language


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("TOLOOONG!!!", "tolong"),
        ("Assalamu'alaikum 🙏", "asalamualaikum"),
        ("tidak,ada...kabar", "tidak ada kabar"),
        ("😀🙏🇮🇩", ""),
        ("Matur nuwun sanget", "matur nuwun sanget"),
    ],
)
def test_normalise(text, normal):
    assert normalise(text) == normal


@pytest.mark.parametrize(
    "text",
    [
        "terima kasih sudah membantu",
        "matur nuwun sampun dipunbantu",
        "bantu saya cek kerja",
        "kuis perdagangan orang",
        "soal kuis tentang kerja paksa",
        "thanks for the help",
        "kabar baik",
        "anak saya sudah pulang",
        "wis ana kabar",
    ],
)
def test_what_must_never_start_a_request(text):
    assert read(text).intent != "help"


def test_a_typo_needs_five_letters_and_never_turns_a_known_word():
    assert read("hilnag").intent == "help"  # one swap away from "hilang"
    assert read("tlong").intent == "help"  # five letters: one letter missing is forgiven
    assert read("bntu") == Reading("unknown")  # four letters: too short to be corrected
    assert read("ada kabar") == Reading("unknown")  # "kabar" is never read as "kabur"


def write_lexicon(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lexicon.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{intent: help, category: lost, why: 'no such category', phrases: [x]}", "unknown help"),
        ("{intent: thanks, category: other, why: 'thanks with a category', phrases: [x]}", "only"),
        ("{intent: help, why: 'two meanings here', phrases: [menu]}", "two meanings"),
        ("{intent: help, why: 'no letters in it', phrases: ['!!']}", "no letters"),
        ("{intent: help, why: 'short', phrases: [x]}", "at least 10"),
    ],
)
def test_a_broken_lexicon_is_refused(tmp_path, entry, message):
    text = f"""version: 1
languages:
  id: [{entry}, {{intent: menu, why: "the main menu", phrases: [menu]}}]
  jv: [{{intent: menu, why: "the main menu", phrases: [menu]}}]
  en: [{{intent: menu, why: "the main menu", phrases: [menu]}}]
"""
    with pytest.raises(ContentError, match=message):
        load_lexicon.__wrapped__(write_lexicon(tmp_path, text))


def test_every_entry_says_why_and_the_real_lexicon_loads():
    lexicon = load_lexicon(LEXICON_FILE)
    assert all(len(entry.why) >= 10 for entry in lexicon.entries())
    assert Matcher(lexicon).read("tolong") == Reading("help")


# --- through the app ---------------------------------------------------------------------

HELP_WORDS = {
    "id": "Tolong anak saya hilang di Malaysia",
    "jv": "Tulung, anakku ilang nang Malaysia, ora ana kabar",
}
DANGER_WORDS = {"id": "majikan memukul adik saya sekarang", "jv": "adhiku digebugi majikane"}


async def dialog_of(db, user_id: int) -> tuple[str | None, str | None, dict | None]:
    db.expire_all()
    user = (
        await db.scalars(select(User).where(User.person_id == await person_id(db, user_id)))
    ).one()
    return user.dialog, user.step, user.dialog_data


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_help_words_start_the_request_with_the_category_chosen(person, db, locale):
    p = await villager(person, 1301, locale=locale)
    reply = await p.say(HELP_WORDS[locale])
    sees(reply, locale, SOUNDS, category=category_label(locale, "lost_contact"))
    sees(reply, locale, "Who needs help?")
    assert reply.buttons == [
        label(locale, "button", "Me"),
        label(locale, "button", "A family member"),
        label(locale, "button", "« Back"),
        label(locale, "button", "✖️ Cancel the request"),
    ]
    assert await dialog_of(db, 1301) == ("help", "for_whom", {"category": "lost_contact"})


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_danger_words_show_the_emergency_contacts_first(person, db, locale):
    p = await villager(person, 1302, locale=locale)
    reply = await p.say(DANGER_WORDS[locale])
    assert reply.text.startswith(first_line(locale, DANGER))
    assert "110" in reply.text
    assert reply.buttons[0] == label(locale, "button", "Continue the request ▶️")
    assert await dialog_of(db, 1302) == (
        "help",
        "contacts",
        {"category": "violence", "danger": True},
    )
    reply = await p.tap(label(locale, "button", "Continue the request ▶️"))
    sees(reply, locale, "Who needs help?")


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_danger_words_without_a_category_go_to_the_contacts_then_the_choice(
    person, db, locale
):
    p = await villager(person, 1303, locale=locale)
    reply = await p.say({"id": "saya mau bunuh diri", "jv": "kula badhe bunuh diri"}[locale])
    sees(reply, locale, DANGER)
    assert await dialog_of(db, 1303) == ("help", "contacts", {"danger": True})
    reply = await p.tap(label(locale, "button", "Continue the request ▶️"))
    sees(reply, locale, "<b>🆘 Ask for help</b>")
    assert label(locale, "button", "🚨 Someone is in danger now") not in reply.buttons


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_a_feature_word_opens_the_feature(person, db, locale):
    p = await villager(person, 1304, locale=locale)
    reply = await p.say({"id": "bantu saya cek kerja", "jv": "tulung ngecek lowongan iki"}[locale])
    sees(reply, locale, "<b>🔎 Job offer check</b> ({n} / {total})")
    assert (await dialog_of(db, 1304))[:2] == ("jobcheck", "q0")


@pytest.mark.parametrize("locale", ["id", "jv"])
@pytest.mark.parametrize(
    ("words", "answer"),
    [
        ({"id": "selamat pagi", "jv": "sugeng enjing"}, HELLO),
        ({"id": "terima kasih sudah membantu", "jv": "matur nuwun sampun dipunbantu"}, THANKS),
        ({"id": "berapa biaya ke taiwan", "jv": "pinten biayanipun"}, UNKNOWN),
    ],
)
async def test_greeting_thanks_and_unknown_get_an_answer_and_the_menu(
    person, db, locale, words, answer
):
    p = await villager(person, 1305, locale=locale)
    reply = await p.say(words[locale])
    assert reply.text.startswith(tr(locale, full_message(answer)))
    sees(reply, locale, MENU)
    assert label(locale, "menu", "🆘 Ask for help") in reply.buttons
    assert await dialog_of(db, 1305) == (None, None, None)


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_help_words_inside_a_dialog_leave_it_and_can_go_back(person, db, locale):
    p = await villager(person, 1306, locale=locale)
    await p.say("/cekkerja")
    before = await dialog_of(db, 1306)
    reply = await p.say(HELP_WORDS[locale])
    sees(reply, locale, "Who needs help?")
    sees(reply, locale, KEPT)
    assert reply.buttons == [label(locale, "button", BACK_LABEL)]
    back_message = reply.messages[-1].message_id
    dialog, step, data = await dialog_of(db, 1306)
    assert (dialog, step) == ("help", "for_whom")
    assert data == {
        "category": "lost_contact",
        "resume": {"dialog": before[0], "step": before[1], "data": before[2]},
    }
    reply = await p.tap(label(locale, "button", BACK_LABEL))
    sees(reply, locale, "Back where you were. The request was not sent.")
    sees(reply, locale, "<b>🔎 Job offer check</b> ({n} / {total})")
    assert await dialog_of(db, 1306) == before
    reply = await p.press("un:back", back_message)  # once only
    sees(reply, locale, "That button is no longer valid. Here is where we are:")


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_other_text_inside_a_dialog_is_asked_again(person, db, locale):
    p = await villager(person, 1307, locale=locale)
    await p.say("/cekkerja")
    before = await dialog_of(db, 1307)
    reply = await p.say("halo")
    sees(reply, locale, "Please answer with one of the buttons below.")
    assert await dialog_of(db, 1307) == before


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_help_words_after_the_quiz_start_the_request(person, db, locale):
    p = await villager(person, 1308, locale=locale)
    await p.say("/kuis")
    reply = await p.say(DANGER_WORDS[locale])
    sees(reply, locale, DANGER)
    assert (await dialog_of(db, 1308))[:2] == ("help", "contacts")


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_without_consent_help_words_show_the_emergency_contacts(person, db, locale):
    p = await villager(person, 1309, locale=locale, consent=False)
    reply = await p.say(HELP_WORDS[locale])
    sees(reply, locale, "To send a request to the officers you need to agree")
    sees(reply, locale, DANGER)
    assert await dialog_of(db, 1309) == (None, None, None)


async def test_with_an_open_request_text_is_added_and_danger_shows_the_contacts(person, db):
    p = await villager(person, 1310)
    await ask_for_help(p)
    reply = await p.say("majikan memukul dia lagi")
    assert len(reply.messages) == 2
    assert reply.messages[0].text.startswith(first_line("id", DANGER))
    assert reply.messages[1].text.startswith("✅")
    reply = await p.say("tolong, anak saya hilang")  # no danger words: only added
    assert len(reply.messages) == 1
    assert reply.text.startswith("✅")
