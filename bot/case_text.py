"""How a help request reads: for the requester, for officers in private, for group chats.

Shared by the handlers and by the notices the delivery engine sends, so a case looks the
same wherever it appears. Everything the requester typed is HTML-escaped here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Services
from bot.i18n import Translator
from storage.models import HelpRequest

# Telegram's limit is 4096; a case page keeps room for its header and lines around it.
DESCRIPTION_ON_PAGE = 1500
PHONE = re.compile(r"\+?\d[\d .\-()]{5,}\d")


def requester_status(_: Translator, status: str) -> str:
    """The state in plain words, for the person who asked for help."""
    return {
        "new": _("📨 Received: waiting for an officer"),
        "claimed": _("🙋 An officer is handling it"),
        "in_progress": _("🔧 Being handled"),
        "waiting": _("⏳ The officer is waiting for your answer"),
        "resolved": _("✅ Solved: please confirm"),
        "closed": _("🔒 Closed"),
    }.get(status, status)


def officer_status(_: Translator, status: str) -> str:
    return {
        "new": _.pgettext("case status", "🆕 New, unclaimed"),
        "claimed": _.pgettext("case status", "🙋 Claimed"),
        "in_progress": _.pgettext("case status", "🔧 In progress"),
        "waiting": _.pgettext("case status", "⏳ Waiting for the requester"),
        "resolved": _.pgettext("case status", "✅ Resolved"),
        "closed": _.pgettext("case status", "🔒 Closed"),
    }.get(status, status)


def category(_: Translator, services: Services, category_id: str) -> str:
    found = services.help.category(category_id)
    return _(found.label) if found is not None else category_id


def office(services: Services, area_id: str | None) -> str:
    """``Desa Jogosimo`` or ``Kabupaten Kebumen``: proper nouns, the same in every language."""
    villages = services.villages
    if (village := villages.village(area_id)) is not None:
        return f"Desa {village.name}"
    if area_id in villages.kabupaten:
        return f"Kabupaten {villages.kabupaten[area_id].name}"
    return "Desmigratif"


def village(_: Translator, services: Services, case: HelpRequest) -> str:
    if case.village_id is None:
        return _("a village not on the list")
    return escape(services.villages.area_name(case.village_id))


def subject_labels(_: Translator) -> dict[str, str]:
    return {
        "name": _("Name"),
        "relationship": _("Relationship"),
        "country": _("Country"),
        "where": _("Where"),
        "city": _("City or area"),
        "employer": _("Employer or agency"),
        "last_contact": _("Last contact"),
        "contact": _("Phone or WhatsApp"),
    }


def where_labels(_: Translator) -> dict[str, str]:
    """The country question's answers for someone who is in Indonesia (``subject["where"]``)."""
    return {
        "indonesia": _.pgettext("button", "🇮🇩 In Indonesia, not left yet"),
        "penampungan": _.pgettext("button", "🏠 In a holding house"),
    }


def where_words(_: Translator, where: str) -> str:
    """``subject["where"]`` in words, in the reader's language (review, officer's page)."""
    words = {
        "indonesia": _("in Indonesia, has not left yet"),
        "penampungan": _("in a holding house (penampungan) in Indonesia"),
    }
    return words.get(where, where)


def relationship_labels(_: Translator) -> dict[str, str]:
    """Buttons completing "{name} is my …": the requester's own view of the person."""
    return {
        "child": _.pgettext("relationship", "daughter or son"),
        "spouse": _.pgettext("relationship", "wife or husband"),
        "parent": _.pgettext("relationship", "mother or father"),
        "sibling": _.pgettext("relationship", "sister or brother"),
        "relative": _.pgettext("relationship", "other relative"),
    }


def relationship_line(_: Translator, relationship: str, name: str | None) -> str:
    """For officers: who the person is to the requester, as a whole sentence."""
    shown = escape(name or "–")
    sentences = {
        "child": _("{name} is the requester's daughter or son", name=shown),
        "spouse": _("{name} is the requester's wife or husband", name=shown),
        "parent": _("{name} is the requester's mother or father", name=shown),
        "sibling": _("{name} is the requester's sister or brother", name=shown),
        "relative": _("{name} is another relative of the requester", name=shown),
    }
    return sentences.get(relationship) or f"{_('Relationship')}: {escape(relationship)}"


def subject_lines(
    _: Translator, case_subject: dict[str, str] | None, *, phones: bool, officer: bool = False
) -> list[str]:
    """The details about the person; ``officer`` words the relationship from the outside."""
    labels = subject_labels(_)
    relationships = relationship_labels(_)
    subject = case_subject or {}
    lines = []
    order = list(labels)  # the order of the questions, whatever order they were answered in
    for field, value in sorted(subject.items(), key=lambda item: _rank(order, item[0])):
        if field == "contact" and not phones:
            continue
        if field == "relationship" and officer:
            lines.append(relationship_line(_, value, subject.get("name")))
            continue
        if field == "where":
            lines.append(f"{labels[field]}: {escape(where_words(_, value))}")
            continue
        shown = relationships.get(value, value) if field == "relationship" else value
        lines.append(f"{labels.get(field, field)}: {escape(shown)}")
    return lines


def _rank(order: list[str], field: str) -> int:
    return order.index(field) if field in order else len(order)


def for_whom(_: Translator, case: HelpRequest) -> str:
    if case.for_whom == "self":
        return _("For: the requester themself")
    name = (case.subject or {}).get("name")
    return _("For: a family member ({name})", name=escape(name or "–"))


def heading(_: Translator, services: Services, case: HelpRequest) -> list[str]:
    """Reference, urgency, category and village: what even a group chat may see."""
    urgent = _("🚨 URGENT") + " · " if case.urgent else ""
    lines = [
        f"<b>{case.reference}</b> · {urgent}{category(_, services, case.category)}",
        _("Village: {village}", village=village(_, services, case)),
    ]
    if case.level == "district":
        lines.append(_("⬆️ Escalated to the district"))
    return lines


def cut(text: str, limit: int) -> str:
    """The start of ``text`` that Telegram counts as at most ``limit``: it counts UTF-16
    code units, so an emoji outside the basic plane counts twice (issue 14: 3,500 emoji
    made a notice Telegram refused, and the officer never saw the message)."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:index]
    return text


def summary(text: str | None, limit: int = 300) -> str:
    """The start of a description, escaped, for notifications: at most ``limit`` as
    Telegram counts (an emoji may count twice, issue 14)."""
    if not text:
        return ""
    short = cut(text, limit)
    return escape(short if short == text else short.rstrip() + "…")


def mask_phones(text: str) -> str:
    return PHONE.sub("•••", text)


def saved(_: Translator, case: HelpRequest, *, reached: bool = True) -> str:
    """The confirmation a requester gets once the request is stored; ``reached`` False
    when no officer or admin could be told (it then waits, flagged, for the first one)."""
    if not reached:  # never claim an officer was told when nobody could be
        return "\n".join(
            [
                _(
                    "⚠️ <b>No officer can be reached right now.</b> Your request is saved "
                    "({reference}) and waits for the first officer who becomes available.",
                    reference=case.reference,
                ),
                _("• /status shows your requests; there you can add information at any time."),
                _("• If someone is in danger, do not wait: call the police on 110."),
            ]
        )
    lines = [
        _("✅ <b>Your request is saved.</b>"),
        _("Reference number: <b>{reference}</b>", reference=case.reference),
        "",
        _("<b>What happens next</b>"),
        _("• The officers responsible for your village are told now."),
        _(
            "• An officer answers you here, in this chat. You are told whenever the status "
            "changes."
        ),
        _("• /status shows your requests; there you can add information at any time."),
    ]
    if case.urgent:
        lines.append(_("• If someone is in danger, do not wait: call the police on 110."))
    return "\n".join(lines)


def outcome_line(
    _: Translator, services: Services, outcome: dict[str, Any] | None, *, requester: bool
) -> str | None:
    """The outcome the officer gave a resolved case, as one HTML line in the reader's
    language (a common outcome) or their words, escaped; None when it has none."""
    if not outcome:
        return None
    if words := outcome.get("outcome_text"):
        if requester:
            return _("The officer wrote: {text}", text=escape(str(words)))
        return _("Outcome (typed): {text}", text=escape(str(words)))
    found = services.help.outcome(outcome.get("outcome"))
    if found is None:  # an outcome taken out of help.yaml since: its id, never nothing
        return _("Outcome: {outcome}", outcome=escape(str(outcome.get("outcome"))))
    return _("Outcome: {outcome}", outcome=escape(_(found.text)))


def handover_text(
    _: Translator,
    *,
    why: str,
    officer: str | None,
    references: Sequence[str],
    announcements: Sequence[int],
) -> str:
    """What an officer change handed back, in a few lines."""
    if why == "erased" or officer is None:
        lines = [_("👤 <b>An officer erased their data.</b>")]
    elif why == "moved":
        lines = [_("👤 <b>Officer {id} moved to another area.</b>", id=officer)]
    else:
        lines = [_("👤 <b>Officer {id} is no longer an officer.</b>", id=officer)]
    if references:
        lines.append(
            _.ngettext(
                "{count} open case went back to its area's queue: {references}",
                "{count} open cases went back to their area's queue: {references}",
                len(references),
                count=len(references),
                references=", ".join(references),
            )
        )
    if announcements:
        lines.append(
            _.ngettext(
                "{count} scheduled announcement was cancelled: no. {ids}",
                "{count} scheduled announcements were cancelled: no. {ids}",
                len(announcements),
                count=len(announcements),
                ids=", ".join(str(i) for i in announcements),
            )
        )
    return "\n".join(lines)


async def references_of(session: AsyncSession, case_ids: Sequence[int]) -> list[str]:
    """``DM-2026-000123`` for each id, in the given order (ids of no case are left out)."""
    if not case_ids:
        return []
    found = await session.scalars(select(HelpRequest).where(HelpRequest.id.in_(list(case_ids))))
    by_id = {case.id: case.reference for case in found.all()}
    return [by_id[i] for i in case_ids if i in by_id]
