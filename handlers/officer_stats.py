"""Officers' statistics for their area: who took the quiz, how they scored, the questions
missed most, and how job-offer checks came out, by village, over a chosen period.
Nobody is named."""

from __future__ import annotations

from datetime import timedelta
from html import escape

from bot import ids
from bot.conversation import Event, Turn, routes
from bot.conversation.routes import Route
from bot.services import quiz as rounds
from handlers.announce_steps import sender_scope
from handlers.common import user_update
from handlers.keyboards import keyboard
from handlers.navigation import expired
from handlers.screen import button_value, show

PERIODS = (7, 30, 90, 365)


@user_update
async def statistics(event: Event, context: Turn) -> None:
    """The statistics of the officer's area for the chosen number of days."""

    allowed, area_id, scope = await sender_scope(context)
    days = ids.number(button_value(event))
    if not allowed or days is None or days not in PERIODS:
        await expired(event, context)
        return
    _ = context._
    since = context.services.clock.now() - timedelta(days=days)
    stats = await rounds.statistics(context.db, scope, since)
    villages = context.services.villages
    area = villages.area_name(area_id) if area_id else _("all areas")
    lines = [
        _("<b>📊 Statistics: {area}, last {days} days</b>", area=escape(area), days=days),
        _("People who finished the quiz: {n}", n=stats.people),
        _("Rounds finished: {n}", n=stats.rounds),
        _(
            "Average score: {score} of {total}",
            score=_.number(round(stats.average, 1)) if stats.average is not None else "–",
            total=context.services.quiz.round_size,
        ),
    ]
    if stats.most_missed:
        lines.append(_("<b>Missed most often:</b>"))
        quiz = context.services.quiz
        for question_id, misses in stats.most_missed:
            question = quiz.questions.get(question_id)
            text = " ".join(_(question.text).split()) if question else question_id
            short = text if len(text) <= 90 else text[:89] + "…"
            lines.append(f"• {escape(short)} ({misses}×)")
    lines.append(_("<b>Job-offer checks (high risk / stop):</b>"))
    if not stats.checks_by_village:
        lines.append(_("none"))
    for village_id, levels in sorted(stats.checks_by_village.items(), key=lambda kv: kv[0] or ""):
        village = villages.village(village_id)
        name = village.name if village is not None else _("other villages")
        total = sum(levels.values())
        lines.append(
            _(
                "• {village}: {high} high, {stop} stop, of {total}",
                village=escape(name),
                high=levels.get("high", 0),
                stop=levels.get("stop", 0),
                total=total,
            )
        )
    rows = [[(_("{n} days", n=n), f"st:{n}") for n in PERIODS]]
    rows.append([(_.pgettext("button", "« Menu"), "menu:main")])
    await show(event, context, "\n".join(lines), keyboard(rows))


ROUTES: list[Route] = [routes.choice(r"^st:\d{1,3}$", statistics)]
