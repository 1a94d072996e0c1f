"""The officer menu, and ``/petugas`` for admins to grant and remove officer roles.

Officers are scoped to an area (a village or a whole kabupaten). Every handler here checks
the role itself, so a forged button or a typed command from anyone else is refused.

``/petugas`` – list officers (each with a remove button)
``/petugas tambah <telegram-id> <area>`` – grant (``add`` works too)
``/petugas hapus <telegram-id>`` – remove (``remove`` works too)
"""

from __future__ import annotations

from html import escape

from bot import ids
from bot.case_text import handover_text, references_of
from bot.conversation import Event, Turn, routes
from bot.conversation.routes import Route
from bot.services import officers
from handlers import whois
from handlers.common import is_admin, load_officer, user_update
from handlers.keyboards import keyboard
from handlers.navigation import expired, go_home
from handlers.screen import show, with_notice
from storage.repositories import people
from storage.repositories.people import TELEGRAM

ADD_WORDS = ("tambah", "add")
REMOVE_WORDS = ("hapus", "remove")


async def officer_menu(event: Event, context: Turn, notice: str | None = None) -> None:
    """The officer's tools for their area; admins also manage officers here."""
    _ = context._
    officer = await load_officer(context)
    if officer is None and not is_admin(context):
        await expired(event, context)
        return
    lines = [_("<b>Officer menu</b>")]
    if officer is not None:
        area = context.services.villages.area_name(officer.area_id)
        lines.append(_("Your area: {area}", area=escape(area)))
    if is_admin(context):
        lines.append(_("You are an admin: you can grant and remove officer roles."))
    rows: list[list[tuple[str, str]]] = [
        [(_.pgettext("button", "🗂 Help requests"), "cs:q")],
        [(_.pgettext("button", "📢 New announcement"), "an:new")],
        [(_.pgettext("button", "📋 Announcements"), "anl:list:0")],
        [(_.pgettext("button", "📊 Quiz and job-check stats"), "st:30")],
    ]
    if is_admin(context):
        rows.append([(_.pgettext("button", "Officers"), "adm:list")])
    rows.append([(_.pgettext("button", "« Menu"), "menu:main")])
    await show(event, context, with_notice(notice, "\n".join(lines)), keyboard(rows))


async def _officer_list(event: Event, context: Turn, notice: str | None = None) -> None:
    _ = context._
    listing = await officers.listing(context.db)
    villages = context.services.villages
    known = await whois.addresses(context, [o.person_id for o in listing])
    shown = {o.person_id: known.get(o.person_id, whois.UNKNOWN) for o in listing}
    if listing:
        lines = [
            f"• <code>{shown[o.person_id]}</code> – {escape(villages.area_name(o.area_id))}"
            for o in listing
        ]
        text = _("<b>Officers</b>") + "\n" + "\n".join(lines)
    else:
        text = _("There are no officers yet.")
    text += "\n\n" + _(
        "To add one: /petugas tambah TELEGRAM-ID AREA\nAreas: {areas}",
        areas=", ".join(villages.area_ids),
    )
    rows = [
        [(_.pgettext("button", "Remove {id}", id=shown[o.person_id]), f"adm:rm:{o.person_id}")]
        for o in listing[:40]
    ]
    rows.append([(_.pgettext("button", "« Menu"), "menu:main")])
    await show(event, context, with_notice(notice, text), keyboard(rows))


@user_update
async def officers_command(event: Event, context: Turn) -> None:
    """Lists, grants or removes officer roles (admins only)."""
    _ = context._
    if not is_admin(context):
        await go_home(event, context, notice=_("Only admins can manage officers."))
        return
    args = list(event.args)
    usage = _("Usage: /petugas tambah TELEGRAM-ID AREA, or /petugas hapus TELEGRAM-ID.")
    if not args:
        await _officer_list(event, context)
        return
    action, rest = args[0].lower(), args[1:]
    telegram_id = ids.telegram_id(rest[0]) if rest else None
    if telegram_id is None:
        await show(event, context, usage)
        return
    now = context.services.clock.now()
    if action in ADD_WORDS and len(rest) == 2:
        person = await people.telegram(context.db, telegram_id, now=now)
        try:
            officer, handover = await officers.grant(
                context.db,
                await context.services.routing(context.db),
                person,
                rest[1],
                granted_by=context.user.person_id,
                now=now,
            )
        except officers.UnknownArea as exc:
            notice = _(
                "Unknown area “{area}”. Areas: {areas}",
                area=escape(exc.area_id),
                areas=", ".join(context.services.villages.area_ids),
            )
            await show(event, context, notice)
            return
        area = context.services.villages.area_name(officer.area_id)
        notice = _("{id} is now an officer for {area}.", id=telegram_id, area=escape(area))
        notice += await _handover_lines(context, handover, str(telegram_id), "moved")
        await _officer_list(event, context, notice)
    elif action in REMOVE_WORDS and len(rest) == 1:
        found = await people.find(context.db, TELEGRAM, str(telegram_id))
        await _remove(event, context, found, str(telegram_id))
    else:
        await show(event, context, usage)


async def _remove(event: Event, context: Turn, person: int | None, shown: str) -> None:
    """Takes the role away; their open cases go back to the queue (said in the notice).
    ``shown``: how the admin named them."""
    _ = context._
    handover = None
    if person is not None:
        handover = await officers.revoke(
            context.db,
            await context.services.routing(context.db),
            person,
            now=context.services.clock.now(),
            by=context.user.person_id,
        )
    if handover is None:
        notice = _("{id} was not an officer.", id=shown)
    else:
        notice = _("{id} is no longer an officer.", id=shown)
        notice += await _handover_lines(context, handover, shown, "removed")
    await _officer_list(event, context, notice)


async def _handover_lines(
    context: Turn, handover: officers.Handover, officer: str, why: str
) -> str:
    if not handover:
        return ""
    references = await references_of(context.db, handover.cases)
    text = handover_text(
        context._,
        why=why,
        officer=officer,
        references=references,
        announcements=handover.announcements,
    )
    # The heading repeats the notice above it: only the lines of what was handed back.
    return "\n" + "\n".join(text.split("\n")[1:])


@user_update
async def admin_button(event: Event, context: Turn) -> None:
    """The officer-list buttons; refused for anyone who is not an admin."""
    data = event.choice
    if not is_admin(context):
        await expired(event, context)
        return
    if data == "adm:list":
        await _officer_list(event, context)
        return
    person = ids.row_id(data.rsplit(":", 1)[-1])
    if person is None:  # forged: beyond any person id
        await expired(event, context)
        return
    await _remove(event, context, person, await whois.address(context, person))


ROUTES: list[Route] = [
    routes.command("petugas", officers_command),
    routes.choice(r"^adm:(list|rm:\d{1,20})$", admin_button),
]
