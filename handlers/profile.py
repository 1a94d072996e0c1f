"""The user's own data: ``/profil`` (see and edit), ``/bahasa``, ``/hapusdata`` (``/dataku``:
:mod:`handlers.my_data`).

```mermaid
stateDiagram-v2
    [*] --> profile: /profil
    profile --> role: pf:role
    role --> profile: pf:setrole:<role>
    profile --> village: pf:village
    village --> profile: pf:setvil:<id>
    village --> village_other: pf:setvil:other
    village_other --> profile: typed name
    [*] --> language: /bahasa
    language --> [*]: lang:<code>
    [*] --> erase: /hapusdata
    erase --> [*]: del:yes (all rows about the user deleted) / del:no
```
"""

from __future__ import annotations

from html import escape

from bot.conversation import Event, Turn, routes
from bot.conversation.routes import Route
from bot.services import erasure, profiles
from handlers.common import begin, end, load_officer, step, user_update
from handlers.keyboards import (
    LANGUAGE_NAMES,
    choice,
    keyboard,
    language_keyboard,
    role_keyboard,
    role_labels,
)
from handlers.navigation import ONBOARDING, ask, at_step, expired, go_home, reprompt
from handlers.screen import button_value, show, with_notice
from handlers.village_picker import VillagePicker

PROFILE = "profile"
LANGUAGE = "language"
ERASE = "erase"


def _village_text(context: Turn) -> str:
    user = context.user
    if user.village_id:
        return escape(context.services.villages.area_name(user.village_id))
    if user.other_village:
        return escape(user.other_village)
    return "–"


async def show_profile(event: Event, context: Turn, notice: str | None = None) -> None:
    _ = context._
    user = context.user
    role = role_labels(_).get(user.role or "", "–")
    text = _(
        "<b>Your profile</b>\nWho you are: {role}\nVillage: {village}\nLanguage: {language}",
        role=role,
        village=_village_text(context),
        language=LANGUAGE_NAMES[user.locale],
    )
    if (officer := await load_officer(context)) is not None:
        text += "\n" + _(
            "Officer for: {area}",
            area=escape(context.services.villages.area_name(officer.area_id)),
        )
    markup = keyboard(
        [
            [(_.pgettext("button", "Change who I am"), "pf:role")],
            [(_.pgettext("button", "Change village"), "pf:village")],
            [(_.pgettext("button", "Change language"), "menu:language")],
            [(_.pgettext("button", "« Menu"), "menu:main")],
        ]
    )
    await show(event, context, with_notice(notice, text), markup)


@user_update
async def profile_command(event: Event, context: Turn) -> None:
    """Shows the profile with buttons to change it."""
    if not profiles.has_consent(context.user):
        await _needs_consent(event, context)
        return
    end(context.user)
    await show_profile(event, context)


async def _needs_consent(event: Event, context: Turn) -> None:
    if profiles.is_registered(context.user):
        await go_home(
            event, context, notice=context._("You have not agreed, so no profile is kept.")
        )
    else:
        await reprompt(event, context, context._("Let us finish setting up first."))


@user_update
async def profile_button(event: Event, context: Turn) -> None:
    """Starts editing the role or the village."""
    user = context.user
    if not profiles.has_consent(user):
        await expired(event, context)
        return
    field = event.choice
    if field == "pf:role":
        begin(user, PROFILE, "role")
        await ask_role(event, context, None)
    else:
        begin(user, PROFILE, "village", {"village": user.village_id})
        await VILLAGES.ask(event, context, None)


@step(PROFILE, "role")
async def ask_role(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    await show(
        event,
        context,
        with_notice(notice, _("Which of these describes you?")),
        role_keyboard(_, "pf:setrole"),
    )


@at_step(PROFILE, "role")
async def set_role(event: Event, context: Turn) -> None:
    """Stores the new role and shows the profile."""
    role = button_value(event)
    if role not in profiles.ROLES:
        await expired(event, context)
        return
    profiles.set_role(context.user, role, context.services.clock.now())
    end(context.user)
    await show_profile(event, context, context._("Saved."))


async def set_village(
    event: Event, context: Turn, village_id: str | None, other_village: str | None
) -> None:
    """Stores the chosen or typed village and shows the profile."""
    profiles.set_village(context.user, village_id, other_village, context.services.clock.now())
    end(context.user)
    await show_profile(event, context, context._("Saved."))


VILLAGES = VillagePicker(PROFILE, "pf:setvil", set_village, from_link=False)


# --- language --------------------------------------------------------------------------


async def ask_language(event: Event, context: Turn, notice: str | None = None) -> None:
    begin(context.user, LANGUAGE, "choose")
    await _ask_language(event, context, notice)


@step(LANGUAGE, "choose")
async def _ask_language(event: Event, context: Turn, notice: str | None) -> None:
    text = with_notice(notice, context._("Which language shall we use?"))
    await show(event, context, text, language_keyboard("lang", context.user.locale))


@user_update
async def language_command(event: Event, context: Turn) -> None:
    """Asks for the language (during onboarding: that is its first step anyway)."""
    if not profiles.is_registered(context.user):
        begin(context.user, ONBOARDING, "language", context.user.dialog_data)
        await ask(event, context)
        return
    await ask_language(event, context)


@at_step(LANGUAGE, "choose")
async def chose_language(event: Event, context: Turn) -> None:
    """Stores the language and shows the menu in it."""
    locale = button_value(event)
    if locale not in LANGUAGE_NAMES:
        await expired(event, context)
        return
    profiles.set_locale(context.user, locale, context.services.clock.now())
    end(context.user)
    context._ = context.services.i18n.translator(locale)
    await go_home(event, context, notice=context._("Language changed to English."))


# --- /hapusdata --------------------------------------------------------------------------


@user_update
async def erase_command(event: Event, context: Turn) -> None:
    """Asks to confirm erasing everything."""
    begin(context.user, ERASE, "confirm")
    await ask_erase(event, context, None)


@step(ERASE, "confirm")
async def ask_erase(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    text = _(
        "<b>Erase all your data?</b>\n"
        "Your profile, your language and everything else kept about you will be deleted. "
        "This cannot be undone."
    )
    markup = choice(
        (_.pgettext("button", "Yes, erase everything"), "del:yes"),
        (_.pgettext("button", "No, keep my data"), "del:no"),
    )
    await show(event, context, with_notice(notice, text), markup)


@at_step(ERASE, "confirm")
async def erase_answer(event: Event, context: Turn) -> None:
    """Erases every row about the user, or keeps them."""
    user = context.user
    _ = context._
    if button_value(event) == "yes":
        services = context.services
        await erasure.erase(
            context.db,
            await services.routing(context.db),
            user.person_id,
            now=services.clock.now(),
        )
        context.db.expunge(user)
        await show(event, context, _("All your data has been erased. Send /start to begin again."))
        return
    end(user)
    if profiles.is_registered(user):
        await go_home(event, context, notice=_("Nothing was erased."))
    else:
        await reprompt(event, context, _("Nothing was erased."))


ROUTES: list[Route] = [
    routes.command("profil", profile_command),
    routes.command("bahasa", language_command),
    routes.command("language", language_command),
    routes.command("hapusdata", erase_command),
    routes.choice(r"^pf:(role|village)$", profile_button),
    routes.choice(r"^pf:setrole:[a-z]+$", set_role),
    VILLAGES.route,
    routes.choice(r"^lang:[a-z]{2}$", chose_language),
    routes.choice(r"^del:(yes|no)$", erase_answer),
]
