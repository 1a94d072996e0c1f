"""``/kasus`` (officer menu: 🗂 Help requests): the officers' queue and case pages.

An officer sees the cases of their area only (an admin sees all): every command, button
and typed answer re-checks the scope, so a forged ``cs:*`` button for a case elsewhere is
refused. Writing to the requester and changing the state need the case to be yours
(claim it, or have it reassigned to you); notes, reassigning and escalating are open to
every officer of the area. Each action is logged on the case by the service.

Dialog ``case`` holds what an officer is typing: ``write`` (to the requester), ``note``,
``escalate`` (the reason), ``link`` (the migrant's reference number), ``outcome`` (of the
case being resolved, in their own words).

✅ Resolved first asks for the outcome the requester is told (``cs:rs:<case>:<outcome id>``,
one of ``help.yaml``'s ``outcomes``, or ``typed``); only then is the case resolved.
"""

from __future__ import annotations

from bot.conversation import routes
from bot.conversation.routes import Route
from bot.services import help_requests as cases
from handlers.case_actions import claim, reassign, reassign_menu, resolve_with, set_status
from handlers.case_history import full_text, history
from handlers.case_page import open_from_link, view
from handlers.case_queue import DIALOG, queue
from handlers.case_typed import start_typing

__all__ = ["DIALOG", "ROUTES", "open_from_link"]

ROUTES: list[Route] = [
    routes.command("kasus", queue),
    routes.choice(rf"^cs:q(:({'|'.join(cases.QUEUE_SECTIONS)}):\d{{1,4}})?$", queue),
    routes.choice(r"^cs:v:\d{1,10}$", view),
    routes.choice(r"^cs:claim:\d{1,10}$", claim),
    routes.choice(r"^cs:st:\d{1,10}:[a-z_]{1,12}$", set_status),
    routes.choice(r"^cs:rs:\d{1,10}:[a-z0-9_]{1,20}$", resolve_with),
    routes.choice(r"^cs:ra:\d{1,10}$", reassign_menu),
    routes.choice(r"^cs:ra:\d{1,10}:\d{1,15}$", reassign),
    routes.choice(r"^cs:(w|n|esc|ln):\d{1,10}$", start_typing),
    routes.choice(r"^cs:h:\d{1,10}(:\d{1,4})?$", history),
    routes.choice(r"^cs:f:\d{1,10}(:\d{1,4})?$", full_text),
]
