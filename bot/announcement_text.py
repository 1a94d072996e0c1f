"""How an announcement reads for its recipient: who sent it, the text, how to stop them.

Villagers are taught to distrust unsolicited messages, so every announcement opens with
the office that sent it (the same office wording as the help relay) and ends with how to
stop announcements. The officer's preview uses the same function.
"""

from __future__ import annotations

from html import escape

from bot import case_text
from bot.context import Services
from bot.i18n import Translator


def sender_line(_: Translator, services: Services, area_id: str | None) -> str:
    """``📢 Petugas Desa Jogosimo``; an admin's (no area): ``📢 Desmigratif``."""
    office = case_text.office(services, area_id)
    if office == "Desmigratif":
        return "📢 Desmigratif"
    return "📢 " + _("Officer of {office}", office=escape(office))


def framed(_: Translator, services: Services, area_id: str | None, text: str) -> str:
    """The announcement (Telegram HTML) as its recipient gets it."""
    stop = _("To stop receiving announcements, send /berhenti.")
    return f"<b>{sender_line(_, services, area_id)}</b>\n\n{text}\n\n<i>{stop}</i>"
