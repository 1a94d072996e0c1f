"""Translations: gettext catalogs under ``locales/`` compiled to ``.mo``, one
:class:`Translator` per locale, resolved from the user's stored language on every update.

Rules (see the architecture guide): named ``{placeholders}`` formatted after translation,
``pgettext`` for short labels, Javanese falls back to Indonesian (never to the English
source), dates and numbers through Babel in the user's locale and time zone.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from bot.config import LOCALES

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
# Javanese readers all read Indonesian; English is the source language of the msgids.
FALLBACKS: dict[str, tuple[str, ...]] = {"jv": ("id",), "id": (), "en": ()}


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (module-level constants)."""
    return message


class CatalogMissing(SystemExit):
    """The ``.mo`` files were not compiled (``make catalogs``)."""


class Translator:
    """Everything a handler needs to speak one locale: gettext plus Babel formatting."""

    def __init__(self, locale: str, translations: NullTranslations, tz: ZoneInfo) -> None:
        self.locale = locale
        self.tz = tz
        self._translations = translations
        self._babel_locale = Locale.parse(locale)

    def with_zone(self, tz: ZoneInfo) -> Translator:
        """The same language, showing times in ``tz`` (translators are shared: copy)."""
        return self if tz == self.tz else Translator(self.locale, self._translations, tz)

    def __call__(self, message: str, /, **values: object) -> str:
        text = self._translations.gettext(message)
        return text.format(**values) if values else text

    def pgettext(self, context: str, message: str, /, **values: object) -> str:
        text = str(self._translations.pgettext(context, message))
        return text.format(**values) if values else text

    def ngettext(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        text = self._translations.ngettext(singular, plural, n)
        return text.format(n=self.number(n), **values)

    def date(self, value: date | datetime, fmt: str = "long") -> str:
        if isinstance(value, datetime):
            value = value.astimezone(self.tz).date()
        return format_date(value, fmt, locale=self._babel_locale)

    def datetime(self, value: datetime) -> str:
        """``24 Desember 2026, 08.30`` (id) / ``08:30`` (jv): the locale's own time style."""
        local = value.astimezone(self.tz)
        day = format_date(local.date(), "long", locale=self._babel_locale)
        return f"{day}, {format_time(local.timetz(), 'short', locale=self._babel_locale)}"

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self._babel_locale)


class I18n:
    """Loads every catalog once; hands out cached translators."""

    def __init__(self, default_locale: str, tz: ZoneInfo, locales_dir: Path = LOCALES_DIR):
        self.default_locale = default_locale
        self._translators: dict[str, Translator] = {}
        for locale in LOCALES:
            chain = self._load(locale, locales_dir)
            for fallback in FALLBACKS[locale]:
                chain.add_fallback(self._load(fallback, locales_dir))
            self._translators[locale] = Translator(locale, chain, tz)

    @staticmethod
    def _load(locale: str, locales_dir: Path) -> Translations:
        mo = locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if not mo.exists():
            raise CatalogMissing(
                f"Translation catalog {mo} is missing: compile the catalogs with `make catalogs`"
            )
        with mo.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)

    def translator(self, locale: str | None) -> Translator:
        return self._translators.get(locale or "", self._translators[self.default_locale])

    def all(self) -> dict[str, Translator]:
        return dict(self._translators)


def pick_locale(language_code: str | None, default: str) -> str:
    """Telegram's ``language_code`` (``id``, ``jv``, ``en-US`` …) mapped onto ours."""
    if language_code:
        base = language_code.split("-", 1)[0].lower()
        if base in LOCALES:
            return base
    return default
