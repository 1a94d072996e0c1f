"""WhatsApp message templates (``whatsapp_templates.yaml``), checked against Meta's rules
before anyone submits them: a name WhatsApp accepts, a category, a body in each template
language within 1,024 characters whose ``{{n}}`` placeholders run 1, 2, … with an
example for each, and a quick-reply button of at most 25 characters."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.content.loading import load_yaml

TEMPLATES_FILE = Path(__file__).with_name("whatsapp_templates.yaml")
# The bot's languages that are WhatsApp template languages (Javanese is not one).
LANGUAGES = ("id", "en")
FALLBACK = "id"  # a Javanese speaker's template language
BODY_MAX = 1024
BUTTON_MAX = 25  # a quick-reply button's text
PLACEHOLDER = re.compile(r"\{\{(\d+)\}\}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    body: str = Field(min_length=1, max_length=BODY_MAX)
    button: str = Field(min_length=1, max_length=BUTTON_MAX)


class Template(_Strict):
    name: str = Field(pattern=r"^[a-z0-9_]{1,512}$")
    purpose: str = Field(min_length=10)
    category: Literal["UTILITY", "MARKETING", "AUTHENTICATION"]
    example: list[str] = []
    texts: dict[str, Text]  # by language: exactly LANGUAGES

    @model_validator(mode="after")
    def _placeholders(self) -> Template:
        if set(self.texts) != set(LANGUAGES):
            raise ValueError(f"{self.name}: needs a text in each of {', '.join(LANGUAGES)}")
        for language, text in self.texts.items():
            numbers = [int(n) for n in PLACEHOLDER.findall(text.body)]
            if numbers != list(range(1, len(numbers) + 1)):
                raise ValueError(f"{self.name} ({language}): placeholders must run {{{{1}}}}, …")
            if len(numbers) != len(self.example):
                raise ValueError(f"{self.name} ({language}): one example per placeholder")
        return self

    @property
    def parameters(self) -> int:
        return len(self.example)

    def for_manager(self, language: str) -> dict[str, Any]:
        """The template in one language as WhatsApp Manager's API takes it."""
        text = self.texts[language]
        body: dict[str, Any] = {"type": "BODY", "text": text.body}
        if self.example:
            body["example"] = {"body_text": [self.example]}
        return {
            "name": self.name,
            "language": language,
            "category": self.category,
            "components": [
                body,
                {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": text.button}]},
            ],
        }


class Templates(_Strict):
    version: Literal[1]
    templates: list[Template] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Templates:
        names = [t.name for t in self.templates]
        if len(set(names)) != len(names):
            raise ValueError("template names must be unique")
        return self

    def get(self, name: str) -> Template:
        return next(t for t in self.templates if t.name == name)

    def for_manager(self) -> list[dict[str, Any]]:
        """Every template in every language, ready to submit."""
        return [t.for_manager(language) for t in self.templates for language in LANGUAGES]


def template_language(locale: str) -> str:
    """The template language for a person's locale (Javanese speakers read Indonesian)."""
    return locale if locale in LANGUAGES else FALLBACK


def load_templates(path: Path = TEMPLATES_FILE) -> Templates:
    return load_yaml(path, Templates)
