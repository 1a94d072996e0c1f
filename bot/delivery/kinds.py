"""Every kind of delivery row, with what renders it: the one place a new kind is added.

A kind's renderer lives in its own module of this package and imports only
:mod:`bot.delivery.outgoing`; the engine reads this table and imports no renderer itself.
"""

from __future__ import annotations

from bot.delivery.admin import render_admin_notices, render_unsend
from bot.delivery.announcements import render_announcements
from bot.delivery.cases import on_notice_blocked, render_deadlines, render_notices
from bot.delivery.outgoing import Kind
from bot.delivery.reminders import after_reminder, render_reminders
from bot.services import announcements, case_alerts, erasure, reminders

KINDS: dict[str, Kind] = {
    announcements.KIND: Kind(render_announcements),
    reminders.KIND: Kind(render_reminders, after_sent=after_reminder),
    case_alerts.NOTICE: Kind(render_notices, after_blocked=on_notice_blocked),
    case_alerts.DEADLINE: Kind(render_deadlines),
    case_alerts.ADMIN: Kind(render_admin_notices),
    erasure.UNSEND: Kind(render_unsend),
}
