"""Nothing a person wrote in a help request is lost: drafts, and additions at the review.

**Drafts.** A help request with something written in it (a description or a file) is kept
as a draft (``users.help_draft``, with ``help_draft_at``) whenever the help dialog is left:

- implicitly (another command, a menu button, a typed word that starts something else):
  the dialog registry's leave hook (:func:`handlers.common.on_leave`), run by ``begin()``
  and ``end()``, keeps it, so no command needs to know about drafts;
- explicitly (``✖️ Cancel the request``, ``/batal``): the person is asked first
  (:func:`leave_prompt`): Send now (to the review, never sent blindly), Keep as draft,
  Discard, or back to the request. With nothing written yet, cancel stays as it was.

``/tolong``, the menu's 🆘 button and typed help words then offer the draft
(:func:`offer`): continue it (back to the review with every answer: a category the
typed words named does not replace the draft's) or start again (the draft is deleted and
a new request starts at once: the person asked for that with a clearly labelled button,
and a question more would stand between them and help). While a draft exists the menu
shows "📝 Finish my request". Send and Discard delete it; so do declining consent and
``/hapusdata`` (with the user's row). A draft is dropped 30 days after it was kept, when it
is next read (:func:`bot.services.help_requests.draft_of`), not by a sweep. One column on
the user's row, not a table: one draft per person, read with the row every event loads.

**Additions at the review.** At the review (and the edit menu) typed text is added to the
description and a photo, voice note or document to the files, with the same limits as the
description step; then the review is shown again. Help words typed there ("tolong, cepat")
are added too: the person is already asking for help, and what they add is for the
officers to read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot import case_text
from bot.conversation import Event, Turn, routes
from bot.conversation.routes import Route
from bot.services import help_requests as cases
from bot.services import profiles
from handlers.common import (
    begin,
    current_step,
    end,
    goto,
    in_step,
    on_leave,
    step,
    user_update,
)
from handlers.help_description import attachment_summary
from handlers.help_review import ask_review
from handlers.help_steps import DIALOG, contacts_text
from handlers.keyboards import keyboard
from handlers.navigation import at_step, expired, go_home, reprompt
from handlers.screen import answer_query, show, with_notice
from storage.models import User

OFFER = "help_draft"  # the dialog that offers a draft: continue, start again, cancel
DESCRIPTION_SHOWN = 80  # characters of the description in the offer


@on_leave(DIALOG, commands=("tolong", "batal", "cancel"))
def _keep(user: User, now: datetime) -> None:
    """The help dialog is left for something else: keep what was written."""
    cases.keep_draft(user, user.dialog_data, now)


def summary_lines(context: Turn, draft: dict[str, Any]) -> list[str]:
    """What the draft is about: category, for whom, the start of the description, files."""
    _ = context._
    lines = [case_text.category(_, context.services, str(draft.get("category") or "other"))]
    if draft.get("for_whom") == "family":
        lines.append(_("For: a family member"))
    elif draft.get("for_whom") == "self":
        lines.append(_("For: me"))
    if description := draft.get("description"):
        # One line: the pieces of a description are joined by blank lines.
        shown = case_text.summary(" ".join(str(description).split()), DESCRIPTION_SHOWN)
        lines.append(_("What happened: {text}", text=shown))
    if attachments := draft.get("attachments"):
        files = attachment_summary(context, list(attachments))
        lines.append(_("Files: {files}", files=files))
    return lines


# --- offering a draft -----------------------------------------------------------------------


async def offer(event: Event, context: Turn, fresh: dict[str, Any]) -> bool:
    """Offer the person's draft, if they have one (False: none, start as usual).

    ``fresh`` is how a new request would start (a category the typed words named, danger,
    the step to come back to); it is used if they start again.
    """
    user = context.user
    now = context.services.clock.now()
    if in_step(user, DIALOG):  # /tolong again while writing one: that one counts
        cases.keep_draft(user, user.dialog_data, now)
    draft = cases.draft_of(user, now)
    if draft is None:
        return False
    resume = fresh.get("resume")
    if isinstance(resume, dict) and resume.get("dialog") in (OFFER, DIALOG):
        fresh = {**fresh, "resume": None}
    if fresh.get("danger"):  # the contacts first, before anything else is asked
        await show(event, context, contacts_text(context), new=True)
        context.reply_as_new = True
    begin(user, OFFER, "offer", {"fresh": fresh})
    await ask_offer(event, context, None)
    return True


@step(OFFER, "offer")
async def ask_offer(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    user = context.user
    draft = cases.draft_of(user, context.services.clock.now())
    if draft is None or user.help_draft_at is None:  # dropped meanwhile (30 days)
        end(user)

        await go_home(event, context, notice=notice)
        return
    text = "\n".join(
        [
            _(
                "<b>You have a help request that was not sent</b> (saved {date}):",
                date=_.date(user.help_draft_at),
            ),
            *summary_lines(context, draft),
            "",
            _("Do you want to continue it?"),
        ]
    )
    rows = [
        [(_.pgettext("button", "▶️ Continue my request"), "hd:continue")],
        [(_.pgettext("button", "🗑 Start again"), "hd:fresh")],
        [(_.pgettext("button", "✖️ Cancel"), "hd:close")],
    ]
    await show(event, context, with_notice(notice, text), keyboard(rows))


@user_update
async def continue_draft(event: Event, context: Turn) -> None:
    """``▶️ Continue my request`` (the offer, the menu): back to the review with everything."""

    _ = context._
    user = context.user
    if in_step(user, DIALOG):  # an old menu: the request being written is the one
        if not cases.worth_keeping(user.dialog_data):  # nothing written: no review yet
            await expired(event, context)
            return
        goto(user, "review", editing=False)
        await ask_review(event, context, None)
        return
    draft = cases.draft_of(user, context.services.clock.now())
    if draft is None or not profiles.has_consent(user):
        await expired(event, context)
        return
    begin(user, DIALOG, "review", {**draft, "editing": False})
    cases.drop_draft(user)  # it is the dialog's answers again (kept again if left)
    notice = _(
        "Here is your request as you left it. You can still add text, a photo or a voice "
        "note: just send it."
    )
    await ask_review(event, context, notice)


@at_step(OFFER, "offer")
async def close_offer(event: Event, context: Turn) -> None:
    """``✖️ Cancel``: nothing changes; the draft stays."""

    _ = context._
    user = context.user
    resume = ((user.dialog_data or {}).get("fresh") or {}).get("resume")
    notice = _("Your unsent request is kept. To finish it: /tolong.")
    if isinstance(resume, dict):
        begin(user, str(resume["dialog"]), str(resume["step"]), resume.get("data") or {})
        await reprompt(event, context, notice)
        return
    end(user)
    await go_home(event, context, notice=notice)


# --- leaving on purpose ------------------------------------------------------------------


async def leave_prompt(event: Event, context: Turn) -> bool:
    """Cancel or ``/batal`` in a help request with something written: ask what to do with
    it. False when there is nothing to lose (cancel as before)."""
    user = context.user
    if not in_step(user, DIALOG) or not cases.worth_keeping(user.dialog_data):
        return False
    if not profiles.has_consent(user):
        return False
    if user.step != "leave":
        goto(user, "leave", leave_from=user.step)
    await answer_query(event, context, context._("The request has not been sent yet."))
    await ask_leave(event, context, None)
    return True


@step(DIALOG, "leave")
async def ask_leave(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    text = _(
        "<b>Your request has not been sent.</b>\n"
        "What you wrote can be sent now, kept as a draft to finish later, or deleted."
    )
    rows = [
        [(_.pgettext("button", "✅ Send now"), "hd:send")],
        [(_.pgettext("button", "💾 Keep as draft"), "hd:keep")],
        [(_.pgettext("button", "🗑 Discard"), "hd:discard")],
        [(_.pgettext("button", "« Back to the request"), "hd:back")],
    ]
    await show(event, context, with_notice(notice, text), keyboard(rows))


@at_step(DIALOG, "leave")
async def leave_answer(event: Event, context: Turn) -> None:
    """Send now (the review first), keep as draft, discard, or back to the request."""

    _ = context._
    user = context.user
    choice = event.choice
    if choice == "hd:send":
        goto(user, "review", editing=False, leave_from=None)
        await ask_review(event, context, _("Please check it, then send it."))
    elif choice == "hd:keep":
        cases.keep_draft(user, user.dialog_data, context.services.clock.now())
        end(user, finished=True)
        notice = _(
            "💾 Your request is kept as a draft for 30 days. It has not been sent. To "
            "finish it: /tolong, or the button below."
        )
        await go_home(event, context, notice=notice)
    elif choice == "hd:discard":
        end(user, finished=True)
        cases.drop_draft(user)
        await answer_query(event, context, _("Request cancelled."))
        await go_home(event, context, notice=_("The request was cancelled; nothing was sent."))
    else:
        back_to = str((user.dialog_data or {}).get("leave_from") or "review")
        goto(user, back_to, leave_from=None)
        current = current_step(user)
        if current is None:  # a step that no longer exists: the review has everything
            goto(user, "review", editing=False)
            current = current_step(user)
        assert current is not None
        await current.prompt(event, context, None)


ROUTES: list[Route] = [
    routes.choice(r"^hd:continue$", continue_draft),
    routes.choice(r"^hd:close$", close_offer),
    routes.choice(r"^hd:(send|keep|discard|back)$", leave_answer),
]
