"""``/cekkerja`` (menu: 🔎 Check a job offer): a guided check of a job offer.

One question at a time with buttons (dialog ``jobcheck``, step ``q<n>``); "« Back"
(``jc:b:<n>``, pressed at question n) shows question n − 1 with the answer given marked
"✔️"; answering again replaces it, and later answers stay marked. The answers go
through the rules of ``job_offer.yaml`` to a risk level with every red flag explained, what
to verify where, and the advice shown whatever the answers (the licence check). The outcome
(level and flag ids, never advice) is stored for the officers' statistics; without consent to
data processing, without the person's id, village and answers.
"""

from __future__ import annotations

from html import escape

from bot import ids
from bot.conversation import Event, Turn, routes
from bot.conversation.routes import Route
from bot.services import profiles
from bot.terms import explained
from handlers.common import begin, end, goto, in_step, step, user_update
from handlers.keyboards import keyboard
from handlers.navigation import expired, reprompt
from handlers.screen import button_number, show, with_notice
from storage.models import JobCheck

DIALOG = "jobcheck"


def level_labels(context: Turn) -> dict[str, str]:
    _ = context._
    return {
        "low": _("🟢 Low risk: no warning sign found in your answers"),
        "care": _("🟡 Take care: check these points before you go further"),
        "high": _("🟠 High risk: do not pay or sign anything before checking"),
        "stop": _("⛔ Stop: this offer shows signs of trafficking"),
    }


@user_update
async def start(event: Event, context: Turn) -> None:
    """Starts the questionnaire."""
    if not profiles.is_registered(context.user):
        await reprompt(event, context, context._("Let us finish setting up first."))
        return
    begin(context.user, DIALOG, "q0", {"answers": {}})
    await ask(event, context, None)


async def ask(event: Event, context: Turn, notice: str | None) -> None:
    """The current question of the check."""
    _ = context._
    questions = context.services.job_offer.questions
    index = int((context.user.step or "q0")[1:])
    question = questions[index]
    text = (
        _("<b>🔎 Job offer check</b> ({n} / {total})", n=index + 1, total=len(questions))
        + "\n"
        + escape(_(question.text))
    )
    given = (context.user.dialog_data or {}).get("answers", {}).get(question.id)
    rows = [
        [(("✔️ " if option.id == given else "") + _(option.text), f"jc:a:{index}:{option.id}")]
        for option in question.options
    ]
    if index > 0:
        rows.append([(_.pgettext("button", "« Back"), f"jc:b:{index}")])
    await show(event, context, with_notice(notice, text), keyboard(rows))


def _register_steps() -> None:
    # Every question is a step of its own, so a restart resumes at the right one.
    for index in range(40):
        step(DIALOG, f"q{index}")(ask)


_register_steps()


@user_update
async def answered(event: Event, context: Turn) -> None:
    """Stores the answer and asks the next question, or shows the result."""

    parts = event.choice.split(":") if event.pressed else []
    questions = context.services.job_offer.questions
    index = ids.number(parts[2]) if len(parts) == 4 else None
    if index is None or not in_step(context.user, DIALOG, f"q{parts[2]}"):
        await expired(event, context)
        return
    question = questions[index]
    if parts[3] not in {option.id for option in question.options}:
        await expired(event, context)
        return
    answers = {**(context.user.dialog_data or {}).get("answers", {}), question.id: parts[3]}
    if index + 1 < len(questions):
        goto(context.user, f"q{index + 1}", answers=answers)
        await ask(event, context, None)
        return
    end(context.user)
    await show_result(event, context, answers)


@user_update
async def back(event: Event, context: Turn) -> None:
    """« Back from question n to question n − 1, every answer kept. A Back button of another
    question (an old message) or a forged one has expired like any stale button."""

    index = button_number(event, 2, maximum=99)
    if index < 1 or not in_step(context.user, DIALOG, f"q{index}"):
        await expired(event, context)
        return
    goto(context.user, f"q{index - 1}")
    await ask(event, context, None)


async def show_result(event: Event, context: Turn, answers: dict[str, str]) -> None:
    _ = context._
    result = context.services.job_offer.assess(answers)
    flags, level = result.flags, result.level
    verdict = [f"<b>{level_labels(context)[level]}</b>"]
    if flags:
        verdict.append(_("<b>Warning signs in this offer:</b>"))
        verdict += [f"• {escape(_(rule.flag))}" for rule in flags if rule.flag]
        # The signs and the checks go in two messages: together they can pass Telegram's
        # 4096 characters in Javanese (tests/test_job_offer_rules.py keeps each part below).
        await show(event, context, "\n".join(verdict))
    lines = [] if flags else verdict
    checks = [*flags, *result.advice]
    if checks:
        lines.append(_("<b>What to check, and where:</b>"))
        lines += [f"• {escape(_(rule.verify))}" for rule in checks]
    lines.append(
        _(
            "Help: KemenP2MI/BP2MI 0800-1000 (free, 24 hours), police 110. Disnaker and LTSA "
            "check agencies and job offers for free."
        )
    )
    # Someone who declined data processing still counts in the officers' figures: their
    # check is stored without their id, village or answers (only the level and the flags,
    # which say nothing about who they are), so nothing of it is linked to them.
    consent = profiles.has_consent(context.user)
    context.db.add(
        JobCheck(
            person_id=context.user.person_id if consent else None,
            village_id=context.user.village_id if consent else None,
            level=level,
            flags=[rule.id for rule in flags],
            answers=answers if consent else {},
            created_at=context.services.clock.now(),
        )
    )
    rows = []
    if level in ("high", "stop") and profiles.has_consent(context.user):
        rows.append([(_.pgettext("button", "🆘 Ask the officers for help"), "hr:new")])
    rows += [
        [(_.pgettext("button", "Check another offer"), "jc:new")],
        [(_.pgettext("button", "« Menu"), "menu:main")],
    ]
    await show(event, context, explained(_, "\n".join(lines)), keyboard(rows), new=bool(flags))


ROUTES: list[Route] = [
    routes.command("cekkerja", start),
    routes.choice(r"^jc:new$", start),
    routes.choice(r"^jc:a:\d{1,2}:[a-z0-9-]+$", answered),
    routes.choice(r"^jc:b:\d{1,2}$", back),
]
