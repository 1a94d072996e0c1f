"""How an announcement reads for its recipient: who sent it, the text, how to stop them.

Villagers are taught to distrust unsolicited messages, so every announcement opens with
the office that sent it (the same office wording as the help relay) and ends with how to
stop announcements. The officer's preview uses the same function.
"""

from __future__ import annotations

from html import escape

from bot import case_text
from bot.context import Services
from bot.i18n import N_, Translator
from storage.models import Announcement


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


STATUS_LABELS = {
    "scheduled": N_("scheduled"),
    "running": N_("sending"),
    "done": N_("finished"),
    "cancelled": N_("cancelled"),
    "stopped": N_("stopped"),
}


def counts_line(_: Translator, total: int, counts: dict[str, int]) -> str:
    return _(
        "{sent} of {total} delivered · {blocked} blocked the bot · {failed} failed",
        sent=_.number(counts.get("sent", 0)),
        total=_.number(total),
        blocked=_.number(counts.get("blocked", 0)),
        failed=_.number(counts.get("failed", 0)),
    )


def report_text(
    _: Translator,
    announcement: Announcement,
    counts: dict[str, int],
    reasons: list[tuple[str, int]],
) -> str:
    """The full report: outcome counts and every failure reason with its count."""
    lines = [
        _(
            "<b>Announcement #{id}: {status}</b>",
            id=announcement.id,
            status=_(STATUS_LABELS.get(announcement.status, announcement.status)),
        ),
        _(
            "Delivered: {n} of {total}",
            n=_.number(counts.get("sent", 0)),
            total=_.number(announcement.total),
        ),
        _("Blocked the bot: {n}", n=_.number(counts.get("blocked", 0))),
        _("Failed after retries: {n}", n=_.number(counts.get("failed", 0))),
    ]
    not_sent = counts.get("cancelled", 0) + counts.get("skipped", 0)
    if not_sent:
        lines.append(_("Not sent (stopped, opted out or erased): {n}", n=_.number(not_sent)))
    waiting = counts.get("pending", 0) + counts.get("claimed", 0)
    if waiting:
        lines.append(_("Still to send: {n}", n=_.number(waiting)))
    if reasons:
        lines.append(_("Reasons for failures:"))
        lines += [f"• {escape(reason[:200])}: {_.number(count)}" for reason, count in reasons[:10]]
    return "\n".join(lines)
