"""The words that tell what a typed message means (``lexicon.yaml``, read by
:mod:`bot.understanding`): per language, entries with an intent, phrases and why."""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.content.loading import load_yaml
from bot.services.help_requests import CATEGORIES

LEXICON_FILE = Path(__file__).with_name("lexicon.yaml")
STRICT = ConfigDict(extra="forbid", frozen=True)
Intent = Literal[
    "danger",
    "help",
    "neutral",
    "checklist",
    "quiz",
    "job_check",
    "stop",
    "data",
    "language",
    "menu",
    "thanks",
    "greeting",
]
FEATURES: frozenset[str] = frozenset(
    {"checklist", "quiz", "job_check", "stop", "data", "language", "menu"}
)


# Letters said again for emphasis ("tolongggg"), collapsed in words and in joined phrases.
REPEATS = re.compile(r"([a-z])\1+")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lowercase words of letters and digits, accents and emoji dropped, repeated
    letters collapsed, separated by one space."""
    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    words = _NOT_WORD.sub(" ", plain.replace("'", "").replace("’", ""))
    return REPEATS.sub(r"\1", words).strip()


class Entry(BaseModel):
    """Phrases that signal one intent (and, for help, the category they name)."""

    model_config = STRICT
    intent: Intent
    category: str | None = None
    weak: bool = False  # a generic ask that yields to a feature named in the same message
    beats_help: bool = False  # a feature whose words are about danger, not a request
    why: str = Field(min_length=10)
    phrases: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _fits(self) -> Entry:
        if self.category is not None and self.category not in CATEGORIES:
            raise ValueError(f"unknown help category {self.category!r}")
        if self.category is not None and self.intent not in ("danger", "help"):
            raise ValueError("only help and danger entries name a category")
        if self.weak and self.intent != "help":
            raise ValueError("only help entries are weak")
        if self.beats_help and self.intent not in FEATURES:
            raise ValueError("only feature entries beat help")
        return self


class Lexicon(BaseModel):
    model_config = STRICT
    version: int = Field(ge=1, le=1)
    keep: list[str] = Field(default_factory=list)
    languages: dict[Literal["id", "jv", "en"], list[Entry]]

    @model_validator(mode="after")
    def _consistent(self) -> Lexicon:
        if set(self.languages) != {"id", "jv", "en"}:
            raise ValueError("every language (id, jv, en) needs entries")
        seen: dict[str, tuple[str, str | None, bool]] = {}
        for entries in self.languages.values():
            for entry in entries:
                for phrase in entry.phrases:
                    key = normalise(phrase)
                    if not key:
                        raise ValueError(f"phrase {phrase!r} has no letters")
                    meaning = (entry.intent, entry.category, entry.weak)
                    if seen.setdefault(key, meaning) != meaning:
                        raise ValueError(f"phrase {phrase!r} is listed with two meanings")
        return self

    def entries(self) -> list[Entry]:
        return [entry for entries in self.languages.values() for entry in entries]


@functools.cache
def load_lexicon(path: Path = LEXICON_FILE) -> Lexicon:
    return load_yaml(path, Lexicon)
