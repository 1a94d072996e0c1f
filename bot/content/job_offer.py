"""The job-offer check (``job_offer.yaml``): questions with button options, and rules that
map answers to red flags and a risk level, each with its source."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.content.loading import load_yaml
from bot.content.villages import SLUG

JOB_OFFER_FILE = Path(__file__).with_name("job_offer.yaml")
LEVELS = ("low", "care", "high", "stop")
Level = Literal["low", "care", "high", "stop"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    id: str = Field(pattern=SLUG)
    text: str = Field(min_length=1, max_length=48)


class Question(_Strict):
    id: str = Field(pattern=SLUG)
    text: str = Field(min_length=10, max_length=300)
    options: list[Option] = Field(min_length=2, max_length=8)


class Rule(_Strict):
    """A red flag raised when any ``when`` condition holds (question id → option ids)."""

    id: str = Field(pattern=SLUG)
    when: dict[str, list[str]] = Field(min_length=1)
    level: Literal["care", "high", "stop"]
    flag: str = Field(min_length=10, max_length=300)
    verify: str = Field(min_length=10, max_length=300)
    source: str = Field(min_length=3)


class _JobOfferFile(_Strict):
    version: int = Field(ge=1, le=1)
    questions: list[Question] = Field(min_length=8)
    rules: list[Rule] = Field(min_length=8)

    @model_validator(mode="after")
    def _references(self) -> _JobOfferFile:
        for kind, entries in (("question", self.questions), ("rule", self.rules)):
            ids = [entry.id for entry in entries]
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"duplicate {kind} id {duplicates[0]!r}")
        options = {q.id: {o.id for o in q.options} for q in self.questions}
        for rule in self.rules:
            for question, chosen in rule.when.items():
                if question not in options:
                    raise ValueError(f"rule {rule.id!r}: unknown question {question!r}")
                if not set(chosen) <= options[question]:
                    wrong = sorted(set(chosen) - options[question])
                    raise ValueError(f"rule {rule.id!r}: unknown options {wrong} of {question!r}")
        return self


class JobOffer:
    def __init__(self, data: _JobOfferFile) -> None:
        self.questions = list(data.questions)
        self.by_id = {question.id: question for question in data.questions}
        self.rules = list(data.rules)

    def flags(self, answers: dict[str, str]) -> list[Rule]:
        """Every rule that the answers trigger, most serious first."""
        raised = [
            rule
            for rule in self.rules
            if any(answers.get(question) in chosen for question, chosen in rule.when.items())
        ]
        return sorted(raised, key=lambda rule: -LEVELS.index(rule.level))

    def level(self, answers: dict[str, str]) -> Level:
        flags = self.flags(answers)
        if not flags:
            return "low"
        worst = flags[0].level
        # Several serious signs together are as bad as the worst one gets.
        if worst == "high" and sum(rule.level == "high" for rule in flags) >= 3:
            return "stop"
        return worst


def load_job_offer(path: Path = JOB_OFFER_FILE) -> JobOffer:
    return JobOffer(load_yaml(path, _JobOfferFile))
