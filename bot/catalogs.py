"""Catalog checks for translators and CI: ``python -m bot.catalogs check|fill-en``.

``check`` fails on untranslated or fuzzy entries and on any mismatch of ``{placeholders}``
or HTML tags between the English source and a translation (Babel's own checker only knows
``%``-formats). ``fill-en`` copies each new English source string into ``en``: English is the
source language, and the ``en`` catalog lets partners polish wording without code changes.
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
