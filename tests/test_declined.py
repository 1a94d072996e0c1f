"""Someone who declined data processing still gets the public information: a whole quiz
round and a job-offer check, stored without anything that links them, counted in the
officers' figures, and ``/dataku`` says so truly."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.content.quiz import load_quiz
from storage.models import JobCheck, QuizAnswer, QuizRound, User
from tests.announcing import villager
from tests.people import person as person_id
from tests.people import row_of
from tests.test_job_check import answers_for, run_check
from tests.transcript import label, sees

QUIZ = load_quiz()


async def play_round(p, db, locale: str, round_id: int | None = None) -> None:
    """Answer every question of the person's round right."""
    for position in range(QUIZ.round_size):
        db.expire_all()
        user = await row_of(db, User, p.user_id)
        found = round_id or (user.dialog_data or {}).get("quiz_round")
        quiz_round = await db.get(QuizRound, found) if found else None
        if quiz_round is None:  # someone who agreed: their newest round
            quiz_round = (
                await db.scalars(
                    select(QuizRound)
                    .where(QuizRound.person_id == await person_id(db, p.user_id))
                    .order_by(QuizRound.id.desc())
                )
            ).first()
        question = QUIZ.questions[quiz_round.question_ids[position]]
        reply = await p.tap(label(locale, "", question.correct.text))
        sees(reply, locale, "✅ Right!")
        last = position == QUIZ.round_size - 1
        reply = await p.tap(label(locale, "button", "See my score ▸" if last else "Next ▸"))
    return reply


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_declined_person_plays_the_quiz_and_checks_an_offer(person, db, locale):
    p = await villager(person, 2101, locale=locale, consent=False)
    menu = p.last_with_buttons().button_labels()
    assert label(locale, "menu", "🧠 Trafficking quiz") in menu
    assert label(locale, "menu", "🔎 Check a job offer") in menu
    reply = await p.tap(label(locale, "menu", "🧠 Trafficking quiz"))
    sees(reply, locale, "<b>🧠 Trafficking warning signs quiz</b>")
    sees(reply, locale, "<b>Question {n} / {total}</b>", n=1, total=QUIZ.round_size)
    reply = await play_round(p, db, locale)
    sees(reply, locale, "<b>Your score: {score} / {total}</b>", score=10, total=10)
    db.expire_all()
    stored = (await db.scalars(select(QuizRound))).one()
    assert (stored.person_id, stored.village_id, stored.score) == (None, None, 10)
    answers = (await db.scalars(select(QuizAnswer))).all()
    assert len(answers) == 10
    assert all(a.round_id == stored.id for a in answers)
    # Another person cannot take over the anonymous round from its buttons.
    other = await villager(person, 2102, locale=locale, consent=False)
    reply = await other.press(f"qz:rev:{stored.id}")
    sees(reply, locale, "That button is no longer valid. Here is where we are:")

    answers = answers_for("stop")
    reply = await run_check(p, locale, answers)
    sees(reply, locale, "⛔ Stop: this offer shows signs of trafficking")
    assert label(locale, "button", "🆘 Ask the officers for help") not in reply.buttons
    check = (await db.scalars(select(JobCheck))).one()
    assert (check.person_id, check.village_id, check.answers, check.level) == (
        None,
        None,
        {},
        "stop",
    )

    reply = await p.say("/dataku")
    sees(reply, locale, "<b>Everything kept about you</b>")
    assert label(locale, "", "Quiz rounds and their answers: {n}", n=1) not in reply.text
    assert label(locale, "", "Job-offer checks and their answers: {n}", n=1) not in reply.text
    sees(reply, locale, "Nothing else is stored. To erase all of it, send /hapusdata.")
    user = await row_of(db, User, 2101)
    await db.refresh(user)
    assert user.dialog_data is None  # the check's end dropped the round's id too


async def test_officers_figures_count_anonymous_rounds(person, db):
    agreed = await villager(person, 2201, role="prospective")
    await agreed.say("/kuis")
    await play_round(agreed, db, "id")
    for user_id in (2202, 2203):  # two people who declined: one person each
        declined = await villager(person, user_id, consent=False)
        await declined.say("/kuis")
        await play_round(declined, db, "id")
    await run_check(declined, "id", answers_for("high"))
    admin = await villager(person, 900)
    reply = await admin.press("st:30")
    sees(reply, "id", "People who finished the quiz: {n}", n=3)
    sees(reply, "id", "Rounds finished: {n}", n=3)
    assert (
        label(
            "id",
            "",
            "• {village}: {high} high, {stop} stop, of {total}",
            village=label("id", "", "other villages"),
            high=1,
            stop=0,
            total=1,
        )
        in reply.text
    )


async def test_a_round_is_continued_and_a_new_one_follows(person, db):
    p = await villager(person, 2301, consent=False)
    await p.say("/kuis")
    reply = await p.say("/kuis")  # the same round, at the same question
    sees(reply, "id", "<b>Question {n} / {total}</b>", n=1, total=10)
    assert len((await db.scalars(select(QuizRound))).all()) == 1
    await play_round(p, db, "id")
    await p.tap(label("id", "button", "Play again"))
    db.expire_all()
    rounds = (await db.scalars(select(QuizRound).order_by(QuizRound.id))).all()
    assert [r.person_id for r in rounds] == [None, None]
    user = await row_of(db, User, 2301)
    assert user.dialog_data == {"quiz_round": rounds[1].id}
