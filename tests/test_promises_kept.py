"""Found by the Javanese transcripts (issue 13): an expiry date too close for a reminder is
not promised one, and input that fits nowhere during a quiz question gets that question
again (the quiz is not a dialog; its state is its rounds)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.announcing import villager
from tests.test_checklist import set_up
from tests.transcript import I18N, label, sees, tr

REMIND = "Saved. I will remind you {days} days before it runs out."
TOO_SOON = (
    "Saved. It runs out in {n} day, too soon for a reminder: please renew it now.",
    "Saved. It runs out in {n} days, too soon for a reminder: please renew it now.",
)
TODAY = "Saved. It runs out today: please renew it as soon as you can."


async def expiry_notice(person, user_id: int, locale: str, typed: str) -> str:
    """The first paragraph of what the person sees after typing a passport's expiry date
    (the tests' clock stands at 1 Dec 2026, 09:00 WIB)."""
    p = await villager(person, user_id, locale=locale, role="prospective")
    await set_up(p, locale)
    await p.tap("⬜ " + tr(locale, "Passport"))
    await p.tap(label(locale, "button", "📅 Enter the expiry date"))
    reply = await p.say(typed)
    return reply.messages[0].text.split("\n\n")[0]


@pytest.mark.parametrize("locale", ["id", "jv"])
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("02-03-2027", (REMIND, {"days": "90 / 30"})),  # 91 days left: both ahead
        ("01-03-2027", (REMIND, {"days": "30"})),  # 90 days: the 90-day one falls today
        ("01-01-2027", (REMIND, {"days": "30"})),  # 31 days
        ("31-12-2026", (TOO_SOON, {"n": 30})),  # 30 days: the 30-day one falls today
        ("02-12-2026", (TOO_SOON, {"n": 1})),
        ("01-12-2026", (TODAY, {})),
    ],
)
async def test_only_the_reminders_ahead_are_promised(person, locale, typed, expected):
    message, values = expected
    _ = I18N.translator(locale)
    if isinstance(message, tuple):
        text = _.ngettext(*message, values["n"])
    else:
        text = _(message, **values)
    assert await expiry_notice(person, 1501, locale, typed) == text


QUIZ_QUESTION = "<b>Question {n} / {total}</b>"


async def quiz_started(person, user_id: int, locale: str):
    p = await villager(person, user_id, locale=locale, role="prospective")
    await p.say("/kuis")
    return p


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_typed_words_at_a_question_get_it_again(person, locale):
    p = await quiz_started(person, 1510, locale)
    reply = await p.say("hmm ora ngerti")
    sees(reply, locale, "Please answer with one of the buttons below.")
    sees(reply, locale, QUIZ_QUESTION, n=1, total=10)
    reply = await p.send("sticker")
    sees(reply, locale, QUIZ_QUESTION, n=1, total=10)


@pytest.mark.parametrize(("minutes", "in_play"), [(59, True), (61, False)])
async def test_a_round_left_for_an_hour_is_no_longer_where_the_person_is(
    person, clock, minutes, in_play
):
    p = await quiz_started(person, 1511, "id")
    clock.advance(timedelta(minutes=minutes))
    reply = await p.say("hmm")
    question = tr("id", QUIZ_QUESTION, n=1, total=10).removeprefix("<b>").split("<")[0]
    assert (question in reply.text) is in_play
    if not in_play:
        sees(reply, "id", "<b>Main menu</b>\nWhat would you like to do?")
        reply = await p.say("/kuis")  # the round is still there, continued where it was
        sees(reply, "id", QUIZ_QUESTION, n=1, total=10)
