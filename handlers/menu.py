"""The main menu, ``/menu``, ``/bantuan`` (help) and ``/batal`` (leave the current dialog).

The menu only lists what exists: later features add their buttons here.
"""

from __future__ import annotations

import functools

from bot.conversation import Event, Turn, routes
from bot.conversation.choices import Choices
from bot.conversation.routes import Route
from bot.i18n import Translator
from bot.services import help_requests, profiles
from handlers import my_data, onboarding, profile
from handlers.common import begin, end, is_admin, load_officer, user_update
from handlers.help_draft import leave_prompt
from handlers.keyboards import keyboard
from handlers.navigation import MENU, ask, expired, reprompt, screen
from handlers.officers import officer_menu
from handlers.screen import show, with_notice


@screen(MENU)
async def main_menu(event: Event, context: Turn, notice: str | None = None) -> None:
    """The menu fitting the user: full for registered users, public-only after declining."""
    consent = profiles.has_consent(context.user)
    staff = await load_officer(context) is not None or is_admin(context)
    now = context.services.clock.now()
    draft = consent and help_requests.draft_of(context.user, now) is not None
    # The shared translator of the language (copies carry a time zone; menus show none).
    translator = context.services.i18n.translator(context._.locale)
    text, markup = _menu(translator, consent=consent, staff=staff, draft=draft)
    await show(event, context, with_notice(notice, text), markup)


@functools.lru_cache(maxsize=64)
def _menu(
    _: Translator, *, consent: bool, staff: bool, draft: bool = False
) -> tuple[str, Choices]:
    """Built once per language and kind of user: the menu is on every other screen
    (PTB keyboards are immutable, so one object can serve every event). ``draft``: an
    unsent help request is kept (handlers/help_draft.py); its button comes first."""
    rows: list[list[tuple[str, str]]] = []
    if consent:
        text = _("<b>Main menu</b>\nWhat would you like to do?")
        if draft:
            rows.append([(_.pgettext("menu", "📝 Finish my request"), "hd:continue")])
        rows += [
            [(_.pgettext("menu", "🧳 Departure checklist"), "cl:v")],
            [(_.pgettext("menu", "🧠 Trafficking quiz"), "qz:new")],
            [(_.pgettext("menu", "🔎 Check a job offer"), "jc:new")],
            [
                (_.pgettext("menu", "🆘 Ask for help"), "hr:new"),
                (_.pgettext("menu", "📨 My requests"), "hr:list"),
            ],
            [(_.pgettext("menu", "👤 My profile"), "menu:profile")],
            [(_.pgettext("menu", "📄 My data"), "menu:data")],
        ]
    else:
        text = _(
            "<b>Main menu</b>\nYou have not agreed to data processing, so only public "
            "information is available."
        )
        # Public information stays open (the promise of the consent screen): the quiz and
        # the job-offer check keep nothing linked to the person (see handlers/quiz.py).
        rows += [
            [(_.pgettext("menu", "✅ Agree to data processing"), "menu:consent")],
            [(_.pgettext("menu", "🧳 Legal steps to work abroad"), "cp:v")],
            [(_.pgettext("menu", "🧠 Trafficking quiz"), "qz:new")],
            [(_.pgettext("menu", "🔎 Check a job offer"), "jc:new")],
            [(_.pgettext("menu", "🚨 Emergency contacts"), "hr:sos")],
        ]
    rows.append(
        [
            (_.pgettext("menu", "🌐 Language"), "menu:language"),
            (_.pgettext("menu", "❓ Help"), "menu:help"),
        ]
    )
    if staff:
        rows.append([(_.pgettext("menu", "🛡 Officer menu"), "menu:officer")])
    return text, keyboard(rows)


async def help_text(context: Turn) -> str:
    _ = context._
    text = _(
        "<b>About this assistant</b>\n"
        "The Desmigratif assistant belongs to the Desa Migran Produktif programme of the "
        "Ministry of Manpower. It helps people who want to work abroad to go the legal and "
        "safe way, and helps families stay in touch with the village officers.\n\n"
        "<b>Commands</b>\n"
        "/menu – main menu\n"
        "/persiapan – your departure checklist\n"
        "/kuis – quiz on the warning signs of trafficking\n"
        "/cekkerja – check a job offer for warning signs\n"
        "/tolong – ask the village officers for help (also for a family member abroad)\n"
        "/status – your help requests: their status, add information\n"
        "/pengingat – reminders: what is planned, time zone, quiet hours\n"
        "/profil – your profile (who you are, your village)\n"
        "/bahasa – change the language\n"
        "/dataku – see all data kept about you\n"
        "/hapusdata – erase all your data\n"
        "/batal – stop what you are doing now\n"
        "/berhenti – stop receiving announcements (/mulai receives them again)\n"
        "/istilah – words and abbreviations explained (LTSA, BP3MI, Disnaker, …)\n"
        "/bantuan – this help\n\n"
        "Use the buttons under the messages to answer. Nobody from the programme will ever "
        "ask you for money through this chat."
    )
    if await load_officer(context) is not None or is_admin(context):
        text += "\n\n" + _(
            "<b>For officers</b>\n/kasus – help requests: your queue and cases\n"
            "/umumkan – send an announcement\n/pengumuman – your "
            "announcements, their reports, cancel or stop\n/petugas – manage officers "
            "(admins only)"
        )
    return text


@user_update
async def menu_command(event: Event, context: Turn) -> None:
    """Shows the main menu (or continues onboarding for someone not registered yet)."""

    if not profiles.is_registered(context.user):
        await reprompt(event, context, context._("Let us finish setting up first."))
        return
    end(context.user)
    await main_menu(event, context)


@user_update
async def help_command(event: Event, context: Turn) -> None:
    """Explains the bot; a dialog in progress is asked again afterwards."""

    await show(event, context, await help_text(context), new=True)
    if context.user.dialog is not None:
        await reprompt(event, context)


@user_update
async def cancel_command(event: Event, context: Turn) -> None:
    """Leaves the current dialog without saving its unfinished answers."""
    _ = context._
    user = context.user
    if user.dialog is None:
        notice = _("There is nothing to cancel.")
    elif not profiles.is_registered(user):
        end(user)
        await show(event, context, _("Setup stopped. Send /start whenever you want to begin."))
        return
    else:
        if await leave_prompt(event, context):  # a help request with something written
            return
        notice = _("Stopped. Nothing was changed.")
    end(user)
    await main_menu(event, context, notice=notice)


@user_update
async def menu_button(event: Event, context: Turn) -> None:
    """Routes the main menu's buttons."""
    target = event.choice
    target = target.removeprefix("menu:")
    user = context.user
    consent = profiles.has_consent(user)
    allowed = {
        "main": profiles.is_registered(user),
        "help": True,
        "language": profiles.is_registered(user),
        "consent": profiles.is_registered(user) and not consent,
        "profile": consent,
        "data": True,
        "officer": await load_officer(context) is not None or is_admin(context),
    }
    if not allowed.get(target, False):
        await expired(event, context)
        return
    end(user)
    if target == "main":
        await main_menu(event, context)
    elif target == "help":
        await show(event, context, await help_text(context), keyboard([[_back(context)]]))
    elif target == "language":
        await profile.ask_language(event, context)
    elif target == "consent":
        begin(user, onboarding.DIALOG, "consent")
        await ask(event, context)
    elif target == "profile":
        await profile.show_profile(event, context)
    elif target == "data":
        await my_data.show_data(event, context)
    else:
        await officer_menu(event, context)


def _back(context: Turn) -> tuple[str, str]:
    return (context._.pgettext("button", "« Menu"), "menu:main")


ROUTES: list[Route] = [
    routes.command("menu", menu_command),
    routes.command("bantuan", help_command),
    routes.command("help", help_command),
    routes.command("batal", cancel_command),
    routes.command("cancel", cancel_command),
    routes.choice(r"^menu:[a-z]+$", menu_button),
]
