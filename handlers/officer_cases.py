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

from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.services import help_requests as cases
from handlers.case_actions import claim, reassign, reassign_menu, resolve_with, set_status
from handlers.case_history import full_text, history
from handlers.case_page import open_from_link, view
from handlers.case_queue import DIALOG, queue
from handlers.case_typed import start_typing
from handlers.common import Handlers

__all__ = ["DIALOG", "HANDLERS", "open_from_link"]

HANDLERS: Handlers = [
    CommandHandler("kasus", queue, filters=filters.ChatType.PRIVATE),
    CallbackQueryHandler(
        queue, pattern=rf"^cs:q(:({'|'.join(cases.QUEUE_SECTIONS)}):\d{{1,4}})?$"
    ),
    CallbackQueryHandler(view, pattern=r"^cs:v:\d{1,10}$"),
    CallbackQueryHandler(claim, pattern=r"^cs:claim:\d{1,10}$"),
    CallbackQueryHandler(set_status, pattern=r"^cs:st:\d{1,10}:[a-z_]{1,12}$"),
    CallbackQueryHandler(resolve_with, pattern=r"^cs:rs:\d{1,10}:[a-z0-9_]{1,20}$"),
    CallbackQueryHandler(reassign_menu, pattern=r"^cs:ra:\d{1,10}$"),
    CallbackQueryHandler(reassign, pattern=r"^cs:ra:\d{1,10}:\d{1,15}$"),
    CallbackQueryHandler(start_typing, pattern=r"^cs:(w|n|esc|ln):\d{1,10}$"),
    CallbackQueryHandler(history, pattern=r"^cs:h:\d{1,10}(:\d{1,4})?$"),
    CallbackQueryHandler(full_text, pattern=r"^cs:f:\d{1,10}(:\d{1,4})?$"),
]
