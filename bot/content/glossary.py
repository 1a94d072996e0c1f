"""The words and abbreviations the bot explains (``glossary.yaml``, shown by ``/istilah``):
each with a one-line meaning (translated) and its source, validated when the bot starts."""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.content.loading import load_yaml
from bot.content.villages import SLUG

GLOSSARY_FILE = Path(__file__).with_name("glossary.yaml")


STRICT = ConfigDict(extra="forbid", frozen=True)


class Term(BaseModel):
    """One term: the word as written, its full name when there is one, a one-line meaning
    (translated), and where the facts come from."""

    model_config = STRICT
    id: str = Field(pattern=SLUG)
    term: str = Field(min_length=2, max_length=24)
    full_name: str | None = Field(default=None, min_length=3, max_length=80)
    meaning: str = Field(min_length=10, max_length=160)
    source: str = Field(min_length=3)


class Glossary(BaseModel):
    model_config = STRICT
    version: int = Field(ge=1, le=1)
    terms: list[Term] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Glossary:
        for field in ("id", "term"):
            values = [getattr(term, field) for term in self.terms]
            repeated = sorted({value for value in values if values.count(value) > 1})
            if repeated:
                raise ValueError(f"repeated {field}: {', '.join(repeated)}")
        return self


@functools.cache
def load_glossary(path: Path = GLOSSARY_FILE) -> Glossary:
    return load_yaml(path, Glossary)
