"""The job-offer check: each rule on its own, every risk level through the dialog in id
and jv, and the officers' statistics with area scoping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.content.job_offer import LEVELS, load_job_offer
from storage.models import JobCheck, QuizRound
from tests.announcing import officer, villager
from tests.transcript import label, sees

OFFER = load_job_offer()
FLAGGED = {
    (question, option)
    for rule in OFFER.rules
    for question, options in rule.when.items()
    for option in options
}
SAFE = {
    q.id: next(o.id for o in q.options if (q.id, o.id) not in FLAGGED) for q in OFFER.questions
}


def test_safe_answers_raise_no_flag():
    assert OFFER.flags(SAFE) == []
    assert OFFER.level(SAFE) == "low"


@pytest.mark.parametrize("rule", OFFER.rules, ids=lambda rule: rule.id)
def test_each_rule_on_its_own(rule):
    for question, options in rule.when.items():
        for option in options:
            answers = {**SAFE, question: option}
            flags = OFFER.flags(answers)
            assert rule in flags
            assert LEVELS.index(OFFER.level(answers)) >= LEVELS.index(rule.level)


def test_three_high_flags_mean_stop():
    highs = [rule for rule in OFFER.rules if rule.level == "high"]
    answers = dict(SAFE)
    used = set()
    for rule in highs:
        question, options = next(iter(rule.when.items()))
        if question not in used:
            answers[question] = options[0]
            used.add(question)
        if len(used) == 3:
            break
    if all(r.level in ("high", "care") for r in OFFER.flags(answers)):
        assert OFFER.level(answers) == "stop"


def answers_for(level: str) -> dict[str, str]:
    if level == "low":
        return dict(SAFE)
    rule = next(r for r in OFFER.rules if r.level == level)
    question, options = next(iter(rule.when.items()))
    answers = {**SAFE, question: options[0]}
    assert OFFER.level(answers) == level
    return answers


async def run_check(p, locale, answers):
    reply = await p.say("/cekkerja")
    for index, question in enumerate(OFFER.questions):
        sees(
            reply,
            locale,
            "<b>🔎 Job offer check</b> ({n} / {total})",
            n=index + 1,
            total=len(OFFER.questions),
        )
        option = next(o for o in question.options if o.id == answers[question.id])
        reply = await p.tap(label(locale, "", option.text))
    return reply


LEVEL_TEXT = {
    "low": "🟢 Low risk: no warning sign found in your answers",
    "care": "🟡 Take care: check these points before you go further",
    "high": "🟠 High risk: do not pay or sign anything before checking",
    "stop": "⛔ Stop: this offer shows signs of trafficking",
}


@pytest.mark.parametrize("locale", ["id", "jv"])
@pytest.mark.parametrize("level", LEVELS)
async def test_each_level_through_the_dialog(person, db, locale, level):
    p = await villager(person, 1301, locale=locale, role="prospective")
    answers = answers_for(level)
    reply = await run_check(p, locale, answers)
    sees(reply, locale, LEVEL_TEXT[level])
    for rule in OFFER.flags(answers):
        assert label(locale, "", rule.flag) in reply.text
        assert label(locale, "", rule.verify) in reply.text
    assert "0800-1000" in reply.text
    stored = (await db.scalars(select(JobCheck))).one()
    assert (stored.level, stored.village_id, stored.answers) == (level, "jogosimo", answers)


async def test_stale_and_forged_answers(person, db):
    p = await villager(person, 1302, role="prospective")
    await p.say("/cekkerja")
    first = OFFER.questions[0]
    await p.tap(label("id", "", first.options[0].text))
    reply = await p.press(f"jc:a:0:{first.options[1].id}")  # the first question again
    sees(reply, "id", "That button is no longer valid. Here is where we are:")
    sees(reply, "id", "<b>🔎 Job offer check</b> ({n} / {total})", n=2, total=len(OFFER.questions))
    reply = await p.press("jc:a:1:no-such-option")
    sees(reply, "id", "That button is no longer valid. Here is where we are:")
    reply = await p.send("voice")
    sees(reply, "id", "I can only read text messages and button taps here.")
    assert (await db.scalars(select(JobCheck))).all() == []


async def seed_statistics(app, db, clock):
    now = clock.now()
    rows = [
        QuizRound(
            telegram_id=1,
            village_id="jogosimo",
            question_ids=["a"] * 10,
            started_at=now,
            finished_at=now,
            score=4,
        ),
        QuizRound(
            telegram_id=2,
            village_id="jogosimo",
            question_ids=["a"] * 10,
            started_at=now,
            finished_at=now,
            score=8,
        ),
        QuizRound(
            telegram_id=3,
            village_id="candirenggo",
            question_ids=["a"] * 10,
            started_at=now,
            finished_at=now,
            score=10,
        ),
        QuizRound(
            telegram_id=4,
            village_id="jogosimo",
            question_ids=["a"] * 10,
            started_at=now - timedelta(days=60),
            finished_at=now - timedelta(days=60),
            score=0,
        ),
        JobCheck(
            telegram_id=1,
            village_id="jogosimo",
            level="stop",
            flags=[],
            answers={},
            created_at=now,
        ),
        JobCheck(
            telegram_id=3,
            village_id="candirenggo",
            level="high",
            flags=[],
            answers={},
            created_at=now,
        ),
        JobCheck(
            telegram_id=5, village_id=None, level="stop", flags=[], answers={}, created_at=now
        ),
    ]
    db.add_all(rows)
    await db.commit()


async def test_statistics_are_scoped_to_the_area(app, person, db, clock):
    await seed_statistics(app, db, clock)
    village_officer = await officer(app, person, 1390, "jogosimo")
    await village_officer.say("/menu")
    await village_officer.tap(label("id", "menu", "🛡 Officer menu"))
    reply = await village_officer.tap(label("id", "button", "📊 Quiz and job-check statistics"))
    sees(reply, "id", "People who finished the quiz: {n}", n=2)  # the 60-day-old round is out
    sees(reply, "id", "Average score: {score} of {total}", score="6", total=10)
    assert "Candirenggo" not in reply.text
    assert "Jogosimo" in reply.text
    reply = await village_officer.tap(label("id", "", "{n} days", n=90))
    sees(reply, "id", "People who finished the quiz: {n}", n=3)

    district = await officer(app, person, 1391, "kebumen")
    await district.say("/menu")
    await district.tap(label("id", "menu", "🛡 Officer menu"))
    reply = await district.tap(label("id", "button", "📊 Quiz and job-check statistics"))
    sees(reply, "id", "People who finished the quiz: {n}", n=3)
    assert "Candirenggo" in reply.text
    assert label("id", "", "other villages") not in reply.text  # not in Kebumen's villages


async def test_villagers_cannot_see_statistics(person):
    p = await villager(person, 1303)
    reply = await p.press("st:30")
    sees(reply, "id", "That button is no longer valid. Here is where we are:")
