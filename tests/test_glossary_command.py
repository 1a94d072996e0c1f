"""``/istilah`` (issue 12): every acronym the bot uses, explained in one plain line, in id
and jv; offered in ``/bantuan`` and in Telegram's command menu; public, also mid-dialog."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.errors import ContentError
from bot.content.glossary import GLOSSARY_FILE, load_glossary
from tests.announcing import villager
from tests.transcript import choose_language, label, sees, tr

LOCALES = ("id", "jv")
GLOSSARY = load_glossary()
# The glossary's list: each of these is explained where the bot first uses it.
REQUIRED = ("LTSA", "BP3MI", "Disnaker", "SISKOP2MI", "KBRI", "KJRI", "KDEI", "OPP")


def test_every_required_term_is_there_with_a_source():
    terms = {term.term: term for term in GLOSSARY.terms}
    assert set(REQUIRED) <= set(terms)
    assert all("content-facts" in term.source for term in GLOSSARY.terms)
    assert terms["KDEI"].full_name == "Kantor Dagang dan Ekonomi Indonesia"
    assert "Taiwan" in terms["KDEI"].meaning


def test_a_repeated_term_stops_the_bot_naming_the_file(tmp_path: Path):
    text = GLOSSARY_FILE.read_text(encoding="utf-8")
    bad = tmp_path / "glossary.yaml"
    bad.write_text(text.replace('term: "OPP"', 'term: "LTSA"'), encoding="utf-8")
    with pytest.raises(ContentError, match=r"glossary\.yaml.*repeated term: LTSA"):
        load_glossary.__wrapped__(bad)


@pytest.mark.parametrize("locale", LOCALES)
async def test_istilah_lists_every_term_in_plain_words(person, locale):
    p = await villager(person, 1301, locale=locale)
    reply = await p.say("/istilah")
    sees(reply, locale, "<b>📖 Words and abbreviations</b>")
    lines = reply.text.split("\n\n")[1:]
    assert len(lines) == len(GLOSSARY.terms)
    for line, term in zip(lines, GLOSSARY.terms, strict=True):
        name = term.term + (f" ({term.full_name})" if term.full_name else "")
        assert line == tr(locale, "{term}: {meaning}", term=name, meaning=tr(locale, term.meaning))
        assert tr(locale, term.meaning) != term.meaning  # translated, not the English source
    assert reply.buttons == [label(locale, "button", "« Menu")]


async def test_istilah_is_public_also_without_consent(person):
    p = await villager(person, 1302, consent=False)
    reply = await p.say("/istilah")
    sees(reply, "id", "<b>📖 Words and abbreviations</b>")
    assert "LTSA (Layanan Terpadu Satu Atap)" in reply.text


async def test_istilah_in_the_middle_of_a_dialog_asks_the_question_again(person):
    p = person(1303, language_code="jv")
    await p.say("/start")
    await choose_language(p, "Basa Jawa")
    reply = await p.say("/istilah")
    sees(reply, "jv", "<b>📖 Words and abbreviations</b>")
    assert reply.messages[0].buttons == []  # no menu button before registration
    sees(reply, "jv", "Which of these describes you?")


@pytest.mark.parametrize("locale", LOCALES)
async def test_bantuan_offers_istilah(person, locale):
    p = await villager(person, 1304, locale=locale)
    reply = await p.say("/bantuan")
    sees(reply, locale, "<b>About this assistant</b>")
    [line] = [line for line in reply.text.splitlines() if line.startswith("/istilah – ")]
    assert "LTSA" in line


async def test_istilah_is_in_the_command_menu_of_every_language(app, emulator):
    for locale in ("id", "jv", "en"):
        listed = emulator.commands[('{"type": "default"}', locale)]
        descriptions = {c["command"]: c["description"] for c in listed}
        assert descriptions["istilah"] == tr(locale, "Words and abbreviations explained")
