"""What an officer may see and do of a case, and the queue of cases of their area
(``/kasus``).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from html import escape

from bot import case_text, text_pages
from bot.conversation import Event, Turn
from bot.services import case_alerts
from bot.services import help_requests as cases
from bot.services.help_requests import load_case
from handlers.announce_steps import sender_scope
from handlers.common import end, in_step, user_update
from handlers.keyboards import keyboard
from handlers.navigation import expired, go_home
from handlers.screen import (
    button_number,
    show,
    with_notice,
)
from storage.models import HelpRequest

DIALOG = "case"
PER_SECTION = 8
REFERENCE = re.compile(r"DM-\d{4}-(\d{6,10})")
STATUS_BUTTONS = ("in_progress", "waiting", "resolved")
MAX_RELAYED = 3800
MAX_REASON = 500  # of an escalation reason
PAGE_ROOM = 4000  # of Telegram's 4,096 units for a case page (what happened: ~20 more)


def button_ids(event: Event) -> list[str]:
    return event.choice.split(":") if event.pressed is not None else []


async def _scope(context: Turn) -> tuple[bool, Collection[str] | None]:
    allowed, _area, scope = await sender_scope(context)
    return allowed, scope


async def case_in_scope(context: Turn, case_id: int) -> HelpRequest | None:
    """The case when the current user is an officer (or admin) whose area covers it."""
    allowed, scope = await _scope(context)
    if not allowed:
        return None
    case = await load_case(context.db, case_id, lock=True)
    if case is None or not cases.visible_to(case, scope):
        return None
    return case


# --- the queue -------------------------------------------------------------------------


@user_update
async def queue(event: Event, context: Turn) -> None:
    """``/kasus``, the officer menu's button and the case pages' « Queue; ``cs:q:<section>:
    <page>`` is one page of one section (a page past the end shows the last one: cases
    leave the queue while an officer pages through it)."""
    if in_step(context.user, DIALOG):
        end(context.user)
    parts = button_ids(event)
    if len(parts) == 2 or not parts:
        await show_queue(event, context, None)
    elif parts[2] in cases.QUEUE_SECTIONS:
        await show_queue(event, context, None, parts[2], button_number(event, 3))
    else:
        await expired(event, context)


async def show_queue(
    event: Event,
    context: Turn,
    notice: str | None,
    section: str | None = None,
    page: int = 0,
) -> None:
    """Every section's first cases with its true count, or one section a page at a time."""
    _ = context._
    allowed, scope = await _scope(context)
    if not allowed:
        await go_home(event, context, notice=_("Only officers can see help requests."))
        return
    services = context.services
    of = cases.QueueOf(
        context.user.person_id,
        scope,
        services.clock.now(),
        services.help.deadlines.idle_reminder,
    )
    counts = await cases.queue_counts(context.db, of)
    pages = text_pages.page_count(counts[section], PER_SECTION) if section else 1
    page = min(page, pages - 1)
    sections = await cases.queue(
        context.db,
        officer_id=of.officer_id,
        scope=scope,
        now=of.now,
        stale_after=of.stale_after,
        limit=PER_SECTION,
        offset=page * PER_SECTION,
        sections=[section] if section else cases.QUEUE_SECTIONS,
    )
    titles = {
        "unclaimed": _("🆕 Unclaimed in your area"),
        "mine": _("🙋 Yours"),
        "waiting": _("⏳ Waiting for the family"),
        "overdue": _(
            "⏰ No action for {days} days", days=services.help.deadlines.idle_reminder.days
        ),
    }
    lines = [_("<b>🗂 Help requests</b>")]
    if counts["urgent"]:  # all of them, also those on later pages: none is overlooked
        lines.append(_("🚨 Urgent and unclaimed: {count}", count=counts["urgent"]))
    rows: list[list[tuple[str, str]]] = []
    more: list[list[tuple[str, str]]] = []
    shown: set[int] = set()
    # Cases whose alert reached nobody: marked so the first officer or admin sees them.
    unrouted = await case_alerts.unrouted_among(
        context.db, [case.id for found in sections.values() for case in found]
    )
    if unrouted:
        lines.append(_("📭 No officer was alerted about these yet: please take them."))
    for key, found in sections.items():
        lines.append(f"\n<b>{titles[key]}</b>: {counts[key]}")
        if section:
            lines.append(_("Page {page} of {pages}", page=page + 1, pages=pages))
        for case in found:
            urgent = "🚨 " if case.urgent else ""
            urgent += "📭 " if case.id in unrouted else ""
            label = f"{urgent}{case.reference} · {case_text.category(_, services, case.category)}"
            lines.append("• " + escape(label))
            if case.id not in shown:
                shown.add(case.id)
                rows.append([(label[:60], f"cs:v:{case.id}")])
        if not section and counts[key] > len(found):
            lines.append(_("… and {count} more", count=counts[key] - len(found)))
            icon = titles[key].split(" ", 1)[0]  # 🆕 🙋 ⏳ ⏰: which section it pages
            more.append([(f"{icon} {_.pgettext('button', 'Next ▶️')}", f"cs:q:{key}:1")])
    if section:
        pager = []
        if page > 0:
            pager.append((_.pgettext("button", "◀️ Previous"), f"cs:q:{section}:{page - 1}"))
        if page < pages - 1:
            pager.append((_.pgettext("button", "Next ▶️"), f"cs:q:{section}:{page + 1}"))
        rows += [pager] if pager else []
        rows.append([(_.pgettext("button", "« Queue"), "cs:q")])
    else:
        if not shown:
            lines.append("\n" + _("Nothing waiting. Thank you!"))
        rows += more
        rows.append([(_.pgettext("button", "🔄 Refresh"), "cs:q")])
        rows.append([(_.pgettext("button", "« Officer menu"), "menu:officer")])
    await show(event, context, with_notice(notice, "\n".join(lines)), keyboard(rows))


def may(context: Turn, case: HelpRequest, action: str) -> bool:
    if action == "outcome":  # resolving: only the holder of an open case
        return (
            case.assigned_officer_id == context.user.person_id
            and case.status in cases.OPEN
            and "resolved" in cases.TRANSITIONS[case.status]
        )
    if case.requester_id is None:
        return False
    if action == "write":
        return case.assigned_officer_id == context.user.person_id and case.status in cases.OPEN
    if action == "escalate":
        return case.status in cases.OPEN and case.level != "district"
    if action == "link":
        return (
            case.status in cases.OPEN and case.for_whom == "family" and not case.linked_request_id
        )
    return True
