"""``/dataku``: everything the bot keeps about the person, as they would read it, and
what they did (quiz rounds, job checks, help requests, their checklist)."""

from __future__ import annotations

from datetime import datetime
from html import escape

from sqlalchemy import func, select

from bot import case_text
from bot.conversation import Event, Turn, routes
from bot.conversation.routes import Route
from bot.services import checklists, help_requests, profiles
from handlers.checklist_answers import scheme_labels
from handlers.common import load_officer, user_update
from handlers.help_draft import summary_lines
from handlers.keyboards import (
    LANGUAGE_NAMES,
    keyboard,
    role_labels,
)
from handlers.navigation import reprompt
from handlers.profile import ERASE, LANGUAGE, PROFILE
from handlers.reminder_settings import zone_name
from handlers.screen import show
from storage.models import HelpMessage, HelpRequest, JobCheck, QuizRound
from storage.repositories import people


def _when(context: Turn, value: datetime | None) -> str:
    return context._.datetime(value) if value else "–"


def _dialog_name(context: Turn, dialog: str) -> str:
    """What an unfinished dialog is about, in the person's words."""
    _ = context._
    return {
        "onboarding": _("setting up (language, who you are, village, agreement)"),
        PROFILE: _("changing your profile"),
        LANGUAGE: _("choosing the language"),
        ERASE: _("erasing your data"),
        "checklist": _("setting up the departure checklist"),
        "help": _("writing a help request"),
        "help_draft": _("choosing whether to continue an unsent help request"),
        "help_add": _("adding information to a help request"),
        "jobcheck": _("checking a job offer"),
        "village_switch": _("changing your village"),
        "announce": _("writing an announcement"),
    }.get(dialog, _("answering a question of the bot"))


def _draft_line(context: Turn) -> str:
    """An unsent help request (handlers/help_draft.py), in the person's words."""

    user = context.user
    draft = help_requests.draft_of(user, context.services.clock.now())
    if draft is None or user.help_draft_at is None:
        return ""
    return context._(
        "An unsent help request, saved {date}: {summary} (/tolong continues it)",
        date=context._.date(user.help_draft_at),
        summary="; ".join(summary_lines(context, draft)),
    )


def _hours(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def data_lines(context: Turn) -> list[tuple[str, str]]:
    """A label and a value for every stored column (a test keeps this list complete).

    An empty text: nothing to show (a column folded into another line, or nothing stored in
    it). Someone who declined sees only what is kept for them (see
    :func:`bot.services.profiles.decline_consent`); settings that only matter with consent
    are left out for them.
    """

    _ = context._
    user = context.user
    given = profiles.has_consent(user)
    consent = {
        profiles.CONSENT_GIVEN: _("given on {date}", date=_when(context, user.consent_at)),
        profiles.CONSENT_DECLINED: _("declined on {date}", date=_when(context, user.consent_at)),
    }.get(user.consent or "", _("not answered yet"))
    village = (
        escape(context.services.villages.area_name(user.village_id)) if user.village_id else "–"
    )
    zone = zone_name(context, user.timezone or context.services.settings.timezone)
    quiet = (
        _(
            "Quiet hours for reminders: {start}–{end}",
            start=_hours(user.quiet_start),
            end=_hours(user.quiet_end),
        )
        if user.quiet_start != user.quiet_end
        else _("Quiet hours for reminders: none")
    )
    return [
        ("person_id", ""),  # an internal number; the identities below say who they are
        ("locale", _("Language: {value}", value=LANGUAGE_NAMES[user.locale])),
        ("consent", _("Consent to data processing: {value}", value=consent)),
        ("consent_at", ""),
        (
            "role",
            _("Who you are: {value}", value=role_labels(_).get(user.role or "", "–"))
            if given
            else "",
        ),
        ("village_id", _("Village: {value}", value=village) if given else ""),
        (
            "other_village",
            _("Village you typed: {value}", value=escape(user.other_village))
            if user.other_village
            else "",
        ),
        (
            "unreachable_at",
            _(
                "The bot could not reach you since: {value}",
                value=_when(context, user.unreachable_at),
            )
            if user.unreachable_at
            else "",
        ),
        (
            "announcements_off",
            ""
            if not given
            else _("Announcements: stopped (/mulai starts them)")
            if user.announcements_off
            else _("Announcements: receiving (/berhenti stops them)"),
        ),
        (
            "dialog",
            _(
                "Unfinished: {value} (/batal cancels it)",
                value=_dialog_name(context, user.dialog),
            )
            if user.dialog
            else "",
        ),
        ("step", ""),
        (
            "dialog_data",
            _("Your answers in it so far, kept until you finish or cancel it")
            if user.dialog and user.dialog_data
            else "",
        ),
        ("help_draft", _draft_line(context)),
        ("help_draft_at", ""),
        ("timezone", _("Time zone: {value}", value=escape(zone)) if given else ""),
        ("quiet_start", quiet if given else ""),
        ("quiet_end", ""),
        (
            "reminders_off",
            "" if not given else _("Reminders: off") if user.reminders_off else _("Reminders: on"),
        ),
        ("created_at", _("First contact: {value}", value=_when(context, user.created_at))),
        ("updated_at", _("Last change: {value}", value=_when(context, user.updated_at))),
    ]


async def activity_lines(context: Turn) -> list[str]:
    """Quiz rounds and job-offer checks kept with the person's id."""

    _ = context._
    me = context.user.person_id
    counts = select(
        select(func.count()).where(QuizRound.person_id == me).scalar_subquery(),
        select(func.count()).where(JobCheck.person_id == me).scalar_subquery(),
    )
    rounds, checks = (await context.db.execute(counts)).one()
    lines = []
    if rounds:
        lines.append(_("Quiz rounds and their answers: {n}", n=rounds))
    if checks:
        lines.append(_("Job-offer checks and their answers: {n}", n=checks))
    return lines


async def help_request_lines(context: Turn) -> list[str]:
    """Help requests: each with what it keeps (details, description, messages, files)."""

    _ = context._
    found = await context.db.execute(
        select(
            HelpRequest,
            select(func.count()).where(HelpMessage.request_id == HelpRequest.id).scalar_subquery(),
        )
        .where(HelpRequest.requester_id == context.user.person_id)
        .order_by(HelpRequest.id)
    )
    lines = []
    for case, messages in found.all():
        lines.append(
            _(
                "Help request {reference} ({category}, {status}, sent {date}): the details "
                "you gave, your description, {files} files and {messages} messages",
                reference=case.reference,
                category=case_text.category(_, context.services, case.category),
                status=case_text.requester_status(_, case.status),
                date=_when(context, case.created_at),
                files=len(case.attachments or []),
                messages=messages,
            )
        )
    return lines


async def checklist_lines(context: Turn) -> list[str]:
    """What the departure checklist keeps: answers, ticks and expiry dates."""

    _ = context._
    plan = await checklists.get(context.db, context.user.person_id)
    if plan is None:
        return []
    content = context.services.checklist
    country = content.countries.get(plan.country or "")
    sector = content.sectors.get(plan.sector or "")
    lines = [
        _(
            "Departure checklist — how you go: {scheme}; destination: {country}; field of "
            "work: {sector}; departure: {date}; agency: {agency}",
            scheme=scheme_labels(context).get(plan.scheme or "", "–"),
            country=_(country.name) if country else escape(plan.country_other or "–"),
            sector=_(sector.name) if sector else "–",
            date=_.date(plan.departure_on) if plan.departure_on else "–",
            agency=escape(plan.agency or "–"),
        )
    ]
    for item_id, mark in sorted((await checklists.marks(context.db, plan.person_id)).items()):
        item = content.items.get(item_id)
        title = _(item.title) if item else item_id
        if mark.ticked_at is not None:
            lines.append(
                _("Done: {item} ({date})", item=escape(title), date=_when(context, mark.ticked_at))
            )
        if mark.expires_on is not None:
            lines.append(
                _("{item} valid until {date}", item=escape(title), date=_.date(mark.expires_on))
            )
    return lines


async def identity_lines(context: Turn) -> list[str]:
    """Every way the bot knows to reach the person (a phone number is personal data)."""
    _ = context._
    labels = {"telegram": _("Telegram ID: {value}")}
    return [
        # A channel this process cannot name (added by a newer version) is still shown.
        labels.get(i.channel, escape(i.channel) + ": {value}").format(value=escape(i.address))
        for i in await people.identities(context.db, context.user.person_id)
    ]


async def show_data(event: Event, context: Turn) -> None:
    _ = context._
    lines = await identity_lines(context)
    lines += [text for _key, text in data_lines(context) if text]
    lines += await checklist_lines(context)
    lines += await activity_lines(context)
    lines += await help_request_lines(context)
    if (officer := await load_officer(context)) is not None:
        lines.append(
            _(
                "Officer for: {area} (since {date})",
                area=escape(context.services.villages.area_name(officer.area_id)),
                date=_when(context, officer.created_at),
            )
        )
    text = _("<b>Everything kept about you</b>") + "\n" + "\n".join(f"• {line}" for line in lines)
    text += "\n\n" + _("Nothing else is stored. To erase all of it, send /hapusdata.")
    await show(event, context, text, keyboard([[(_.pgettext("button", "« Menu"), "menu:main")]]))


@user_update
async def data_command(event: Event, context: Turn) -> None:
    """Shows every stored field about the user."""
    await show_data(event, context)
    if context.user.dialog is not None:
        await reprompt(event, context)


ROUTES: list[Route] = [
    routes.command("dataku", data_command),
]
