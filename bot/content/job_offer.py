"""The job-offer check (``job_offer.yaml``): questions with button options, and rules that
map answers to red flags, advice and a risk level, each with its source.

A rule matches when ANY answer of its ``when`` holds and EVERY condition of its ``all``
holds (each condition: question id → option ids). A rule with a ``level`` and a ``flag`` is
a red flag; one without is advice, shown whenever it matches (``result`` narrows it to some
levels). The level is the worst flag, raised by the file's ``escalate`` steps (so many flags
count). Pure: no I/O after loading, no ``telegram``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.content.loading import load_yaml
from bot.content.villages import SLUG

JOB_OFFER_FILE = Path(__file__).with_name("job_offer.yaml")
LEVELS = ("low", "care", "high", "stop")
Level = Literal["low", "care", "high", "stop"]
Answers = dict[str, str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Option(_Strict):
    id: str = Field(pattern=SLUG)
    text: str = Field(min_length=1, max_length=48)


class Question(_Strict):
    id: str = Field(pattern=SLUG)
    text: str = Field(min_length=10, max_length=300)
    options: list[Option] = Field(min_length=2, max_length=10)


class Rule(_Strict):
    """A red flag (``level`` and ``flag``) or advice (neither), raised when it matches."""

    id: str = Field(pattern=SLUG)
    when: dict[str, list[str]] = Field(default_factory=dict)
    all_of: dict[str, list[str]] = Field(default_factory=dict, alias="all")
    result: list[Level] = Field(default_factory=list)
    level: Literal["care", "high", "stop"] | None = None
    flag: str | None = Field(default=None, min_length=10, max_length=300)
    verify: str = Field(min_length=10, max_length=300)
    source: str = Field(min_length=3)

    @model_validator(mode="after")
    def _kind(self) -> Rule:
        if (self.level is None) != (self.flag is None):
            raise ValueError("a flag needs both `level` and `flag`; advice has neither")
        if self.level is not None and not (self.when or self.all_of):
            raise ValueError("a flag needs `when` or `all`")
        if self.level is not None and self.result:
            raise ValueError("`result` is for advice only")
        return self

    def matches(self, answers: Answers) -> bool:
        some = not self.when or any(answers.get(q) in chosen for q, chosen in self.when.items())
        return some and all(answers.get(q) in chosen for q, chosen in self.all_of.items())


class Escalation(_Strict):
    """``flags`` or more flags at level ``at`` or worse make the result at least ``to``."""

    flags: int = Field(ge=2, le=20)
    at: Literal["care", "high"]
    to: Literal["high", "stop"]

    @model_validator(mode="after")
    def _upwards(self) -> Escalation:
        if LEVELS.index(self.to) <= LEVELS.index(self.at):
            raise ValueError(f"escalation from {self.at!r} must go to a worse level")
        return self


class _JobOfferFile(_Strict):
    version: int = Field(ge=2, le=2)
    questions: list[Question] = Field(min_length=8)
    escalate: list[Escalation] = Field(default_factory=list)
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
            for question, chosen in (*rule.when.items(), *rule.all_of.items()):
                if question not in options:
                    raise ValueError(f"rule {rule.id!r}: unknown question {question!r}")
                if not chosen:
                    raise ValueError(f"rule {rule.id!r}: no options of {question!r}")
                if not set(chosen) <= options[question]:
                    wrong = sorted(set(chosen) - options[question])
                    raise ValueError(f"rule {rule.id!r}: unknown options {wrong} of {question!r}")
        return self


@dataclass(frozen=True)
class Assessment:
    """The outcome of a check: the level, the flags (most serious first) and the advice."""

    level: Level
    flags: list[Rule]
    advice: list[Rule]


class JobOffer:
    def __init__(self, data: _JobOfferFile) -> None:
        self.questions = list(data.questions)
        self.rules = [rule for rule in data.rules if rule.level is not None]
        self.advice = [rule for rule in data.rules if rule.level is None]
        self.escalate = list(data.escalate)

    def assess(self, answers: Answers) -> Assessment:
        """The risk level of ``answers``, with every flag they raise and the advice to show."""

        def rank(rule: Rule) -> int:
            return LEVELS.index(cast(Level, rule.level))  # rules (not advice) have a level

        flags = [rule for rule in self.rules if rule.matches(answers)]
        flags.sort(key=rank, reverse=True)
        level: Level = cast(Level, flags[0].level) if flags else "low"
        for step in self.escalate:
            counted = sum(rank(rule) >= LEVELS.index(step.at) for rule in flags)
            if counted >= step.flags:  # never lowers: the worse of the two stays
                level = max(level, step.to, key=LEVELS.index)
        advice = [
            rule
            for rule in self.advice
            if rule.matches(answers) and (not rule.result or level in rule.result)
        ]
        return Assessment(level, flags, advice)


def load_job_offer(path: Path = JOB_OFFER_FILE) -> JobOffer:
    return JobOffer(load_yaml(path, _JobOfferFile))
