"""Abbreviations are explained on the screen where they appear (bot/terms.py), from the
same glossary as /istilah, in the reader's language."""

from __future__ import annotations

import pytest

from bot.content.glossary import load_glossary
from bot.terms import explained, used_terms
from tests.announcing import villager
from tests.test_checklist import set_up
from tests.transcript import I18N, tr

TERMS = {term.id: term for term in load_glossary().terms}


def note_line(locale: str, term_id: str) -> str:
    term = TERMS[term_id]
    return tr(locale, "{term}: {meaning}", term=term.term, meaning=tr(locale, term.meaning))


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Register at Disnaker or LTSA", ["disnaker", "ltsa"]),
        ("Call KemenP2MI/BP2MI on 0800-1000", ["kemenp2mi"]),
        ("The BP2MI rule of 2020", ["kemenp2mi"]),  # either name of the ministry
        ("The licence (SIP3MI) and the BP3MI", ["bp3mi"]),  # not P3MI inside other words
        ("A licensed agency (P3MI)", ["p3mi"]),
        ("Report to <b>KDEI</b> Taipei, not a KBRI", ["kbri", "kdei"]),  # tags are not words
        ("Nothing to explain here", []),
        ("ltsa in lower case is not the office's name", []),
    ],
)
def test_the_terms_a_text_uses(text, found):
    assert [term.id for term in used_terms(text)] == found


def test_notes_are_left_out_when_they_would_not_fit():
    _ = I18N.translator("id")
    text = "Ke Disnaker. " + "x" * 4000
    assert explained(_, text) == text
    short = "Ke Disnaker."
    assert explained(_, short) == (
        short
        + "\n\n<i>"
        + _("{term}: {meaning}", term="<b>Disnaker</b>", meaning=_(TERMS["disnaker"].meaning))
        + "</i>\n"
        + _("All the words explained: /istilah")
    )


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_a_checklist_item_explains_its_abbreviations(person, locale):
    p = await villager(person, 1401, locale=locale, role="prospective")
    await set_up(p, locale)
    reply = await p.press("cl:i:disnaker-registration")
    for term_id in ("disnaker", "ltsa"):
        assert note_line(locale, term_id) in reply.text
    assert reply.text.endswith(tr(locale, "All the words explained: /istilah"))
    assert note_line(locale, "kdei") not in reply.text
