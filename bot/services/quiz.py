"""Quiz rounds: drawing questions, recording answers exactly once, scores, statistics."""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.quiz import Answer, Question, Quiz
from storage.models import JobCheck, QuizAnswer, QuizRound, User


def draw(quiz: Quiz, missed: Collection[str], rng: random.Random) -> list[str]:
    """A round: questions missed before first, then different signs, no repeats."""
    pool = list(quiz.questions.values())
    rng.shuffle(pool)
    pool.sort(key=lambda q: q.id not in missed)  # stable: missed ones first, still shuffled
    chosen: list[Question] = []
    signs: set[str] = set()
    for question in pool:  # first pass: one question per sign
        if len(chosen) < quiz.round_size and question.sign not in signs:
            chosen.append(question)
            signs.add(question.sign)
    for question in pool:  # then fill up
        if len(chosen) < quiz.round_size and question not in chosen:
            chosen.append(question)
    return [question.id for question in chosen]


def shuffled_answers(round_id: int, question: Question) -> list[Answer]:
    """The answer order of one question in one round: random, but the same after a restart."""
    answers = list(question.answers)
    random.Random(f"{round_id}:{question.id}").shuffle(answers)
    return answers


async def missed_before(session: AsyncSession, person_id: int) -> set[str]:
    """Questions the person answered wrongly and has not answered rightly since."""
    rows = await session.execute(
        select(QuizAnswer.question_id, QuizAnswer.correct)
        .join(QuizRound)  # on the answer's foreign key to its round
        .where(QuizRound.person_id == person_id)
        .order_by(QuizAnswer.answered_at)
    )
    missed: set[str] = set()
    for question_id, correct in rows.all():
        (missed.discard if correct else missed.add)(question_id)
    return missed


async def start(
    session: AsyncSession,
    user: User,
    quiz: Quiz,
    *,
    now: datetime,
    rng: random.Random,
    anonymous: bool,
) -> QuizRound:
    """A new round; ``anonymous`` (no consent to data processing): stored without the
    person's id or village, and drawn without looking at their earlier answers."""
    missed = set() if anonymous else await missed_before(session, user.person_id)
    quiz_round = QuizRound(
        person_id=None if anonymous else user.person_id,
        village_id=None if anonymous else user.village_id,
        question_ids=draw(quiz, missed, rng),
        started_at=now,
    )
    session.add(quiz_round)
    await session.flush()
    return quiz_round


async def answers_of(session: AsyncSession, round_id: int) -> dict[str, QuizAnswer]:
    rows = await session.scalars(select(QuizAnswer).where(QuizAnswer.round_id == round_id))
    return {answer.question_id: answer for answer in rows.all()}


@dataclass(frozen=True)
class Outcome:
    correct: bool
    finished: bool


async def answer(
    session: AsyncSession,
    quiz_round: QuizRound,
    quiz: Quiz,
    position: int,
    answer_id: str,
    *,
    now: datetime,
) -> Outcome | None:
    """Record the answer to the question at ``position``; None when that question is not
    the one waiting for an answer (a second tap, an old message, a forged button)."""
    given = await answers_of(session, quiz_round.id)
    if quiz_round.finished_at is not None or position != len(given):
        return None
    if position >= len(quiz_round.question_ids):
        return None
    question = quiz.questions.get(quiz_round.question_ids[position])
    if question is None or answer_id not in {a.id for a in question.answers}:
        return None
    correct = answer_id == question.correct.id
    session.add(
        QuizAnswer(
            round_id=quiz_round.id,
            question_id=question.id,
            answer_id=answer_id,
            correct=correct,
            answered_at=now,
        )
    )
    finished = position + 1 == len(quiz_round.question_ids)
    if finished:
        quiz_round.finished_at = now
        quiz_round.score = sum(a.correct for a in given.values()) + correct
    await session.flush()
    return Outcome(correct, finished)


def playable(quiz: Quiz, quiz_round: QuizRound) -> bool:
    """Every question of the round is still in the quiz (a content update may remove one
    while someone is in the middle of a round: that round is then left, not continued)."""
    return all(question_id in quiz.questions for question_id in quiz_round.question_ids)


async def open_round(session: AsyncSession, person_id: int) -> QuizRound | None:
    return (
        await session.scalars(
            select(QuizRound)
            .where(QuizRound.person_id == person_id, QuizRound.finished_at.is_(None))
            .order_by(QuizRound.id.desc())
            .limit(1)
        )
    ).first()


@dataclass(frozen=True)
class Statistics:
    people: int
    rounds: int
    average: float | None
    most_missed: list[tuple[str, int]]
    checks_by_village: dict[str | None, dict[str, int]]


async def statistics(
    session: AsyncSession, villages: Collection[str] | None, since: datetime
) -> Statistics:
    """Counts for an area (``None``: everywhere) since a moment; nobody is named."""

    def in_area(column: Any) -> ColumnElement[bool]:
        return column.in_(list(villages)) if villages is not None else true()

    finished = (
        select(QuizRound)
        .where(QuizRound.finished_at >= since, in_area(QuizRound.village_id))
        .subquery()
    )
    # "People who finished": every distinct id (an erased person's rounds share one random
    # negative id, so they count once), plus each anonymous round (no id: someone who
    # declined data processing) as one person, since nothing tells two of them apart.
    people, anonymous, rounds, average = (
        await session.execute(
            select(
                func.count(func.distinct(finished.c.person_id)),
                func.count().filter(finished.c.person_id.is_(None)),
                func.count(),
                func.avg(finished.c.score),
            )
        )
    ).one()
    missed: Sequence[tuple[str, int]] = (
        await session.execute(
            select(QuizAnswer.question_id, func.count())
            .join(finished)  # on the answer's foreign key to its round
            .where(QuizAnswer.correct.is_(False))
            .group_by(QuizAnswer.question_id)
            .order_by(func.count().desc(), QuizAnswer.question_id)
            .limit(5)
        )
    ).all()
    checks: dict[str | None, dict[str, int]] = {}
    for village, level, count in (
        await session.execute(
            select(JobCheck.village_id, JobCheck.level, func.count())
            .where(JobCheck.created_at >= since, in_area(JobCheck.village_id))
            .group_by(JobCheck.village_id, JobCheck.level)
        )
    ).all():
        checks.setdefault(village, {})[level] = int(count)
    return Statistics(
        people=int(people or 0) + int(anonymous or 0),
        rounds=int(rounds or 0),
        average=float(average) if average is not None else None,
        most_missed=[(question, int(count)) for question, count in missed],
        checks_by_village=checks,
    )
