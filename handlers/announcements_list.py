"""``/pengumuman``: an officer's announcements (an admin sees everyone's), with Cancel for
scheduled ones, Stop for running ones, and the report of each."""

from __future__ import annotations

from html import escape

from bot import ids
from bot.announcement_text import STATUS_LABELS, report_text
from bot.conversation import Event, Turn, routes
from bot.conversation.routes import Route
from bot.services import announcements
from bot.telegram_html import html_to_plain
from handlers.announce_steps import sender_scope
from handlers.common import is_admin, user_update
from handlers.keyboards import keyboard
from handlers.navigation import expired, go_home
from handlers.screen import show, with_notice
from storage.models import Announcement
from storage.repositories import deliveries


async def show_list(event: Event, context: Turn, notice: str | None = None) -> None:
    _ = context._
    allowed, _area, _scope = await sender_scope(context)
    if not allowed:
        await go_home(event, context, notice=_("Only officers can send announcements."))
        return
    owner = None if is_admin(context) else context.user.person_id
    items = await announcements.listing(context.db, owner)
    if not items:
        text = _("No announcements yet. Send one with /umumkan.")
        await show(
            event,
            context,
            with_notice(notice, text),
            keyboard([[(_.pgettext("button", "« Menu"), "menu:main")]]),
        )
        return
    lines = [_("<b>Announcements</b>")]
    rows: list[list[tuple[str, str]]] = []
    for item in items:
        preview = escape(_first_words(item))
        lines.append(
            _.ngettext(
                "#{id} · {status} · {when} · {n} recipient\n{preview}",
                "#{id} · {status} · {when} · {n} recipients\n{preview}",
                item.total,
                id=item.id,
                status=_(STATUS_LABELS.get(item.status, item.status)),
                when=_.datetime(item.scheduled_at),
                preview=preview,
            )
        )
        if item.status == "scheduled":
            rows.append(
                [(_.pgettext("button", "Cancel #{id}", id=item.id), f"anl:halt:{item.id}")]
            )
        elif item.status == "running":
            rows.append([(_.pgettext("button", "Stop #{id}", id=item.id), f"anl:halt:{item.id}")])
        rows.append([(_.pgettext("button", "Report #{id}", id=item.id), f"anl:rep:{item.id}")])
    rows.append([(_.pgettext("button", "« Menu"), "menu:main")])
    await show(event, context, with_notice(notice, "\n\n".join(lines)), keyboard(rows))


def _first_words(item: Announcement) -> str:
    plain = " ".join(html_to_plain(item.texts.get("id", "")).split())
    return plain if len(plain) <= 60 else plain[:59] + "…"


@user_update
async def list_command(event: Event, context: Turn) -> None:
    """Lists the officer's announcements."""
    await show_list(event, context)


async def _own(context: Turn, announcement_id: int) -> Announcement | None:
    """The announcement if this officer wrote it (or the user is an admin)."""
    allowed, _area, _scope = await sender_scope(context)
    if not allowed:
        return None
    item = await announcements.get(context.db, announcement_id)
    if item is None or not (is_admin(context) or item.officer_id == context.user.person_id):
        return None
    return item


@user_update
async def list_button(event: Event, context: Turn) -> None:
    """Cancel/stop an announcement or show its report; refused for anyone else's."""

    data = event.choice
    parts = data.split(":")
    announcement_id = ids.row_id(parts[2]) if len(parts) == 3 else None
    if announcement_id is None:
        await expired(event, context)
        return
    item = await _own(context, announcement_id)
    if item is None:
        await expired(event, context)
        return
    _ = context._
    if parts[1] == "halt":
        before = item.status
        after = await announcements.halt(context.db, item, context.services.clock.now())
        # This process's sends stop at once (the others see the row within 0.2 s).
        engine = context.services.delivery_engine
        if after in ("stopped", "cancelled") and engine is not None:
            engine.stopped(item.id)
        if after == before:
            notice = _("Announcement #{id} has already finished.", id=item.id)
        elif after == "cancelled":
            notice = _("Announcement #{id} is cancelled; nothing was sent.", id=item.id)
        else:
            notice = _("Announcement #{id} is stopped; nothing more will be sent.", id=item.id)
        await show_list(event, context, notice)
        return
    counts = await deliveries.counts(context.db, item.id)
    reasons = await deliveries.errors(context.db, item.id)
    rows = [[(_.pgettext("button", "« Announcements"), "anl:list:0")]]
    await show(event, context, report_text(_, item, counts, reasons), keyboard(rows))


@user_update
async def back_to_list(event: Event, context: Turn) -> None:
    await show_list(event, context)


ROUTES: list[Route] = [
    routes.command("pengumuman", list_command),
    routes.choice(r"^anl:list:0$", back_to_list),
    routes.choice(r"^anl:(halt|rep):\d{1,12}$", list_button),
]
