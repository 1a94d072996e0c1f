"""Onboarding: ``/start`` → language → who you are → village → consent → main menu.

```mermaid
stateDiagram-v2
    [*] --> language: /start [v_<village>]
    language --> role: ob:lang:<code>
    language --> consent: ob:lang:<code> (officers)
    role --> village: ob:role:<role>
    village --> consent: ob:vil:<id>
    village --> village_other: ob:vil:other
    village_other --> consent: typed name
    consent --> consent_details: ob:consent:details
    consent_details --> consent: ob:consent:back
    consent --> [*]: ob:consent:yes / ob:consent:no
```

Each answer is stored in ``users.dialog_data`` as it is given, so a restart at any step
resumes at that step. Nothing personal is kept unless the user agrees at the last step.
"""

from __future__ import annotations

from html import escape

from bot import ids
from bot.conversation import Event, Turn, routes
from bot.conversation.routes import Route
from bot.services import profiles
from handlers import village_switch
from handlers.common import begin, end, goto, load_officer, step, user_update
from handlers.keyboards import keyboard, language_keyboard, role_keyboard
from handlers.navigation import ONBOARDING, at_step, expired, go_home
from handlers.officer_cases import open_from_link
from handlers.quiz import start_round
from handlers.screen import button_value, show, with_notice
from handlers.village_picker import VillagePicker

DIALOG = ONBOARDING
DEEP_LINK_VILLAGE = "v_"
DEEP_LINK_QUIZ = "kuis"


def deep_link_village(event: Event, context: Turn) -> str | None:
    """The village named by ``/start v_<id>``, if it exists."""
    payload = event.args[0] if event.args else ""
    if payload.startswith(DEEP_LINK_VILLAGE):
        village = context.services.villages.village(payload.removeprefix(DEEP_LINK_VILLAGE))
        if village is not None:
            return village.id
    return None


@user_update
async def start(event: Event, context: Turn) -> None:
    """Greets and asks for the language, or shows the menu to someone already registered."""
    user = context.user
    village_id = deep_link_village(event, context)
    quiz_link = (event.args or ("",))[0] == DEEP_LINK_QUIZ
    # The quiz is public information: a shared quiz link opens it for everyone, also for
    # someone who declined data processing (their round is kept without their id).
    if quiz_link and profiles.is_registered(user):
        end(user)
        await start_round(event, context)
        return
    payload = event.args[0] if event.args else ""
    case_id = ids.row_id(payload.removeprefix("case_")) if payload.startswith("case_") else None
    if case_id is not None:
        # An officers' group chat's "Open in private chat" button.
        end(user)
        if await open_from_link(event, context, case_id):
            return
    if profiles.has_consent(user):
        if village_id and village_id != user.village_id:
            await village_switch.offer_village_switch(event, context, village_id)
            return
        end(user)
        await go_home(event, context, notice=context._("Welcome back!"))
        return
    data: dict[str, str] = {"village": village_id} if village_id else {}
    if quiz_link:  # a newcomer gets set up first, then the quiz they were sent
        data["then"] = "quiz"
    begin(user, DIALOG, "language", data)
    await ask_language(event, context, None)


@step(DIALOG, "language")
async def ask_language(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    text = _(
        "<b>Welcome to the Desmigratif assistant.</b>\n"
        "I help people from migrant-sending villages work abroad safely, and help their "
        "families when something goes wrong.\n\n"
        "Which language shall we use?"
    )
    await show(
        event,
        context,
        with_notice(notice, text),
        language_keyboard("ob:lang", context.user.locale),
    )


@at_step(DIALOG, "language")
async def chose_language(event: Event, context: Turn) -> None:
    """Stores the language and asks who the user is (officers skip to consent)."""
    user = context.user
    locale = button_value(event)
    profiles.set_locale(user, locale, context.services.clock.now())
    context._ = context.services.i18n.translator(locale)
    if await load_officer(context) is not None:
        goto(user, "consent")
        await ask_consent(event, context, None)
    else:
        goto(user, "role")
        await ask_role(event, context, None)


@step(DIALOG, "role")
async def ask_role(event: Event, context: Turn, notice: str | None) -> None:
    _ = context._
    text = _("Which of these describes you?")
    await show(event, context, with_notice(notice, text), role_keyboard(_, "ob:role"))


@at_step(DIALOG, "role")
async def chose_role(event: Event, context: Turn) -> None:
    """Stores the role and asks for the village."""
    role = button_value(event)
    if role not in profiles.ROLES:
        await expired(event, context)
        return
    goto(context.user, "village", role=role)
    await ask_village(event, context, None)


async def chose_village(
    event: Event, context: Turn, village_id: str | None, other_village: str | None
) -> None:
    """Stores the village (chosen or typed) and asks for consent."""
    goto(context.user, "consent", village=village_id, other_village=other_village)
    await ask_consent(event, context, None)


VILLAGES = VillagePicker(DIALOG, "ob:vil", chose_village, from_link=True)
ask_village = VILLAGES.ask


@step(DIALOG, "consent")
async def ask_consent(event: Event, context: Turn, notice: str | None) -> None:
    """The decision first, in a few short lines; the full notice is one tap away."""
    _ = context._
    data = context.user.dialog_data or {}
    village = context.services.villages.village(data.get("village"))
    place = village.name if village else data.get("other_village")
    text = _(
        "<b>Your personal data</b>\n"
        "Do you agree that I keep a few details about you? I need them to help you.\n\n"
        "• What: your Telegram ID, your language, who you are and your village.\n"
        "• Who sees it: only the Desmigratif officers of your village and district.\n"
        "• /hapusdata erases it at any time.\n\n"
        "If you do not agree, nothing personal is kept and you can still read the public "
        "information."
    )
    if place:
        text += "\n\n" + _("Village: {village}", village=escape(place))
    markup = keyboard(
        [
            [(_.pgettext("button", "I agree"), "ob:consent:yes")],
            [(_.pgettext("button", "I do not agree"), "ob:consent:no")],
            [(_.pgettext("button", "ℹ️ What is kept?"), "ob:consent:details")],
        ]
    )
    await show(event, context, with_notice(notice, text), markup)


@at_step(DIALOG, "consent")
async def consent_details(event: Event, context: Turn) -> None:
    """Shows the full data notice (or, from there, the decision again)."""
    if button_value(event) == "back":
        await ask_consent(event, context, None)
        return
    _ = context._
    text = _(
        "<b>What is kept, and why</b>\n"
        "<b>What:</b> your Telegram ID (an account number, not your phone number), your "
        "language, who you are (for example family of a migrant) and your village. No name "
        "and no phone number.\n"
        "<b>Why:</b> to send you information and reminders that fit you, and so that the "
        "officers of your village can answer you.\n"
        "<b>Who sees it:</b> only the Desmigratif officers of your village and district. It is "
        "not sold or shared with agencies or employers.\n"
        "<b>Help requests:</b> what you write in a request for help (for example a family "
        "member's name and number) is kept with it, for the officers who handle it.\n"
        "<b>Your rights:</b> /dataku shows everything kept about you; /hapusdata erases it "
        "at any time.\n\n"
        "This follows Indonesia's Personal Data Protection Law (UU 27/2022). If you do not "
        "agree, nothing personal is kept and you can still read the public information."
    )
    markup = keyboard([[(_.pgettext("button", "« Back"), "ob:consent:back")]])
    await show(event, context, text, markup)


@at_step(DIALOG, "consent")
async def answered_consent(event: Event, context: Turn) -> None:
    """Stores the profile if the user agrees; otherwise keeps nothing personal."""
    user = context.user
    now = context.services.clock.now()
    data = user.dialog_data or {}
    _ = context._
    if button_value(event) == "yes":
        profiles.give_consent(
            user,
            role=data.get("role"),
            village_id=data.get("village"),
            other_village=data.get("other_village"),
            now=now,
        )
        notice = _("Thank you, you are registered.")
    else:
        profiles.decline_consent(user, now)
        notice = _(
            "Understood: nothing personal is kept. You can still read the public "
            "information, and you can change your mind with /start."
        )
    end(user)
    if data.get("then") == "quiz":  # came by a shared quiz link: the quiz they asked for
        await show(event, context, notice)  # the consent screen becomes the answer
        context.reply_as_new = True
        await start_round(event, context)
        return
    await go_home(event, context, notice=notice)


ROUTES: list[Route] = [
    routes.command("start", start),
    routes.choice(r"^ob:lang:(id|jv|en)$", chose_language),
    routes.choice(r"^ob:role:[a-z]+$", chose_role),
    VILLAGES.route,
    routes.choice(r"^ob:consent:(yes|no)$", answered_consent),
    routes.choice(r"^ob:consent:(details|back)$", consent_details),
]
