"""``/kuis`` (menu: 🧠 Quiz): the trafficking warning-sign quiz.

A round is ``round_size`` questions drawn to cover different signs (questions missed
before first), one question per message with its answers shuffled. Answering edits the
message to say right or wrong and why, with a Next button. Every answer is a row, so a
round survives restarts and a second tap on an old button changes nothing.

Buttons: ``qz:new``, ``qz:a:<round>:<position>:<answer>``, ``qz:n:<round>``,
``qz:rev:<round>``; the deep link ``?start=kuis`` opens the quiz.
"""

from __future__ import annotations

import random
from datetime import timedelta
from html import escape
from urllib.parse import quote

from bot import ids
from bot.conversation import Event, Turn, routes
from bot.conversation.choices import Row, link
from bot.conversation.routes import Route
from bot.services import profiles
from bot.services import quiz as rounds
from bot.terms import explained
from handlers.common import user_update
from handlers.keyboards import keyboard
from handlers.navigation import expired, reprompt, resumes
from handlers.screen import answer_query, show, with_notice
from storage.models import QuizRound

DEEP_LINK = "kuis"
ROUND_KEY = "quiz_round"
IN_PLAY = timedelta(hours=1)  # a round answered within this is the person's current activity


def _anonymous_round(context: Turn) -> int | None:
    """The round a person who declined data processing is playing: its id is kept only in
    their ``dialog_data`` (cleared by the menu, ``/batal`` and declining again), the row
    itself carries no id of theirs."""
    found = (context.user.dialog_data or {}).get(ROUND_KEY)
    return found if isinstance(found, int) else None


async def show_question(
    event: Event, context: Turn, quiz_round: QuizRound, notice: str | None = None
) -> None:
    """The question waiting for an answer, as a new message."""
    _ = context._
    quiz = context.services.quiz
    position = len(await rounds.answers_of(context.db, quiz_round.id))
    question = quiz.questions[quiz_round.question_ids[position]]
    text = (
        _("<b>Question {n} / {total}</b>", n=position + 1, total=len(quiz_round.question_ids))
        + "\n\n"
        + escape(_(question.text))
    )
    rows = [
        [(_(answer.text), f"qz:a:{quiz_round.id}:{position}:{answer.id}")]
        for answer in rounds.shuffled_answers(quiz_round.id, question)
    ]
    await show(event, context, with_notice(notice, text), keyboard(rows), new=True)


@resumes
async def resume_round(event: Event, context: Turn, notice: str | None) -> bool:
    """Input that fits nowhere while a round is in play gets its question again."""
    if (quiz_round := await round_in_play(context)) is None:
        return False
    await show_question(event, context, quiz_round, notice)
    return True


async def round_in_play(context: Turn) -> QuizRound | None:
    """The person's unfinished round if they answered (or started it) within
    :data:`IN_PLAY`: input that fits nowhere then gets the question again, not the menu.
    An older unfinished round is left alone (``/kuis`` still continues it)."""
    user = context.user
    if profiles.has_consent(user):
        quiz_round = await rounds.open_round(context.db, user.person_id)
    else:
        quiz_round = await _own_round(context, str(_anonymous_round(context) or ""))
    if quiz_round is None or quiz_round.finished_at is not None:
        return None
    if not rounds.playable(context.services.quiz, quiz_round):
        return None
    given = await rounds.answers_of(context.db, quiz_round.id)
    last = max((answer.answered_at for answer in given.values()), default=quiz_round.started_at)
    now = context.services.clock.now()
    return quiz_round if last > now - IN_PLAY else None


async def start_round(event: Event, context: Turn) -> None:
    """Continues an unfinished round, or starts a new one.

    The quiz is public information: someone who declined data processing plays too, in a
    round stored without their id (:func:`_anonymous_round`), so nothing is linked to them
    and the officers' figures still count it."""
    user = context.user
    if not profiles.is_registered(user):
        await reprompt(event, context, context._("Let us finish setting up first."))
        return
    consent = profiles.has_consent(user)
    if consent:
        quiz_round = await rounds.open_round(context.db, user.person_id)
    else:
        quiz_round = await _own_round(context, str(_anonymous_round(context) or ""))
        if quiz_round is not None and quiz_round.finished_at is not None:
            quiz_round = None
    if quiz_round is not None and not rounds.playable(context.services.quiz, quiz_round):
        quiz_round = None  # a question of it was taken out of the quiz: a new round
    if quiz_round is None:
        quiz_round = await rounds.start(
            context.db,
            user,
            context.services.quiz,
            now=context.services.clock.now(),
            rng=random.Random(),
            anonymous=not consent,
        )
        if not consent:
            user.dialog_data = {**(user.dialog_data or {}), ROUND_KEY: quiz_round.id}
        intro = context._(
            "<b>🧠 Trafficking warning signs quiz</b>\n{n} situations that people from our "
            "villages have met. Choose what you would do.",
            n=len(quiz_round.question_ids),
        )
        await show(event, context, intro)
    await show_question(event, context, quiz_round)


@user_update
async def quiz_command(event: Event, context: Turn) -> None:
    """Starts (or continues) a quiz round."""
    await start_round(event, context)


@user_update
async def new_round(event: Event, context: Turn) -> None:
    """ "Play again" and the menu button."""
    await start_round(event, context)


async def _own_round(context: Turn, round_id: str) -> QuizRound | None:
    if (found := ids.row_id(round_id)) is None:
        return None
    quiz_round = await context.db.get(QuizRound, found)
    if quiz_round is None:
        return None
    if quiz_round.person_id is None:  # anonymous: only the one playing it holds its id
        return quiz_round if quiz_round.id == _anonymous_round(context) else None
    return quiz_round if quiz_round.person_id == context.user.person_id else None


@user_update
async def answered(event: Event, context: Turn) -> None:
    """Records the answer (once) and shows whether it was right, and why."""
    _ = context._
    parts = event.choice.split(":") if event.pressed else []
    quiz_round = await _own_round(context, parts[2]) if len(parts) == 5 else None
    position = ids.number(parts[3]) if len(parts) == 5 else None
    if quiz_round is None or position is None:
        await expired(event, context)
        return
    quiz = context.services.quiz
    outcome = await rounds.answer(
        context.db, quiz_round, quiz, position, parts[4], now=context.services.clock.now()
    )
    if outcome is None:  # already answered, or not this question's turn: nothing changes
        await answer_query(event, context, _("You have already answered this question."))
        return
    question = quiz.questions[quiz_round.question_ids[position]]
    verdict = (
        _("✅ Right!")
        if outcome.correct
        else _("❌ Not quite. The safe answer: {answer}", answer=escape(_(question.correct.text)))
    )
    text = "\n\n".join(
        [
            _("<b>Question {n} / {total}</b>", n=position + 1, total=len(quiz_round.question_ids)),
            escape(_(question.text)),
            f"<b>{verdict}</b>",
            escape(_(question.explanation)),
            _("<b>What to do:</b> {text}", text=escape(_(question.instead))),
        ]
    )
    text = explained(_, text)
    label = (
        _.pgettext("button", "See my score ▸")
        if outcome.finished
        else _.pgettext("button", "Next ▸")
    )
    await show(event, context, text, keyboard([[(label, f"qz:n:{quiz_round.id}")]]))


@user_update
async def next_step(event: Event, context: Turn) -> None:
    """The next question, or the score at the end."""
    parts = event.choice.split(":") if event.pressed else []
    quiz_round = await _own_round(context, parts[2]) if len(parts) == 3 else None
    if quiz_round is None:
        await expired(event, context)
        return
    # Drop the Next button: a second tap would only show the same question again.
    pressed = event.pressed
    if pressed is not None and pressed.message_id is not None:
        context.replies.remove_buttons(event.chat, pressed.message_id)
    if quiz_round.finished_at is not None:
        await show_score(event, context, quiz_round)
    elif rounds.playable(context.services.quiz, quiz_round):
        await show_question(event, context, quiz_round)
    else:  # a question of the round was taken out of the quiz meanwhile
        await start_round(event, context)


async def show_score(event: Event, context: Turn, quiz_round: QuizRound) -> None:
    _ = context._
    quiz = context.services.quiz
    score, total = quiz_round.score or 0, len(quiz_round.question_ids)
    if score == total:
        verdict = _("Excellent: you know the warning signs. Share the quiz with your family.")
    elif score >= quiz.pass_mark:
        verdict = _("Good. Look at the answers you missed: each one is a trap people fall into.")
    else:
        verdict = _(
            "Be careful: several of these traps could catch you. Look at the answers you "
            "missed, prepare with the checklist, and save the help line 0800-1000 "
            "(KemenP2MI/BP2MI, free, 24 hours)."
        )
    text = _("<b>Your score: {score} / {total}</b>", score=score, total=total) + "\n" + verdict
    given = await rounds.answers_of(context.db, quiz_round.id)
    wrong = [
        qid
        for qid in quiz_round.question_ids
        if qid in given and not given[qid].correct and qid in quiz.questions
    ]
    if score < quiz.pass_mark:
        items = {
            item
            for qid in wrong
            for item in quiz.signs[quiz.questions[qid].sign].checklist_items
            if item in context.services.checklist.items
        }
        if items:
            titles = [_(context.services.checklist.items[item].title) for item in sorted(items)]
            text += "\n\n" + _("Good to prepare:") + "\n" + "\n".join(f"• {t}" for t in titles)
    bot_name = context.services.bot_username
    share = f"https://t.me/share/url?url={quote(f'https://t.me/{bot_name}?start={DEEP_LINK}')}"
    rows: list[Row] = []
    if wrong:
        rows.append([(_.pgettext("button", "Review my wrong answers"), f"qz:rev:{quiz_round.id}")])
    if score < quiz.pass_mark:
        rows.append([(_.pgettext("menu", "🧳 Departure checklist"), "cl:v")])
    rows += [
        [(_.pgettext("button", "Play again"), "qz:new")],
        [link(_.pgettext("button", "Share the quiz"), share)],
        [(_.pgettext("button", "« Menu"), "menu:main")],
    ]
    await show(event, context, text, keyboard(rows), new=True)


@user_update
async def review(event: Event, context: Turn) -> None:
    """The questions answered wrongly, with the safe answer and why."""
    _ = context._
    parts = event.choice.split(":") if event.pressed else []
    quiz_round = await _own_round(context, parts[2]) if len(parts) == 3 else None
    if quiz_round is None or quiz_round.finished_at is None:
        await expired(event, context)
        return
    quiz = context.services.quiz
    given = await rounds.answers_of(context.db, quiz_round.id)
    blocks = [_("<b>Your wrong answers</b>")]
    for qid in quiz_round.question_ids:
        if qid in given and not given[qid].correct and qid in quiz.questions:
            question = quiz.questions[qid]
            blocks.append(
                f"• {escape(_(question.text))}\n"
                + _("Safe answer: {answer}", answer=escape(_(question.correct.text)))
                + "\n"
                + escape(_(question.explanation))
            )
    rows = [
        [(_.pgettext("button", "Play again"), "qz:new")],
        [(_.pgettext("button", "« Menu"), "menu:main")],
    ]
    await show(event, context, "\n\n".join(blocks), keyboard(rows), new=True)


ROUTES: list[Route] = [
    routes.command("kuis", quiz_command),
    routes.choice(r"^qz:new$", new_round),
    routes.choice(r"^qz:a:\d{1,12}:\d{1,3}:[a-d]$", answered),
    routes.choice(r"^qz:n:\d{1,12}$", next_step),
    routes.choice(r"^qz:rev:\d{1,12}$", review),
]
