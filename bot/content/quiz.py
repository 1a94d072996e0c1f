"""The trafficking (TPPO) warning-sign quiz (``quiz.yaml``): signs and scenario questions,
validated when the bot starts (unique ids, exactly one correct answer, an explanation,
what to do instead and a source for every question, and only signs that exist)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.content.loading import load_yaml
from bot.content.villages import SLUG

QUIZ_FILE = Path(__file__).with_name("quiz.yaml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sign(_Strict):
    id: str = Field(pattern=SLUG)
    name: str = Field(min_length=3, max_length=60)
    checklist_items: list[str] = Field(default_factory=list)
    source: str = Field(min_length=3)


class Answer(_Strict):
    id: str = Field(pattern=r"^[a-d]$")
    text: str = Field(min_length=1, max_length=60)
    correct: bool = False


class Question(_Strict):
    id: str = Field(pattern=SLUG)
    sign: str
    text: str = Field(min_length=20, max_length=600)
    answers: list[Answer] = Field(min_length=3, max_length=4)
    explanation: str = Field(min_length=20)
    instead: str = Field(min_length=10)
    source: str = Field(min_length=3)

    @model_validator(mode="after")
    def _one_correct(self) -> Question:
        if sum(answer.correct for answer in self.answers) != 1:
            raise ValueError("needs exactly one correct answer")
        if len({answer.id for answer in self.answers}) != len(self.answers):
            raise ValueError("answer ids must be unique")
        return self

    @property
    def correct(self) -> Answer:
        return next(answer for answer in self.answers if answer.correct)


class _QuizFile(_Strict):
    version: int = Field(ge=1, le=1)
    round_size: int = Field(ge=5, le=20)
    pass_mark: int = Field(ge=1)
    signs: list[Sign] = Field(min_length=5)
    questions: list[Question] = Field(min_length=20)

    @model_validator(mode="after")
    def _references(self) -> _QuizFile:
        for kind, entries in (("sign", self.signs), ("question", self.questions)):
            ids = [entry.id for entry in entries]
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"duplicate {kind} id {duplicates[0]!r}")
        signs = {sign.id for sign in self.signs}
        for question in self.questions:
            if question.sign not in signs:
                raise ValueError(f"question {question.id!r}: unknown sign {question.sign!r}")
        if self.round_size > len(self.questions):
            raise ValueError("round_size is larger than the number of questions")
        return self


class Quiz:
    def __init__(self, data: _QuizFile) -> None:
        self.round_size = data.round_size
        self.pass_mark = data.pass_mark
        self.signs = {sign.id: sign for sign in data.signs}
        self.questions = {question.id: question for question in data.questions}


def load_quiz(path: Path = QUIZ_FILE) -> Quiz:
    return Quiz(load_yaml(path, _QuizFile))
