"""Moving between questions and screens by name, so that no conversation imports another
that imports it back: asking the step a person is at, opening a registered screen (the
menu, the checklist, one's requests), going back a step, and after a stale or forged
button, unexpected input, or a detour, asking the current question again.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bot.conversation import Event, Turn
from bot.services import profiles
from handlers.common import Handler, Prompt, begin, current_step, in_step, user_update
from handlers.screen import answer_query, button_value

Resume = Callable[[Event, Turn, str | None], Awaitable[bool]]
AnyPrompt = TypeVar("AnyPrompt", bound=Prompt)


def at_step(dialog: str, *steps: str) -> Callable[[Handler], Handler]:
    """A button handler that only applies while the user is at ``dialog``/``steps``.

    Anywhere else the button is stale (an old message) or forged: the user is told it has
    expired and gets their current question again. Includes :func:`user_update`.
    """

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def checked(event: Event, context: Turn) -> None:
            if not in_step(context.user, dialog, *steps):
                await expired(event, context)
                return
            await handler(event, context)

        return user_update(checked)

    return decorate


Before = Callable[[str, dict[str, Any]], str | None]


async def step_back(event: Event, context: Turn, dialog: str, before: Before) -> str | None:
    """The step a "« Back" button (``<prefix>:<step it was shown at>``) leads to, by the
    dialog's ``before`` rule; None, after answering it as expired, when the person is at
    another step now (an old message) or the data is forged."""
    here = button_value(event)
    data = dict(context.user.dialog_data or {})
    previous = before(here, data) if in_step(context.user, dialog, here) else None
    if previous is None:
        await expired(event, context)
    return previous


async def ask(event: Event, context: Turn, notice: str | None = None) -> None:
    """Ask the question of the step the person is at now (after :func:`begin` or
    :func:`goto`), by the registry: a dialog's modules need not import one another."""
    current = current_step(context.user)
    if current is None:  # a step no module registered: a bug, not a person's doing
        raise LookupError(f"no step {context.user.dialog}/{context.user.step}")
    await current.prompt(event, context, notice)


# --- screens ---------------------------------------------------------------------------
# Conversations open one another's screens (the menu, the checklist) by name: each module
# registers its screens here, so that none has to import another conversation (they all
# import this module). After a stale or forged button, unexpected input, or a detour, the
# person gets their current question again; what a person is in the middle of without a
# dialog step (a quiz round being played) is registered as a "resume".

SCREENS: dict[str, Prompt] = {}
RESUMES: list[Resume] = []
MENU = "menu"
CHECKLIST = "checklist"
MY_REQUESTS = "my_requests"  # a requester's help requests (/status)
ONBOARDING = "onboarding"  # the dialog of someone not registered yet


def screen(name: str) -> Callable[[AnyPrompt], AnyPrompt]:
    """Register a prompt as the screen ``name`` (for :func:`open_screen`)."""

    def register(prompt: AnyPrompt) -> AnyPrompt:
        SCREENS[name] = prompt
        return prompt

    return register


def resumes(check: Resume) -> Resume:
    """Register ``check``: shows what the person is in the middle of and says True, or
    says False (the menu is shown then)."""
    RESUMES.append(check)
    return check


async def open_screen(name: str, event: Event, context: Turn, notice: str | None = None) -> None:
    """Show the screen registered as ``name``, with ``notice`` above it."""
    await SCREENS[name](event, context, notice)


async def go_home(event: Event, context: Turn, notice: str | None = None) -> None:
    """The main menu, with ``notice`` above it."""
    await open_screen(MENU, event, context, notice)


async def reprompt(event: Event, context: Turn, notice: str | None = None) -> None:
    """Ask the user's current question again (as a new message), or show the menu."""
    context.reply_as_new = True
    user = context.user
    if (current := current_step(user)) is None and not profiles.is_registered(user):
        # Someone who never finished onboarding (or whose dialog vanished): start it.
        begin(user, ONBOARDING, "language")
        current = current_step(user)
    if current is not None:
        await current.prompt(event, context, notice)
        return
    for check in RESUMES:
        if await check(event, context, notice):
            return
    await go_home(event, context, notice)


async def expired(event: Event, context: Turn) -> None:
    """A button that no longer applies (old message, forged data, another step)."""
    _ = context._
    await answer_query(event, context, _("This button has expired."))
    await reprompt(event, context, _("That button is no longer valid. Here is where we are:"))
