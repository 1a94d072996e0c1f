"""Catalog checks for translators and CI: ``python -m bot.catalogs check|fill-en``.

``check`` fails on untranslated or fuzzy entries, on any mismatch of ``{placeholders}`` or
HTML tags between the English source and a translation (Babel's own checker only knows
``%``-formats), on a button label longer than :data:`MAX_LABEL` as shown, and on a word
the glossary forbids (``../shared/reference/glossary-id-jv.md``); ``tests/test_glossary.py``
and ``tests/test_labels.py`` check the rest, content labels included. ``fill-en`` copies
each new English source string into ``en``: English is the source language, and the ``en``
catalog lets partners polish wording without code changes.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

from bot.config import LOCALES
from bot.i18n import DOMAIN, LOCALES_DIR

_PLACEHOLDER = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}")
_TAG = re.compile(r"</?([a-zA-Z-]+)[^>]*>")
_COMMAND = re.compile(r"(?<![\w/])/[a-z]{3,}")
# Small phones cut longer button labels, often at the key word.
MAX_LABEL = 30
LABEL_CONTEXTS = ("button", "menu", "role", "scheme", "relationship")
# Reviewed exceptions: English code sources allowed over the limit, each with its one-line
# reason (translations are held to it all the same). None is needed today.
LONG_SOURCES: dict[str, str] = {}
# Words the glossary forbids, as whole words (tests/test_glossary.py names each one's line).
FORBIDDEN = {
    "id": ("agen", "makelar", "karakter", "aksara", "kompleks", "nomor Telegram"),
    "jv": (
        "agen",
        "makelar",
        "serat",
        "karakter",
        "aksara",
        "kompleks",
        "cepet",
        "nomer Telegram",
    ),
}
_SAMPLE = "8888"  # a placeholder as a user sees it: a number, a page, an id


def po_path(locale: str, locales_dir: Path = LOCALES_DIR) -> Path:
    return locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def load(locale: str, locales_dir: Path = LOCALES_DIR) -> Catalog:
    with po_path(locale, locales_dir).open("rb") as handle:
        return read_po(handle, locale=locale)


def _forms(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if value is None:
        return [""]
    return [value] if isinstance(value, str) else list(value)


def problems(catalog: Catalog) -> list[str]:
    """Every reason this catalog is not ready to ship, one line each."""
    found: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        source = " ".join(_forms(message.id))
        label = (message.context + "|" if message.context else "") + source[:60]
        if message.fuzzy:
            found.append(f"{catalog.locale}: fuzzy: {label!r}")
        translations = _forms(message.string)
        if not all(translations):
            found.append(f"{catalog.locale}: untranslated: {label!r}")
            continue
        sources = _forms(message.id)
        for index, translation in enumerate(translations):
            # Plural forms: the first translates the singular, the others the plural.
            form = sources[min(index, len(sources) - 1)] if index == 0 else sources[-1]
            found += _mismatches(catalog.locale_identifier or "", label, form, translation)
        found += _wording(catalog.locale_identifier or "", message, label, translations[0])
    return found


def visible_length(text: str) -> int:
    """Characters a user sees: no HTML tags, an emoji's variation selector not counted."""
    return len(_TAG.sub("", text).replace("\ufe0f", "").replace("\ufe0e", ""))


def forbidden_words(locale: str, text: str) -> list[str]:
    """The glossary's forbidden words in ``text`` (whole words, any case)."""
    return [
        word
        for word in FORBIDDEN.get(locale, ())
        if re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE)
    ]


def _wording(locale: str, message: Message, label: str, translation: str) -> list[str]:
    found = [
        f"{locale}: {word!r} (see the glossary): {label!r}"
        for word in forbidden_words(locale, translation)
    ]
    source = " ".join(_forms(message.id))
    shown = _PLACEHOLDER.sub(_SAMPLE, translation)
    exempt = locale == "en" and source in LONG_SOURCES
    if message.context in LABEL_CONTEXTS and visible_length(shown) > MAX_LABEL and not exempt:
        found.append(f"{locale}: button label over {MAX_LABEL} characters: {shown!r}")
    return found


def _mismatches(locale: str, label: str, source: str, translation: str) -> list[str]:
    found = []
    if set(_PLACEHOLDER.findall(source)) != set(_PLACEHOLDER.findall(translation)):
        found.append(f"{locale}: placeholders differ: {label!r}")
    if Counter(_TAG.findall(source)) != Counter(_TAG.findall(translation)):
        found.append(f"{locale}: HTML tags differ: {label!r}")
    if Counter(_COMMAND.findall(source)) != Counter(_COMMAND.findall(translation)):
        found.append(f"{locale}: /commands differ: {label!r}")
    return found


def fill_english(locales_dir: Path = LOCALES_DIR) -> int:
    catalog = load("en", locales_dir)
    filled = 0
    for message in catalog:
        if message.id and (message.fuzzy or not all(_forms(message.string))):
            message.string = message.id
            message.flags.discard("fuzzy")
            filled += 1
    with po_path("en", locales_dir).open("wb") as handle:
        write_po(handle, catalog, width=96, no_location=True, sort_output=True)
    return filled


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "fill-en":
        print(f"en: {fill_english()} entries filled from the English source")
        return 0
    found = [line for locale in LOCALES for line in problems(load(locale))]
    for line in found:
        print(line)
    print("catalogs complete" if not found else f"{len(found)} catalog problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))


__all__ = ["Message", "fill_english", "load", "problems"]
