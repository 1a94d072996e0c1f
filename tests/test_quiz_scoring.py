"""Quiz rounds as the bot keeps them: which questions a round draws (the ones a person
still gets wrong first, then different signs), which round ``/kuis`` continues, which taps
count as an answer, and the officers' figures built from finished rounds."""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from bot.content.quiz import QUIZ_FILE, load_quiz
from bot.services.quiz import draw
from storage.models import JobCheck, QuizAnswer, QuizRound
from tests.announcing import officer, villager
from tests.conftest import START
from tests.people import person as person_id
from tests.people import telegram_person
from tests.transcript import label, sees

QUIZ = load_quiz()
# The first question of every sign (15 signs, so 15 questions of different signs).
FIRST_OF_SIGN = [
    next(q.id for q in QUIZ.questions.values() if q.sign == sign) for sign in QUIZ.signs
]
SINCE = START - timedelta(days=30)  # what an officer's "30 days" reaches back to


def wrong_answer(question_id: str) -> str:
    return next(a.id for a in QUIZ.questions[question_id].answers if not a.correct)


async def add_round(
    db,
    telegram_id: int | None,
    at: datetime,
    answers: dict[str, bool],
    *,
    village: str | None = "jogosimo",
    finished: bool = True,
    question_ids: list[str] | None = None,
) -> QuizRound:
    """A round stored as the bot stores one, with ``answers`` (question → right?) given at
    ``at``; finished then with the number of right answers as its score. It is the round
    of the person behind ``telegram_id`` (made if new); a negative id (an erased person's
    alias) and None (anonymous) are stored as they are."""
    owner = telegram_id
    if telegram_id is not None and telegram_id > 0:
        owner = await telegram_person(db, telegram_id)
    quiz_round = QuizRound(
        person_id=owner,
        village_id=village,
        question_ids=question_ids or list(answers),
        started_at=at - timedelta(minutes=5),
        finished_at=at if finished else None,
        score=sum(answers.values()) if finished else None,
    )
    db.add(quiz_round)
    await db.flush()
    for question_id, right in answers.items():
        question = QUIZ.questions[question_id]
        db.add(
            QuizAnswer(
                round_id=quiz_round.id,
                question_id=question_id,
                answer_id=question.correct.id if right else wrong_answer(question_id),
                correct=right,
                answered_at=at,
            )
        )
    await db.flush()
    return quiz_round


async def newest_round(db, telegram_id: int) -> QuizRound:
    db.expire_all()
    return (
        await db.scalars(
            select(QuizRound)
            .where(QuizRound.person_id == await person_id(db, telegram_id))
            .order_by(QuizRound.id.desc())
        )
    ).first()


# --- drawing a round (a pure function) ---


def few_signs_quiz(tmp_path: Path):
    """The real questions, all moved under two signs, in rounds of five."""
    raw = yaml.safe_load(QUIZ_FILE.read_text("utf-8"))
    raw["round_size"] = 5
    for index, question in enumerate(raw["questions"]):
        question["sign"] = ("fake-job-ad", "tourist-visa")[index % 2]
    path = tmp_path / "quiz.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    return load_quiz(path)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_round_is_filled_up_when_there_are_fewer_signs_than_questions(tmp_path, seed):
    """With two signs and rounds of five, a round still has five different questions
    (not two, nor six), and its first two cover both signs."""
    quiz = few_signs_quiz(tmp_path)
    chosen = draw(quiz, set(), random.Random(seed))
    assert len(chosen) == 5
    assert len(set(chosen)) == 5
    assert {quiz.questions[q].sign for q in chosen[:2]} == {"fake-job-ad", "tourist-visa"}


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_missed_questions_open_the_round(seed):
    """Three questions of three signs missed before are the round's first three, and the
    round is still ten questions of ten signs."""
    missed = {FIRST_OF_SIGN[4], FIRST_OF_SIGN[8], FIRST_OF_SIGN[12]}
    chosen = draw(QUIZ, missed, random.Random(seed))
    assert set(chosen[:3]) == missed
    assert len(set(chosen)) == 10
    assert len({QUIZ.questions[q].sign for q in chosen}) == 10


# --- what a person gets asked again ---


async def test_only_questions_still_answered_wrongly_come_back(person, db):
    """A question answered wrongly and later rightly does not come back; one answered
    rightly and later wrongly does; someone else's mistakes are not asked of this person.
    Ten questions of ten signs still wrong: the next round is exactly those."""
    p = await villager(person, 3001, role="prospective")
    still_wrong = FIRST_OF_SIGN[:9]
    wrong_again, learnt = FIRST_OF_SIGN[9], FIRST_OF_SIGN[10]
    earlier, later = START - timedelta(days=2), START - timedelta(days=1)
    # The later round is stored first (a smaller id): only the answer times tell the order.
    await add_round(
        db, 3001, later, {**dict.fromkeys(still_wrong, False), wrong_again: False, learnt: True}
    )
    await add_round(db, 3001, earlier, {wrong_again: True, learnt: False})
    await add_round(db, 3002, later, dict.fromkeys(FIRST_OF_SIGN[11:], False))
    await db.commit()
    reply = await p.say("/kuis")
    sees(reply, "id", "<b>Question {n} / {total}</b>", n=1, total=10)
    quiz_round = await newest_round(db, 3001)
    assert sorted(quiz_round.question_ids) == sorted([*still_wrong, wrong_again])
    assert label("id", "", QUIZ.questions[quiz_round.question_ids[0]].text) in reply.text


async def test_the_newest_unfinished_round_is_continued(person, db):
    """With two unfinished rounds (say, one left from long ago), ``/kuis`` goes on with the
    newer one, at its sixth question."""
    p = await villager(person, 3011, role="prospective")
    ten = FIRST_OF_SIGN[:10]
    at = START - timedelta(days=3)
    await add_round(db, 3011, at, dict.fromkeys(ten[:2], True), finished=False, question_ids=ten)
    await add_round(db, 3011, at, dict.fromkeys(ten[:5], True), finished=False, question_ids=ten)
    await db.commit()
    reply = await p.say("/kuis")
    sees(reply, "id", "<b>Question {n} / {total}</b>", n=6, total=10)
    assert label("id", "", QUIZ.questions[ten[5]].text) in reply.text


async def test_an_answer_to_a_question_no_longer_in_the_quiz_changes_nothing(person, db):
    """A round drawn before a question was taken out of the quiz: its old answer button is
    refused like a second tap, and nothing is recorded."""
    p = await villager(person, 3021, role="prospective")
    ids = ["a-question-taken-out", *FIRST_OF_SIGN[:9]]
    quiz_round = await add_round(
        db, 3021, START - timedelta(minutes=1), {}, finished=False, question_ids=ids
    )
    await db.commit()
    reply = await p.press(f"qz:a:{quiz_round.id}:0:a")
    assert reply.toast == label("id", "", "You have already answered this question.")
    assert await db.scalar(select(func.count()).select_from(QuizAnswer)) == 0


async def test_someone_elses_unfinished_round_is_not_continued(person, db):
    """Two people start the quiz one after the other: the second gets a round of their
    own from its first question, not the first person's."""
    first = await villager(person, 3041, role="prospective")
    await first.say("/kuis")
    second = await villager(person, 3042, role="family")
    reply = await second.say("/kuis")
    sees(reply, "id", "<b>🧠 Trafficking warning signs quiz</b>")
    sees(reply, "id", "<b>Question {n} / {total}</b>", n=1, total=10)
    assert (await newest_round(db, 3041)).id != (await newest_round(db, 3042)).id


async def play(p, db, right: int) -> None:
    """Start a round and answer its first ``right`` questions rightly, the rest wrongly."""
    await p.say("/kuis")
    quiz_round = await newest_round(db, p.user_id)
    for position, question_id in enumerate(quiz_round.question_ids):
        question = QUIZ.questions[question_id]
        choice = question.correct.id if position < right else wrong_answer(question_id)
        await p.press(f"qz:a:{quiz_round.id}:{position}:{choice}")
        await p.press(f"qz:n:{quiz_round.id}")


# --- the officers' figures ---


def plain(context: str, message: str, **values: object) -> str:
    """A line of the statistics screen as the officer reads it (without its HTML)."""
    return re.sub(r"<[^>]+>", "", label("id", context, message, **values))


def figures(people: int, rounds: int, average: str) -> list[str]:
    """The three lines every statistics screen opens with."""
    return [
        plain("", "People who finished the quiz: {n}", n=people),
        plain("", "Rounds finished: {n}", n=rounds),
        plain("", "Average score: {score} of {total}", score=average, total=10),
    ]


def checks_line(village: str, high: int, stop: int, total: int) -> str:
    return plain(
        "",
        "• {village}: {high} high, {stop} stop, of {total}",
        village=village,
        high=high,
        stop=stop,
        total=total,
    )


CHECKS_HEADER = plain("", "<b>Job-offer checks (high risk / stop):</b>")
MISSED_HEADER = plain("", "<b>Missed most often:</b>")


def missed_lines(text: str) -> list[tuple[str, int]]:
    """The "missed most often" list: which question each line shows, and how often."""
    lines = text.split("\n")
    if MISSED_HEADER not in lines:
        return []
    shown = lines[lines.index(MISSED_HEADER) + 1 : lines.index(CHECKS_HEADER)]
    found = []
    for line in shown:
        start, count = line.removeprefix("• ").rsplit(" (", 1)
        matches = [
            q.id
            for q in QUIZ.questions.values()
            if " ".join(label("id", "", q.text).split()).startswith(start.removesuffix("…"))
        ]
        assert len(matches) == 1, line
        found.append((matches[0], int(count.removesuffix("×)"))))
    return found


def add_check(db, village: str | None, level: str, at: datetime) -> None:
    db.add(
        JobCheck(
            person_id=None, village_id=village, level=level, flags=[], answers={}, created_at=at
        )
    )


async def statistics_screen(person, viewer: str, app=None) -> list[str]:
    """The officer's "30 days" screen, below its title line."""
    if viewer == "admin":
        p = await villager(person, 900)
    else:
        p = await officer(app, person, 3099, viewer)
    reply = await p.press("st:30")
    return reply.text.split("\n")[1:]


@pytest.mark.parametrize(
    ("moment", "counted"),
    [
        (SINCE, True),
        (SINCE + timedelta(microseconds=1), True),
        (SINCE - timedelta(microseconds=1), False),
    ],
)
async def test_the_period_starts_exactly_thirty_days_ago(person, db, moment, counted):
    """A round finished and a job offer checked exactly 30 days ago count in "30 days"; a
    microsecond earlier they do not (and the screen then shows zeros, not ones)."""
    await add_round(db, 3031, moment, {FIRST_OF_SIGN[0]: False, FIRST_OF_SIGN[1]: True})
    add_check(db, "jogosimo", "stop", moment)
    await db.commit()
    screen = await statistics_screen(person, "admin")
    if counted:
        assert screen[:3] == figures(1, 1, "1")
        assert missed_lines("\n".join(screen)) == [(FIRST_OF_SIGN[0], 1)]
        assert screen[-2:] == [CHECKS_HEADER, checks_line("Jogosimo", 0, 1, 1)]
    else:
        assert screen == [*figures(0, 0, "–"), CHECKS_HEADER, plain("", "none")]


@pytest.mark.parametrize(
    ("viewer", "people", "rounds", "average"),
    [
        # 3101 twice, 3102, the erased person's two rounds as one, two anonymous rounds.
        ("admin", 5, 7, "6,9"),  # (10 + 6 + 8 + 5 + 7 + 9 + 3) / 7
        # Jogosimo only: 3101's 10 and 6, the erased person's 5, an anonymous 9.
        ("jogosimo", 3, 4, "7,5"),
    ],
)
async def test_people_rounds_and_average(app, person, db, viewer, people, rounds, average):
    """Each person who finished counts once however many rounds they played (an erased
    person's rounds too), each anonymous round as one person; unfinished rounds and rounds
    of other villages (for a village officer) do not count."""
    at = START - timedelta(days=1)
    q = FIRST_OF_SIGN

    def right(n: int) -> dict[str, bool]:
        return {question: index < n for index, question in enumerate(q[:10])}

    await add_round(db, 3101, at, right(10))
    await add_round(db, 3101, at, right(6))
    await add_round(db, 3102, at, right(8), village="kalibangkang")
    await add_round(db, -777, at, right(5))
    await add_round(db, -777, at, right(7), village="kalibangkang")
    await add_round(db, None, at, right(9))
    await add_round(db, None, at, right(3), village="kalibangkang")
    await add_round(db, 3103, at, right(2), finished=False)
    await db.commit()
    screen = await statistics_screen(person, viewer, app)
    assert screen[:3] == figures(people, rounds, average)


async def test_the_questions_missed_most_often(person, db):
    """The five questions answered wrongly most often in finished rounds of the period,
    most first and, on a tie, in a fixed order; right answers, unfinished rounds and older
    rounds do not count."""
    at, old = START - timedelta(days=1), SINCE - timedelta(days=1)
    a, b, c, d, e, f, g, h, i = FIRST_OF_SIGN[:9]
    misses = [  # each finished round's wrong answers; every round also has g right
        [a, b, d],
        [a, b, c, d],
        [a, b, c, e],
        [a, c, e],
        [f],
        [f],
    ]
    for number, wrong in enumerate(misses):
        await add_round(db, 3200 + number, at, {**dict.fromkeys(wrong, False), g: True})
    for number in range(5):  # h missed in unfinished rounds, i in rounds before the period
        await add_round(db, 3210 + number, at, {h: False}, finished=False)
        await add_round(db, 3220 + number, old, {i: False})
    await db.commit()
    screen = await statistics_screen(person, "admin")
    tied = sorted([d, e, f])[:2]  # three questions missed twice: two fit in the list
    assert missed_lines("\n".join(screen)) == [
        (a, 4),
        *[(question, 3) for question in sorted([b, c])],
        *[(question, 2) for question in tied],
    ]


@pytest.mark.parametrize(
    ("viewer", "lines"),
    [
        (
            "admin",
            [
                checks_line(plain("", "other villages"), 1, 0, 1),  # no village first
                checks_line("Jogosimo", 2, 1, 4),
                checks_line("Kalibangkang", 0, 0, 1),
            ],
        ),
        ("jogosimo", [checks_line("Jogosimo", 2, 1, 4)]),
    ],
)
async def test_job_offer_checks_by_village(app, person, db, viewer, lines):
    """Checks of the period by village and level (an officer sees their own villages);
    a check from before the period does not count."""
    at = START - timedelta(days=2)
    for level in ("high", "high", "stop", "low"):
        add_check(db, "jogosimo", level, at)
    add_check(db, "jogosimo", "stop", SINCE - timedelta(days=1))
    add_check(db, "kalibangkang", "care", at)
    add_check(db, None, "high", at)
    await db.commit()
    screen = await statistics_screen(person, viewer, app)
    assert screen == [*figures(0, 0, "–"), CHECKS_HEADER, *lines]


async def test_a_round_played_counts_for_the_players_village(app, person, db):
    """A round played in the bot counts in the statistics of the player's village, with its
    score; a round of someone from another village does not."""
    await play(await villager(person, 3301, role="prospective"), db, right=8)
    await play(await villager(person, 3302, village="kalibangkang"), db, right=3)
    missed = (await newest_round(db, 3301)).question_ids[8:]
    screen = await statistics_screen(person, "jogosimo", app)
    assert screen[:3] == figures(1, 1, "8")
    assert missed_lines("\n".join(screen)) == [(question, 1) for question in sorted(missed)]
    assert screen[-2:] == [CHECKS_HEADER, plain("", "none")]


# --- a question taken out of the quiz while a round is under way ------------------------


async def test_a_round_with_a_removed_question_is_left_for_a_new_one(person, db):
    """A content update removes a question that someone's unfinished round still holds:
    /kuis, typed text and the round's Next button start a new round instead of failing."""
    quiz = load_quiz()
    p = await villager(person, 1310)
    kept = list(quiz.questions)[:9]
    old = QuizRound(
        person_id=await person_id(db, 1310),
        question_ids=[*kept, "removed-question"],
        started_at=START,
    )
    db.add(old)
    await db.commit()
    for qid in kept:  # answered up to the removed one
        db.add(
            QuizAnswer(
                round_id=old.id,
                question_id=qid,
                answer_id=quiz.questions[qid].correct.id,
                correct=True,
                answered_at=START,
            )
        )
    await db.commit()
    reply = await p.press(f"qz:n:{old.id}")
    sees(reply, "id", "<b>Question {n} / {total}</b>", n=1, total=10)
    reply = await p.say("/kuis")
    sees(reply, "id", "<b>Question {n} / {total}</b>", n=1, total=10)
    rounds = (
        await db.scalars(select(QuizRound).where(QuizRound.person_id == await person_id(db, 1310)))
    ).all()
    assert len(rounds) == 2  # the old round left as it was, one new round continued
    assert all(qid in quiz.questions for qid in rounds[-1].question_ids)


async def test_a_finished_rounds_review_skips_a_removed_question(person, db):
    quiz = load_quiz()
    p = await villager(person, 1311)
    [first, second] = list(quiz.questions)[:2]
    finished = QuizRound(
        person_id=await person_id(db, 1311),
        question_ids=[first, "removed-question", second],
        started_at=START,
        finished_at=START,
        score=0,
    )
    db.add(finished)
    await db.commit()
    for qid in (first, "removed-question", second):
        db.add(
            QuizAnswer(
                round_id=finished.id,
                question_id=qid,
                answer_id="z",
                correct=False,
                answered_at=START,
            )
        )
    await db.commit()
    reply = await p.press(f"qz:rev:{finished.id}")
    shown = reply.text
    from tests.transcript import tr

    assert tr("id", quiz.questions[first].text) in shown
    assert tr("id", quiz.questions[second].text) in shown
    reply = await p.press(f"qz:n:{finished.id}")  # the score page of that round
    sees(reply, "id", "<b>Your score: {score} / {total}</b>", score=0, total=3)
