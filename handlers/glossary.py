"""``/istilah``: the words and abbreviations the bot uses (LTSA, BP3MI, Disnaker, …), each
explained in one plain line. Public information: for everyone, also without consent.
The terms live in ``bot/content/glossary.yaml``."""

from __future__ import annotations

from html import escape

from bot.content.glossary import load_glossary
from bot.conversation import Event, Turn, routes
from bot.conversation.routes import Route
from bot.services import profiles
from handlers.common import user_update
from handlers.keyboards import keyboard
from handlers.navigation import reprompt
from handlers.screen import show

# Loaded when the handlers are registered: bad content stops the bot at start.
GLOSSARY = load_glossary()


def glossary_text(context: Turn) -> str:
    _ = context._
    lines = [_("<b>📖 Words and abbreviations</b>")]
    for term in GLOSSARY.terms:
        name = f"<b>{escape(term.term)}</b>"
        if term.full_name:
            name += f" ({escape(term.full_name)})"
        lines.append(_("{term}: {meaning}", term=name, meaning=escape(_(term.meaning))))
    return "\n\n".join(lines)


@user_update
async def glossary(event: Event, context: Turn) -> None:
    """Lists the terms; a dialog in progress is asked again afterwards (as ``/bantuan``)."""

    user = context.user
    if user.dialog is not None:
        await show(event, context, glossary_text(context))
        await reprompt(event, context)
        return
    rows = [[(context._.pgettext("button", "« Menu"), "menu:main")]]
    markup = keyboard(rows) if profiles.is_registered(user) else None
    await show(event, context, glossary_text(context), markup)


ROUTES: list[Route] = [
    routes.command("istilah", glossary),
]
