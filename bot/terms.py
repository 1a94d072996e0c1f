"""Abbreviations explained where they appear: under a screen that says "LTSA" or
"SISKOP2MI", one short line for each term of ``bot/content/glossary.yaml`` it uses, and
the way to all of them (``/istilah``). Villagers should not have to know what a
ministry's acronym means to follow its advice."""

from __future__ import annotations

import re
from html import escape

from bot.content.glossary import Glossary, Term, load_glossary
from bot.i18n import Translator

TAG = re.compile(r"<[^>]+>")


def _pattern(term: Term) -> re.Pattern[str]:
    # "KemenP2MI/BP2MI" is found as either name; a name inside a longer word is not it.
    names = "|".join(re.escape(name) for name in term.term.split("/"))
    return re.compile(rf"(?<![\w/])(?:{names})(?![\w])")


def used_terms(text: str, glossary: Glossary | None = None) -> list[Term]:
    """The glossary's terms that ``text`` (HTML) shows, in the glossary's order."""
    visible = TAG.sub("", text)
    return [term for term in (glossary or load_glossary()).terms if _pattern(term).search(visible)]


def explained(_: Translator, text: str, *, budget: int = 4096) -> str:
    """``text`` with its abbreviations explained underneath; unchanged when it uses none,
    or when the notes would not fit in ``budget`` characters (a Telegram message)."""
    terms = used_terms(text)
    if not terms:
        return text
    lines = [
        _("{term}: {meaning}", term=f"<b>{escape(term.term)}</b>", meaning=escape(_(term.meaning)))
        for term in terms
    ]
    note = "\n\n<i>" + "\n".join(lines) + "</i>\n" + _("All the words explained: /istilah")
    return text + note if len(TAG.sub("", text + note)) <= budget else text
