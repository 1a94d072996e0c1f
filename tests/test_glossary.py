"""The catalogs speak the glossary (``../shared/reference/glossary-id-jv.md``): one term per
concept in Indonesian and Javanese. Two words for one thing confuse readers, and in the
job-offer check "agency" (a licensed company) and "agent" (a person) change the result.
"""

from __future__ import annotations

import re

import pytest

from bot.catalogs import FORBIDDEN, load

AGENCY = "licensed placement agency (P3MI) | perusahaan penempatan (P3MI) | PT penempatan (P3MI)"
AGENT = "agent, broker, recruiter (a person) | calo / sponsor / perekrut | calo / sponsor"
MESSAGE = 'message | pesan | pesen | not "serat"'
CHARACTER = 'character (text length) | huruf | huruf | not "aksara", "karakter"'
COMPOUND = 'scam compound | markas penipuan online | papan penipuan online | not "kompleks"'
TELEGRAM_ID = "Telegram ID | ID Telegram (nomor akun, bukan nomor HP) | never nomor Telegram"
FAST = 'fast | cepat | enggal / rikat | "cepet" is ngoko'
ROLE = 'who you are (role) | Anda sebagai | Panjenengan minangka | "status" is a request\'s'
BAN = 'must not be charged | tidak boleh ditarik | boten kenging dipuntarik | a ban, not "does not'
DO_NOT = 'Do not … (warning) | Jangan … | Sampun ngantos … | bare "sampun" reads "already"'

# (locales, forbidden whole word, the glossary line it comes from)
FORBIDDEN_WORDS = [
    (("id", "jv"), "agen", AGENCY + ' | the company, licensed; never "agen"'),
    (("id", "jv"), "makelar", AGENT + ' | the individual; never "makelar"'),
    (("jv",), "serat", MESSAGE),
    (("id", "jv"), "karakter", CHARACTER),
    (("id", "jv"), "aksara", CHARACTER),
    (("id", "jv"), "kompleks", COMPOUND),
    (("id",), "nomor Telegram", TELEGRAM_ID),
    (("jv",), "nomer Telegram", TELEGRAM_ID),
    (("jv",), "cepet", FAST),
]

# (English msgid pattern, Indonesian term, Javanese term, glossary line): where the English
# names the concept, the translation uses the glossary's term.
PREFERRED: list[tuple[str, str | None, str, str]] = [
    (
        r"\blicensed agency\b|\bP3MI\b",
        r"perusahaan penempatan|P3MI",
        r"PT penempatan|P3MI",
        AGENCY,
    ),
    (
        r"\b(?<!travel )(agent|broker|recruiter)s?\b",
        r"calo|sponsor|perekrut",
        r"calo|sponsor",
        AGENT,
    ),
    (r"\bcharacters\b", r"\bhuruf\b", r"\bhuruf\b", CHARACTER),
    (r"\bquiet hours\b", r"jam senyap", r"jam sepen", "quiet hours | jam senyap | jam sepen"),
    (r"\bTelegram (ID|number)\b", r"ID Telegram", r"ID Telegram", TELEGRAM_ID),
    (r"\b[Ww]ho you are\b", r"Anda sebagai", r"[Pp]anjenengan minangka", ROLE),
    (r"\b(must not|cannot) be charged\b", r"\bt(id)?ak boleh", r"boten kenging", BAN),
    (r"\bscam compounds?\b", r"markas penipuan", r"papan penipuan", COMPOUND),
    (r"^Skip( ⏭)?$", r"^Lewati\b", r"^Langkungi\b", "Skip | Lewati | Langkungi | every button"),
    (r"\b(domestic work|housework)\b", r"PRT|rumah tangga", r"PRT|rumah tangga", "housework"),
]

# (English msgid pattern, forbidden Indonesian, forbidden Javanese, glossary line): words
# that are right elsewhere but wrong for this meaning.
WRONG_HERE: list[tuple[str, str | None, str, str]] = [
    (r"\bmust not\b", r"tidak (harus|perlu)", r"boten (kedah|perlu)", BAN),
    (r"(^|[.!?] )(Do not|Don't|Never)\b", None, r"(^|[.!?:] )Sampun (?!ngantos)", DO_NOT),
    (r"(?is)^(?!.*\b(status|state)\b)", r"(?<!/)\bstatus\b", r"(?<!/)\bstatus\b", ROLE),
]


def translations(locale: str) -> list[tuple[str, str]]:
    """(English source, translation without placeholders) of every translated message."""
    found = []
    for message in load(locale):
        source = message.id if isinstance(message.id, str) else " ".join(message.id)
        text = message.string if isinstance(message.string, str) else " ".join(message.string)
        if source and text:
            found.append((source, re.sub(r"\{\w+\}", "", text)))
    return found


@pytest.mark.parametrize("locale", ["id", "jv"])
def test_no_forbidden_words(locale):
    words = [word for locales, word, _ in FORBIDDEN_WORDS if locale in locales]
    found = [
        f"{word!r} in {text[:80]!r}"
        for _, text in translations(locale)
        for word in words
        if re.search(rf"\b{word}\b", text, re.IGNORECASE)
    ]
    assert found == []


def broken_rules(locale: str, rules: list[tuple[str, str | None, str, str]], wanted: bool):
    """Translations whose English matches a rule and whose text breaks it: the term is
    missing (``wanted``) or present (not ``wanted``)."""
    column = 1 if locale == "id" else 2
    return [
        f"{rule[3][:30]}: {text[:80]!r}"
        for source, text in translations(locale)
        for rule in rules
        if (term := rule[column])
        and re.search(rule[0], source)
        and bool(re.search(term, text, re.IGNORECASE)) != wanted
    ]


@pytest.mark.parametrize("locale", ["id", "jv"])
def test_glossary_terms_where_the_english_names_them(locale):
    assert broken_rules(locale, PREFERRED, wanted=True) == []


@pytest.mark.parametrize("locale", ["id", "jv"])
def test_no_word_that_means_something_else_here(locale):
    assert broken_rules(locale, WRONG_HERE, wanted=False) == []


def test_the_catalog_check_forbids_the_same_words():
    """``python -m bot.catalogs check`` (CI, translators) uses the same list."""
    for locale in ("id", "jv"):
        expected = {word for locales, word, _ in FORBIDDEN_WORDS if locale in locales}
        assert set(FORBIDDEN[locale]) == expected


def test_the_rules_catch_the_old_mistakes():
    """The slips the review found would fail these rules."""
    agency = next(rule for rule in PREFERRED if rule[3] == AGENCY)
    assert not re.search(agency[2], "Kula mbayar biaya dhateng agen")
    assert re.search(WRONG_HERE[1][2], "Sampun namung ngandelaken nomer saking agen.")
    assert not re.search(WRONG_HERE[1][2], "Sampun ngantos bidhal.")
    assert re.search(WRONG_HERE[2][2], "Status: Kulawarga pekerja migran", re.IGNORECASE)
    assert re.search(WRONG_HERE[0][2], "Biaya ingkang boten kedah panjenengan bayar")
