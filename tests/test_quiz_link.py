"""The quiz share link (``/start kuis``) opens the quiz for everyone: the consent screen
promises that public information stays open to someone who declines (issue 13)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage.models import QuizRound, User
from tests.announcing import LANGUAGE, ROLE, VILLAGE, villager
from tests.people import person as person_id
from tests.people import row_of
from tests.transcript import choose_language, label, sees, tr


async def rounds_of(db, user_id: int | None) -> int:
    """Rounds kept under the person behind Telegram id ``user_id`` (None: anonymous)."""
    condition = (
        QuizRound.person_id.is_(None)
        if user_id is None
        else (QuizRound.person_id == await person_id(db, user_id))
    )
    return await db.scalar(select(func.count()).select_from(QuizRound).where(condition))


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_someone_who_declined_opens_the_shared_quiz(person, db, locale):
    p = await villager(person, 1301, locale=locale, consent=False)
    reply = await p.say("/start kuis")
    sees(reply, locale, "<b>🧠 Trafficking warning signs quiz</b>", n=10)
    sees(reply, locale, "<b>Question {n} / {total}</b>", n=1, total=10)
    assert await rounds_of(db, None) == 1  # kept without their id
    assert await rounds_of(db, 1301) == 0


@pytest.mark.parametrize("locale", ["id", "jv"])
@pytest.mark.parametrize("agrees", [True, False])
async def test_a_newcomer_is_set_up_then_gets_the_quiz(person, db, locale, agrees):
    p = person(1302, language_code=locale)
    reply = await p.say("/start kuis")
    await choose_language(p, LANGUAGE[locale])
    await p.tap(label(locale, "role", ROLE["family"]))
    await p.tap(VILLAGE["jogosimo"])
    answer = "I agree" if agrees else "I do not agree"
    reply = await p.tap(label(locale, "button", answer))
    notice = "Thank you, you are registered." if agrees else "Understood: nothing personal"
    sees(reply, locale, notice)
    sees(reply, locale, "<b>Question {n} / {total}</b>", n=1, total=10)
    assert reply.messages[0].edited  # the consent screen became the answer
    assert not reply.messages[-1].edited  # the question came as a new message
    user = await row_of(db, User, 1302)
    assert user.dialog is None
    assert await rounds_of(db, 1302 if agrees else None) == 1
    assert await rounds_of(db, None if agrees else 1302) == 0


async def test_a_plain_start_still_ends_at_the_menu(person, db):
    p = person(1303, language_code="id")
    await p.say("/start")
    await choose_language(p, LANGUAGE["id"])
    await p.tap(label("id", "role", ROLE["family"]))
    await p.tap(VILLAGE["jogosimo"])
    reply = await p.tap(label("id", "button", "I agree"))
    assert tr("id", "Thank you, you are registered.") in reply.text
    assert await rounds_of(db, 1303) == 0
