"""The translation catalogs are complete, consistent and fall back correctly."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from babel.messages.catalog import Catalog

from bot.catalogs import load, problems
from bot.config import LOCALES
from bot.i18n import I18n


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_complete_and_consistent(locale):
    assert problems(load(locale)) == []


def test_catalogs_hold_the_same_messages():
    ids = {locale: {(m.context, m.id) for m in load(locale) if m.id} for locale in LOCALES}
    assert ids["id"] == ids["jv"] == ids["en"]


def test_checker_catches_mistakes():
    catalog = Catalog(locale="jv")
    catalog.add("Hello {name}", "Sugeng {nama}")
    catalog.add("<b>Hi</b>", "Sugeng")
    catalog.add("Use /menu", "Ngginakaken /menus")
    catalog.add("Empty", "")
    catalog.add("Fuzzy", "Kabur", flags=["fuzzy"])
    found = "\n".join(problems(catalog))
    assert "placeholders differ" in found
    assert "HTML tags differ" in found
    assert "/commands differ" in found
    assert "untranslated: 'Empty'" in found
    assert "fuzzy: 'Fuzzy'" in found


def test_javanese_falls_back_to_indonesian(tmp_path):
    """A message missing in jv shows in Indonesian, never in the English source."""
    from babel.messages.mofile import write_mo

    for locale, entries in {"id": {"Only in id": "Hanya di id"}, "jv": {}, "en": {}}.items():
        catalog = Catalog(locale=locale)
        for source, text in entries.items():
            catalog.add(source, text)
        folder = tmp_path / locale / "LC_MESSAGES"
        folder.mkdir(parents=True)
        with (folder / "messages.mo").open("wb") as handle:
            write_mo(handle, catalog)
    i18n = I18n("id", ZoneInfo("Asia/Jakarta"), locales_dir=tmp_path)
    assert i18n.translator("jv")("Only in id") == "Hanya di id"
    assert i18n.translator("en")("Only in id") == "Only in id"


def test_dates_and_numbers_follow_the_locale():
    from datetime import UTC, datetime

    i18n = I18n("id", ZoneInfo("Asia/Jakarta"))
    moment = datetime(2026, 12, 24, 1, 30, tzinfo=UTC)  # 08:30 WIB
    assert i18n.translator("id").datetime(moment) == "24 Desember 2026, 08.30"
    assert i18n.translator("jv").datetime(moment) == "24 Desember 2026, 08:30"
    assert i18n.translator("en").date(moment) == "December 24, 2026"
    assert i18n.translator("id").number(1500000) == "1.500.000"


def test_missing_compiled_catalog_stops_with_a_clear_message(tmp_path):
    from bot.i18n import CatalogMissing

    with pytest.raises(CatalogMissing, match="make catalogs"):
        I18n("id", ZoneInfo("Asia/Jakarta"), locales_dir=tmp_path)


def test_every_string_in_the_code_is_in_the_catalogs():
    """A string added in code without `make messages` would reach users in English."""
    from pathlib import Path

    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    root = Path(__file__).resolve().parent.parent
    keywords = {**DEFAULT_KEYWORDS, "N_": None, "pgettext": ((1, "c"), 2)}
    in_code = set()
    for folder in ("bot", "handlers"):
        for _file, _line, message, _comments, context in extract_from_dir(
            root / folder, method_map=[("**.py", "python")], keywords=keywords
        ):
            in_code.add((context, message if isinstance(message, str) else message[0]))
    in_catalog = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in load("id")}
    missing = sorted(str(item) for item in in_code - in_catalog)
    assert not missing, "run `make messages` and translate:\n" + "\n".join(missing)
