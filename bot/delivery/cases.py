"""The delivery engine's help-request rows: notices to send, deadlines to act on.

A notice is rendered when it is due, from the case as it is then, in the recipient's
language at that moment: a notice about a case that was claimed in the meantime still
goes out (it says so), one to an officer who lost the role or a requester who erased
their data is skipped. Deadlines are checked against the case's state at the same moment;
see :mod:`bot.services.case_alerts` for what each does.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import case_text
from bot.case_text import outcome_line
from bot.context import Services
from bot.conversation.choices import Choice, Choices
from bot.conversation.choices import link as choice_link
from bot.delivery.outgoing import Outgoing
from bot.i18n import Translator
from bot.logs import log_failure
from bot.services import case_alerts
from bot.services import help_requests as cases
from bot.services.help_requests import load_case
from bot.telegram_html import telegram_length
from storage.models import HelpMessage, HelpRequest, Officer, User

log = logging.getLogger("desmigratif.cases")
CAPTION = 600  # of a message's own text under a photo or voice note (Telegram: 1,024 in all)
TEXT = 3500  # of a message's own text in a notice (Telegram: 4,096 in all)


def _markup(rows: Sequence[Sequence[Choice]]) -> Choices:
    return Choices.rows(rows)


def _button(label: str, data: str) -> Choice:
    return Choice(data, label)


# --- notices ---------------------------------------------------------------------------


async def render_notices(services: Services, items: list[Outgoing]) -> None:
    case_ids = {int((item.payload or {}).get("case", 0)) for item in items}
    message_ids = {int(p["message"]) for item in items if "message" in (p := item.payload or {})}
    person_ids = {item.person_id for item in items if item.person_id is not None}
    async with services.sessions() as session:
        found = await session.scalars(select(HelpRequest).where(HelpRequest.id.in_(case_ids)))
        by_id = {case.id: case for case in found.all()}
        people = {
            user.person_id: user
            for user in (
                await session.scalars(select(User).where(User.person_id.in_(person_ids)))
            ).all()
        }
        areas = dict(
            (
                await session.execute(
                    select(Officer.person_id, Officer.area_id).where(
                        Officer.person_id.in_(person_ids)
                    )
                )
            ).all()
        )
        messages = {
            message.id: message
            for message in (
                await session.scalars(select(HelpMessage).where(HelpMessage.id.in_(message_ids)))
            ).all()
        }
        # A resolved case's notice to its requester says the outcome the officer gave.
        finished = [c.id for c in by_id.values() if c.status in ("resolved", "closed")]
        outcomes = await cases.outcomes_of(session, finished)
    admins = services.settings.admin_ids
    villages = services.villages
    passed_on: list[Outgoing] = []
    for item in items:
        if item.skip_reason is not None:
            continue
        payload = item.payload or {}
        case = by_id.get(int(payload.get("case", 0)))
        to = payload.get("to")
        user = people.get(item.person_id or 0)
        if case is None:
            item.skip_reason = "case gone"
        elif to == "requester" and case.requester_id != item.person_id:
            item.skip_reason = "erased"
        elif (
            to == "officer"
            and item.chat_id not in admins
            and case.village_id
            not in case_alerts.covered_villages(villages, areas.get(item.person_id or 0))
        ):
            # Checked when sent, not when queued: an officer removed or moved since then
            # gets nothing about the case; whoever answers for it now gets the notice.
            item.skip_reason = "officer no longer covers the case"
            event = payload.get("event")
            if event not in case_alerts.BROADCAST_EVENTS and event != case_alerts.FILE:
                passed_on.append(item)
        elif payload.get("event") == case_alerts.FILE:
            _ = services.i18n.translator(user.locale if user else services.settings.default_locale)
            if not _render_file(_, item, case, int(payload.get("file", -1))):
                item.skip_reason = "file gone"
        else:
            locale = user.locale if user is not None else services.settings.default_locale
            _ = services.i18n.translator(locale)
            message = messages.get(int(payload["message"])) if "message" in payload else None
            if "message" in payload and message is None:
                item.skip_reason = "message erased"
                continue
            _render_notice(_, services, item, case, payload, message, outcomes.get(case.id))
    if passed_on:
        await _pass_on(services, passed_on)


async def _pass_on(services: Services, items: list[Outgoing]) -> None:
    """Queue the notices of officers who no longer cover their case for who does now."""
    now = services.clock.now()
    async with services.sessions() as session, session.begin():
        for item in items:
            payload = dict(item.payload or {})
            case = await load_case(session, int(payload.pop("case", 0)), lock=False)
            if case is None:
                continue
            people = await case_alerts.holders(
                session, services.villages, case, admin_ids=await services.admins(session)
            )
            event = str(payload.pop("event", ""))
            payload.pop("to", None)
            others = [person for person in people if person != item.person_id]
            await case_alerts.notify(session, case, event, officers=others, now=now, **payload)
            item.skip_reason = f"passed on to {len(others)}"


def _render_notice(
    _: Translator,
    services: Services,
    item: Outgoing,
    case: HelpRequest,
    payload: dict[str, Any],
    message: HelpMessage | None,
    outcome: dict[str, Any] | None = None,
) -> None:
    to, event = payload.get("to"), str(payload.get("event"))
    # Under a photo or voice note Telegram allows 1,024 characters: the typed text is cut
    # before it is escaped (never inside a tag or an entity); the case keeps all of it.
    limit = CAPTION if message is not None and message.file_id else TEXT
    if to == "requester":
        item.text, item.choices = _for_requester(
            _, services, case, event, payload, message, limit, outcome
        )
    elif to == "group":
        item.text, item.choices = _for_group(_, services, case, event)
    else:
        item.text, item.choices = _for_officer(_, services, case, event, payload, message, limit)
    if message is not None and message.file_id:
        item.media = (message.file_kind or "photo", message.file_id)


def _render_file(_: Translator, item: Outgoing, case: HelpRequest, index: int) -> bool:
    """One file of a new request, sent as what it is (a photo, a voice note, a document)
    with the case's reference and its place among the files of its kind as the caption;
    False when the case no longer has it (the requester erased their data)."""
    files = case.attachments or []
    if not 0 <= index < len(files) or not files[index].get("file_id"):
        return False
    kind = str(files[index].get("kind") or "document")
    same = [i for i, file in enumerate(files) if file.get("kind") == kind]
    values = {"reference": case.reference, "n": same.index(index) + 1, "total": len(same)}
    captions = {
        "photo": _("{reference}: photo {n} of {total}", **values),
        "voice": _("{reference}: voice note {n} of {total}", **values),
    }
    item.text = captions.get(kind) or _("{reference}: document {n} of {total}", **values)
    item.media = (kind if kind in ("photo", "voice") else "document", files[index]["file_id"])
    return True


def _event_line(_: Translator, event: str, payload: dict[str, Any], services: Services) -> str:
    deadlines = services.help.deadlines
    return {
        "new": _(
            "🆘 <b>A help request waited for an officer</b>: nobody could be reached when it "
            "was sent. Please claim it."
        )
        if payload.get("waited")
        else _("🆘 <b>New help request</b>"),
        "released": _(
            "🔁 <b>Back in the queue</b>: the officer who held this case no longer covers it. "
            "Please claim it."
        ),
        "realert": _(
            "⏰ <b>Still unclaimed after {minutes} minutes</b>: please claim this urgent request.",
            minutes=int(deadlines.urgent_realert.total_seconds() // 60),
        ),
        "escalated": _("⬆️ <b>Escalated to the district officers</b>"),
        "idle": _.ngettext(
            "⏰ <b>No action for {n} hour</b> on this urgent case you hold.",
            "⏰ <b>No action for {n} hours</b> on this urgent case you hold.",
            int(deadlines.urgent_idle_reminder.total_seconds() // 3600),
        )
        if payload.get("urgent")
        else _(
            "⏰ <b>No action for {days} days</b> on this case you hold.",
            days=deadlines.idle_reminder.days,
        ),
        "assigned": _("👥 <b>This case was assigned to you.</b>"),
        "message": _("💬 <b>The requester wrote:</b>"),
        "unreachable": _(
            "⚠️ <b>The requester blocked the bot.</b> The case stays open; they cannot get "
            "messages until they write again."
        ),
        "linked": _("🔗 <b>Linked with the migrant's own request.</b>"),
        "link_declined": _("🔗 The migrant did not agree to link the requests."),
        "no_contact": _(
            "🔕 <b>The migrant asked not to be contacted through this chat.</b> Someone else "
            "may be reading their messages: find another safe way to reach them."
        ),
        "reopened": _("↩️ <b>The requester says they still need help:</b> the case is open again."),
        "confirmed": _("✅ The requester confirmed that the problem is solved: case closed."),
    }.get(event, event)


def _for_officer(
    _: Translator,
    services: Services,
    case: HelpRequest,
    event: str,
    payload: dict[str, Any],
    message: HelpMessage | None,
    limit: int,
) -> tuple[str, Choices]:
    lines = [_event_line(_, event, payload, services), *case_text.heading(_, services, case)]
    if event in case_alerts.BROADCAST_EVENTS:
        lines.append(case_text.for_whom(_, case))
        if reason := payload.get("reason"):
            lines.append(_("Reason: {reason}", reason=escape(str(reason))))
        if hours := payload.get("hours"):
            lines.append(_("Nobody claimed it within {hours} hours.", hours=hours))
        if case.description:
            lines.append(_("Summary: {text}", text=case_text.summary(case.description)))
    if message is not None and message.text:
        shown = case_text.cut(message.text, limit)
        lines.append(escape(shown))
        if shown != message.text:
            lines.append(_("(continues: open the case to read all of it)"))
    if case.status not in ("new",):
        lines.append(case_text.officer_status(_, case.status))
    rows = []
    if case.status == "new":
        rows.append([_button(_.pgettext("button", "🙋 Claim"), f"cs:claim:{case.id}")])
    rows.append([_button(_.pgettext("button", "📂 Open the case"), f"cs:v:{case.id}")])
    if event == "message":
        rows.append([_button(_.pgettext("button", "✉️ Reply"), f"cs:w:{case.id}")])
    return "\n".join(lines), _markup(rows)


def _for_group(
    _: Translator, services: Services, case: HelpRequest, event: str
) -> tuple[str, Choices]:
    """No names, phone numbers or descriptions: the group is not a private chat."""
    lines = [_event_line(_, event, {}, services), *case_text.heading(_, services, case)]
    if case.status != "new":
        lines.append(case_text.officer_status(_, case.status))
    link = f"https://t.me/{services.bot_username}?start=case_{case.id}"
    rows = [[choice_link(_.pgettext("button", "📂 Open in private chat"), link)]]
    return "\n".join(lines), _markup(rows)


def _for_requester(
    _: Translator,
    services: Services,
    case: HelpRequest,
    event: str,
    payload: dict[str, Any],
    message: HelpMessage | None,
    limit: int,
    outcome: dict[str, Any] | None = None,
) -> tuple[str, Choices]:
    reference = case.reference
    view = _button(_.pgettext("button", "📄 See my request"), f"hr:v:{case.id}")
    if event == "message" and message is not None:
        author = _("Officer of {office}", office=payload.get("office") or "Desmigratif")
        # An officer's text is at most MAX_RELAYED (3,800) characters: it fits whole.
        body = message.text or ""
        if telegram_length(body) > limit and message.file_id:
            body = case_text.cut(body, limit) + "…"
        text = f"<b>{escape(author)}</b> · {reference}\n{escape(body)}"
        reply = _button(_.pgettext("button", "↩️ Reply"), f"hr:add:{case.id}")
        return text.rstrip(), _markup([[reply], [view]])
    if event == "created":
        return case_text.saved(_, case, reached=payload.get("reached", True)), _markup([[view]])
    if event == "link_ask":
        # Someone else may hold the migrant's phone (an employer, a trafficker): the
        # question names no request, no category, nobody, and no worry; one answer is
        # "not here", which the officers see.
        text = _(
            "A short question from the Desmigratif village service: may the officers put "
            "two of their records together, so that they can serve you better?"
        )
        data = f"hr:ln:{case.id}:{payload.get('other')}"
        return text, _markup(
            [
                [_button(_.pgettext("button", "Yes"), f"{data}:y")],
                [_button(_.pgettext("button", "No"), f"{data}:n")],
                [_button(_.pgettext("button", "🔕 Do not contact me here"), f"{data}:x")],
            ]
        )
    if event == "closed":
        text = _(
            "Your request {reference} was closed: it was solved {days} days ago and we heard "
            "nothing more. If you still need help, open it again.",
            reference=reference,
            days=services.help.deadlines.close_after.days,
        )
        again = _button(_.pgettext("button", "↩️ I still need help"), f"hr:re:{case.id}")
        return text, _markup([[again], [view]])
    text = _(
        "Your request {reference} has a new status:\n{status}",
        reference=reference,
        status=case_text.requester_status(_, case.status),
    )
    if event == "escalated":
        text += "\n" + _("It was handed to the district manpower office officers.")
    if case.status == "resolved":
        if line := outcome_line(_, services, outcome, requester=True):
            text += "\n" + line
        text += "\n" + _("Is your problem solved?")
        return text, _markup(
            [
                [_button(_.pgettext("button", "✅ Yes, close it"), f"hr:ok:{case.id}")],
                [_button(_.pgettext("button", "↩️ No, I still need help"), f"hr:re:{case.id}")],
            ]
        )
    if case.status in cases.OPEN:
        add = _button(_.pgettext("button", "➕ Add information"), f"hr:add:{case.id}")
        return text, _markup([[add], [view]])
    return text, _markup([[view]])


async def on_notice_blocked(services: Services, item: Outgoing) -> None:
    """A requester who blocked the bot: the case stays open, marked, and officers know."""
    payload = item.payload or {}
    if payload.get("to") != "requester":
        return
    now = services.clock.now()
    async with services.sessions() as session, session.begin():
        case = await load_case(session, int(payload.get("case", 0)), lock=True)
        if case is None or case.requester_unreachable:
            return
        cases.mark_unreachable(session, case, now)
        await case_alerts.notify_holder(
            session,
            services.villages,
            case,
            "unreachable",
            admin_ids=await services.admins(session),
            now=now,
        )


# --- deadlines -------------------------------------------------------------------------


async def render_deadlines(services: Services, items: list[Outgoing]) -> None:
    for item in items:
        if item.skip_reason is not None:
            continue
        case_id = int((item.payload or {}).get("case", 0))
        try:
            async with services.sessions() as session, session.begin():
                await _check(services, session, item, case_id)
        except Exception as exc:  # one broken case must not stop the others' deadlines
            log_failure(log, "deadline failed", exc, delivery=item.delivery_id, case=case_id)
            item.skip_reason = "failed, see the log"


async def _check(services: Services, session: AsyncSession, item: Outgoing, case_id: int) -> None:
    check = str((item.payload or {}).get("check"))
    now = services.clock.now()
    deadlines = services.help.deadlines
    case = await load_case(session, case_id, lock=True)
    if case is None or case.requester_id is None:
        item.skip_reason = "case gone or anonymised"
        return

    async def alert(event: str, **extra: Any) -> None:
        await case_alerts.alert_officers(
            session,
            services.villages,
            case,
            event,
            admin_ids=await services.admins(session),
            groups=services.settings.officer_groups,
            now=now,
            **extra,
        )

    if check == "realert":
        if case.status != "new":
            item.skip_reason = "claimed"
            return
        await alert("realert")
    elif check == "escalate":
        if case.status != "new" or case.level == "district":
            item.skip_reason = "claimed or escalated"
            return
        waited = deadlines.urgent_escalate if case.urgent else deadlines.normal_escalate
        hours = int(waited.total_seconds() // 3600)
        cases.escalate(session, case, None, "", now, hours=hours)
        await alert("escalated", hours=hours)
        await case_alerts.notify(session, case, "escalated", requester=True, now=now)
    elif check == "idle":
        if (item.payload or {}).get("token") != case.idle_check:
            item.skip_reason = "superseded"  # a newer claim, reassignment or reopening
            return
        if case.status not in cases.OPEN or case.assigned_officer_id is None:
            item.skip_reason = "not held"
            return
        # An urgent case reminds after hours, not days (help.yaml urgent_idle_reminder).
        idle_after = deadlines.idle_after(case.urgent)
        due: datetime = case.last_action_at + idle_after
        if due > now:
            item.defer_until = due
            return
        extra = {"urgent": True} if case.urgent else {}
        await case_alerts.notify(
            session, case, "idle", officers=[case.assigned_officer_id], now=now, **extra
        )
        item.defer_until = now + idle_after
        return
    elif check == "close":
        if case.status != "resolved" or case.resolved_at is None:
            item.skip_reason = "answered"
            return
        due = case.resolved_at + deadlines.close_after
        if due > now:
            item.defer_until = due
            return
        cases.close_unconfirmed(session, case, now)
        await case_alerts.notify(session, case, "closed", requester=True, now=now)
    else:
        item.skip_reason = f"unknown check {check}"
        return
    item.done = True
