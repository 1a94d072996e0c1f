"""What every dialog shares: one database session per event (the unit of work) with the
person's row and translator on the turn, and the registry of dialog steps with their
leave hooks (moving between them by name: :mod:`handlers.navigation`).

Why a decorator: exactly one route answers an event (:mod:`bot.conversation.routes`),
and it owns the unit of work from loading the person to committing their answer.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.conversation import Event, Turn
from bot.i18n import pick_locale
from bot.replies import Replies
from bot.services import reminders
from storage.models import Officer, User
from storage.repositories import users
from storage.repositories.people import TELEGRAM

Handler = Callable[[Event, Turn], Coroutine[Any, Any, None]]
Prompt = Callable[[Event, Turn, str | None], Awaitable[None]]
TextAnswer = Callable[[Event, Turn, str], Awaitable[None]]
LeaveHook = Callable[[User, datetime], None]

# The time of the event being handled, for the leave hooks (begin/end take no clock).
_update_time: ContextVar[datetime | None] = ContextVar("update_time", default=None)


def user_update(handler: Handler) -> Handler:
    """Run ``handler`` as one unit of work with ``context.user`` loaded (and locked).

    Commit, then talk: the handler renders its answer into ``context.replies``; the unit
    of work commits the changes together with that answer (and, for an event from the
    inbox, the mark that it was handled), closes, and only then sends the answer.
    """

    @functools.wraps(handler)
    async def wrapper(event: Event, context: Turn) -> None:
        # Only private chats carry a person's dialog; in groups the bot answers /start only
        # (a button pressed in a group can only be forged: it is ignored, nothing stored).
        if not event.private:
            return
        services = context.services
        now = services.clock.now()
        _update_time.set(now)
        replies = context.replies = Replies()
        ticket = context.ticket
        async with services.sessions() as session, session.begin():
            user, officer = await users.get_or_create_at(
                session,
                event.channel,
                str(event.person),
                locale=pick_locale(event.language, services.settings.default_locale),
                now=now,
            )
            if user.unreachable_at is not None:
                user.unreachable_at = None  # they wrote to us, so they can be reached again
            context.db = session
            context.user = user
            context.officer = officer
            context.identity = (event.channel, str(event.person))
            context.reply_as_new = False
            context._ = services.i18n.translator(user.locale)
            if user.timezone:
                context._ = context._.with_zone(ZoneInfo(user.timezone))
            _leave_by_command(event, context)
            await handler(event, context)
            if event.pressed is not None and not replies.answered:
                replies.answer(event.pressed.answer_ref)  # stops the button's spinner
            if ticket is not None:
                await ticket.handled(session, replies)
        await context.send(replies.calls)

    return wrapper


async def load_officer(context: Turn) -> Officer | None:
    """The officer row of the current user, loaded together with the user's row."""
    return context.officer


def is_admin(context: Turn) -> bool:
    """Admins are named in the settings by their Telegram ids (``ADMIN_IDS``)."""
    channel, address = context.identity
    return channel == TELEGRAM and int(address) in context.services.settings.admin_ids


# --- dialogs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One question of a dialog: how to ask it, and how to take a typed answer or a
    photo/document when the step accepts one."""

    prompt: Prompt
    on_text: TextAnswer | None = None
    on_media: Handler | None = None


STEPS: dict[tuple[str, str], Step] = {}


def step(
    dialog: str,
    name: str,
    *,
    on_text: TextAnswer | None = None,
    on_media: Handler | None = None,
) -> Callable[[Prompt], Prompt]:
    """Register ``prompt`` as the question of ``dialog``/``name``."""

    def register(prompt: Prompt) -> Prompt:
        STEPS[(dialog, name)] = Step(prompt, on_text, on_media)
        return prompt

    return register


ON_LEAVE: dict[str, LeaveHook] = {}
# Commands of a dialog with a leave hook that handle it themselves (``/batal`` asks first).
OWN_COMMANDS: dict[str, frozenset[str]] = {}
# Commands that show something and then ask the current question again: not a way out.
DETOURS = frozenset({"bantuan", "help", "dataku", "istilah", "berhenti", "mulai"})


def on_leave(dialog: str, *, commands: tuple[str, ...] = ()) -> Callable[[LeaveHook], LeaveHook]:
    """Register ``hook`` to run when ``dialog`` is left for another one or ended without
    being finished (another command, the menu, a typed word that starts something else):
    the one place where a dialog can keep what was said (the help request's draft).
    ``commands``: the dialog's own, which decide themselves what leaving means."""

    def register(hook: LeaveHook) -> LeaveHook:
        ON_LEAVE[dialog] = hook
        OWN_COMMANDS[dialog] = frozenset(commands)
        return hook

    return register


def _leave_by_command(event: Event, context: Turn) -> None:
    """A command that is neither a detour nor the dialog's own leaves a dialog with a leave
    hook before it runs, as a menu button does: some commands (``/kuis``, ``/status``)
    start nothing that replaces the dialog, and the next thing typed would otherwise be
    taken as an answer to a question the person has left."""
    user = context.user
    text = event.text if not event.edited else None
    if user.dialog not in ON_LEAVE or not text:
        return
    if not text.startswith("/") or len(text) < 2:
        return
    command = text[1:].split(maxsplit=1)[0].split("@")[0].lower()
    if command in DETOURS or command in OWN_COMMANDS.get(user.dialog or "", ()):
        return
    known = context.commands
    if command in known:  # an unknown one is answered, then the question asked again
        end(user)


def _leaving(user: User, following: str | None) -> None:
    hook = ON_LEAVE.get(user.dialog) if user.dialog is not None else None
    if hook is not None and user.dialog != following:
        hook(user, _update_time.get() or datetime.now(UTC))


def begin(user: User, dialog: str, step_name: str, data: dict[str, Any] | None = None) -> None:
    _leaving(user, dialog)
    user.dialog, user.step, user.dialog_data = dialog, step_name, dict(data or {})


def goto(user: User, step_name: str, **changes: Any) -> None:
    """Move to ``step_name``, merging ``changes`` into the dialog's answers.

    The JSON column is replaced, not mutated, so SQLAlchemy sees the change.
    """
    user.step = step_name
    if changes:
        user.dialog_data = {**(user.dialog_data or {}), **changes}


def end(user: User, *, finished: bool = False) -> None:
    """Leave the dialog; ``finished``: it reached its end on purpose (sent, discarded), so
    its leave hook does not run."""
    if not finished:
        _leaving(user, None)
    user.dialog = user.step = None
    user.dialog_data = None


def current_step(user: User) -> Step | None:
    if user.dialog is None or user.step is None:
        return None
    return STEPS.get((user.dialog, user.step))


def in_step(user: User, dialog: str, *names: str) -> bool:
    return user.dialog == dialog and (not names or user.step in names)


async def replan_reminders(context: Turn) -> None:
    """After a change the reminders depend on (ticks, dates, zone, switch)."""
    services = context.services
    await context.db.flush()
    await reminders.plan(
        context.db,
        context.user,
        services.checklist,
        now=services.clock.now(),
        default_zone=services.settings.timezone,
    )
