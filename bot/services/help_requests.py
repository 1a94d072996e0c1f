"""Help requests as cases: creating them, the states they move through, the messages on
them, who may see them, and the audit log of every action.

States::

    new ──claim──▶ claimed ──act──▶ in_progress ⇄ waiting (for the requester)
      │                 │                  │
      └───────────── resolve ─────────────┘──▶ resolved ──confirm / 7 days──▶ closed
                                                   └──────── reopen ──────────┘

Every change goes through :func:`_event`, so the audit log is complete by construction.
Nothing here imports ``telegram``: handlers (and a future WhatsApp channel) call in.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import is_postgresql
from storage.models import HelpEvent, HelpMessage, HelpRequest, User
from storage.repositories import people

CATEGORIES = (
    "lost_contact",
    "unpaid",
    "violence",
    "sick_accident_died",
    "documents_held",
    "wants_home",
    "trafficking",
    "pre_departure",
    "other",
)
URGENT_CATEGORIES = frozenset({"violence", "sick_accident_died", "trafficking"})
OPEN = ("new", "claimed", "in_progress", "waiting")
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"claimed", "resolved"}),
    "claimed": frozenset({"in_progress", "waiting", "resolved"}),
    "in_progress": frozenset({"waiting", "resolved"}),
    "waiting": frozenset({"in_progress", "resolved"}),
    "resolved": frozenset({"closed", "in_progress"}),
    "closed": frozenset({"in_progress"}),
}
SUBJECT_FIELDS = (
    "name",
    "relationship",
    "country",
    "where",  # instead of a country: "indonesia" (not left yet) or "penampungan"
    "city",
    "employer",
    "last_contact",
    "contact",
)
CLOSE_AFTER = timedelta(days=7)
STALE_AFTER = timedelta(days=3)


class CaseError(ValueError):
    """An action that the case's state or the actor's role does not allow."""


@dataclass(frozen=True)
class Draft:
    """What the requester said, before it becomes a case."""

    category: str
    for_whom: str
    description: str
    danger_now: bool = False
    subject: dict[str, str] | None = None
    attachments: tuple[dict[str, str], ...] = ()
    # Urgent by the content's own rule (``help.yaml``: a lost contact older than
    # ``lost_contact_urgent_after``), decided by the caller from the answers.
    urgent_by_content: bool = False

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise CaseError(f"unknown category {self.category!r}")
        if self.for_whom not in ("self", "family"):
            raise CaseError(f"unknown requester kind {self.for_whom!r}")
        unknown = set(self.subject or {}) - set(SUBJECT_FIELDS)
        if unknown:
            raise CaseError(f"unknown subject fields {sorted(unknown)}")

    @property
    def urgent(self) -> bool:
        return self.danger_now or self.urgent_by_content or self.category in URGENT_CATEGORIES


def _event(
    session: AsyncSession,
    case: HelpRequest,
    actor_id: int | None,
    action: str,
    now: datetime,
    **detail: Any,
) -> None:
    session.add(
        HelpEvent(request_id=case.id, actor_id=actor_id, action=action, detail=detail, at=now)
    )
    case.updated_at = now


async def create(
    session: AsyncSession,
    *,
    requester_id: int,
    village_id: str | None,
    draft: Draft,
    now: datetime,
) -> HelpRequest:
    """Store the request (before any reply is sent) and log its creation."""
    case = HelpRequest(
        requester_id=requester_id,
        village_id=village_id,
        category=draft.category,
        urgent=draft.urgent,
        for_whom=draft.for_whom,
        subject=dict(draft.subject) if draft.subject else None,
        description=draft.description,
        attachments=[dict(a) for a in draft.attachments] or None,
        status="new",
        level="village",
        requester_unreachable=False,
        created_at=now,
        updated_at=now,
        last_action_at=now,
    )
    session.add(case)
    await session.flush()
    _event(
        session, case, requester_id, "created", now, category=draft.category, urgent=draft.urgent
    )
    return case


def _move(
    session: AsyncSession,
    case: HelpRequest,
    status: str,
    actor_id: int | None,
    now: datetime,
    **detail: Any,
) -> None:
    if status not in TRANSITIONS.get(case.status, frozenset()):
        raise CaseError(f"a {case.status} case cannot become {status}")
    previous, case.status = case.status, status
    case.last_action_at = now
    if status == "resolved":
        case.resolved_at = now
    if status == "closed":
        case.closed_at = now
    if status == "in_progress" and previous in ("resolved", "closed"):
        case.resolved_at = case.closed_at = None
        _event(session, case, actor_id, "reopened", now, **detail)
        return
    _event(session, case, actor_id, "status", now, before=previous, after=status, **detail)


def claim(session: AsyncSession, case: HelpRequest, officer_id: int, now: datetime) -> None:
    """The officer takes the case; a case someone else holds is not taken from them."""
    if case.assigned_officer_id not in (None, officer_id):
        raise CaseError("the case is already claimed by another officer")
    if case.status != "new":
        raise CaseError(f"a {case.status} case cannot be claimed")
    case.assigned_officer_id = officer_id
    case.claimed_at = now
    _move(session, case, "claimed", officer_id, now)


def set_status(
    session: AsyncSession, case: HelpRequest, actor_id: int, status: str, now: datetime
) -> None:
    if status == "claimed":
        raise CaseError("use claim to take a case")
    _move(session, case, status, actor_id, now)


def reassign(
    session: AsyncSession, case: HelpRequest, actor_id: int, officer_id: int, now: datetime
) -> None:
    if case.status not in OPEN:
        raise CaseError(f"a {case.status} case cannot be reassigned")
    before, case.assigned_officer_id = case.assigned_officer_id, officer_id
    case.last_action_at = now
    if case.status == "new":
        case.claimed_at = now
        _move(session, case, "claimed", actor_id, now)
    _event(session, case, actor_id, "reassigned", now, before=before, after=officer_id)


def release(
    session: AsyncSession, case: HelpRequest, actor_id: int | None, now: datetime, *, reason: str
) -> None:
    """Its holder no longer covers the case (removed, moved, erased): back to the queue.

    Status ``new`` again, so it is in every ``/kasus`` of its area and its escalation can
    run; the messages and history stay. The old holder is not named in the event: their
    own claim event says who it was (and is neutralised if they erase their data).
    """
    if case.status not in OPEN:
        raise CaseError(f"a {case.status} case is not held")
    before = case.status
    case.assigned_officer_id = None
    case.claimed_at = None
    case.idle_check = None  # its idle reminder stands down: nobody holds it
    case.status = "new"
    case.last_action_at = now
    _event(session, case, actor_id, "released", now, before=before, why=reason)


def escalate(
    session: AsyncSession,
    case: HelpRequest,
    actor_id: int | None,
    reason: str,
    now: datetime,
    **detail: Any,
) -> None:
    """Hand the case up to the district officers (also done by a deadline: actor None)."""
    if case.level == "district":
        raise CaseError("the case is already with the district")
    if case.status not in OPEN:
        raise CaseError(f"a {case.status} case cannot be escalated")
    case.level = "district"
    case.last_action_at = now
    _event(session, case, actor_id, "escalated", now, reason=reason, **detail)


def add_message(
    session: AsyncSession,
    case: HelpRequest,
    *,
    author: str,
    author_id: int | None,
    text: str | None,
    now: datetime,
    file_kind: str | None = None,
    file_id: str | None = None,
) -> HelpMessage:
    """A message on the case: ``requester``, ``officer`` (relayed) or ``note`` (internal)."""
    if author not in ("requester", "officer", "note"):
        raise CaseError(f"unknown author {author!r}")
    if not text and not file_id:
        raise CaseError("an empty message")
    message = HelpMessage(
        request_id=case.id,
        author=author,
        author_id=author_id,
        text=text,
        file_kind=file_kind,
        file_id=file_id,
        created_at=now,
    )
    session.add(message)
    case.last_action_at = now
    if (author == "officer" and case.status == "claimed") or (
        author == "requester" and case.status == "waiting"
    ):
        _move(session, case, "in_progress", author_id, now)
    _event(
        session,
        case,
        author_id,
        "message" if author != "note" else "note",
        now,
        author=author,
        file=file_kind,
    )
    return message


def confirm_resolved(
    session: AsyncSession, case: HelpRequest, requester_id: int, now: datetime
) -> None:
    if case.requester_id != requester_id:
        raise CaseError("only the requester confirms")
    _move(session, case, "closed", requester_id, now, by="requester")


def reopen(session: AsyncSession, case: HelpRequest, actor_id: int | None, now: datetime) -> None:
    if case.status not in ("resolved", "closed"):
        raise CaseError(f"a {case.status} case is open already")
    _move(session, case, "in_progress", actor_id, now)


def close_unconfirmed(session: AsyncSession, case: HelpRequest, now: datetime) -> None:
    """The requester did not answer a resolved case in time: close it."""
    _move(session, case, "closed", None, now, by="timeout")


def mark_unreachable(session: AsyncSession, case: HelpRequest, now: datetime) -> None:
    """The requester blocked the bot: the case stays open for the officers, marked."""
    case.requester_unreachable = True
    _event(session, case, None, "unreachable", now)


def link(
    session: AsyncSession, family: HelpRequest, own: HelpRequest, actor_id: int, now: datetime
) -> None:
    """The migrant agreed: their own request and their family's about them are linked."""
    if own.for_whom != "self" or family.for_whom != "family":
        raise CaseError("only a family's request and the migrant's own request are linked")
    family.linked_request_id, own.linked_request_id = own.id, family.id
    _event(session, family, actor_id, "linked", now, other=own.id)
    _event(session, own, actor_id, "linked", now, other=family.id)


# An action that changes nothing but belongs in the audit log (e.g. a link asked).
log = _event


async def close_unanswered(session: AsyncSession, now: datetime) -> int:
    """Close resolved cases the requester has not answered for ``CLOSE_AFTER``."""
    cases = (
        await session.scalars(
            select(HelpRequest).where(
                HelpRequest.status == "resolved", HelpRequest.resolved_at <= now - CLOSE_AFTER
            )
        )
    ).all()
    for case in cases:
        _move(session, case, "closed", None, now, by="timeout")
    return len(cases)


def visible_to(case: HelpRequest, scope: Collection[str] | None) -> bool:
    """Whether an officer whose area covers ``scope`` sees the case (None: an admin).

    A kabupaten officer's scope holds all its villages, so escalated cases are theirs too;
    a case from a village not in the data file is seen by admins only.
    """
    return scope is None or case.village_id in scope


QUEUE_SECTIONS = ("unclaimed", "mine", "waiting", "overdue")


@dataclass(frozen=True)
class QueueOf:
    """Whose queue, and when: the officer, the villages of their area (None: an admin's,
    all), now, and how long without action makes a case overdue."""

    officer_id: int
    scope: Collection[str] | None
    now: datetime
    stale_after: timedelta = STALE_AFTER

    def sections(self) -> tuple[list[Any], dict[str, list[Any]]]:
        """The conditions of the queue: the area's open cases, and each section within."""
        area: list[Any] = [HelpRequest.status.in_(OPEN)]
        if self.scope is not None:
            area.append(HelpRequest.village_id.in_(list(self.scope)))
        mine = HelpRequest.assigned_officer_id == self.officer_id
        return area, {
            "unclaimed": [HelpRequest.status == "new"],
            "mine": [mine, HelpRequest.status.in_(("claimed", "in_progress"))],
            "waiting": [mine, HelpRequest.status == "waiting"],
            "overdue": [
                or_(mine, HelpRequest.assigned_officer_id.is_(None)),
                HelpRequest.last_action_at <= self.now - self.stale_after,
            ],
        }


async def queue(
    session: AsyncSession,
    *,
    officer_id: int,
    scope: Collection[str] | None,
    now: datetime,
    stale_after: timedelta = STALE_AFTER,
    limit: int = 30,
    offset: int = 0,
    sections: Collection[str] = QUEUE_SECTIONS,
) -> dict[str, Sequence[HelpRequest]]:
    """The officer's queue: unclaimed in the area, mine, waiting for the family, overdue;
    urgent first, then oldest first (the id settles ties, so pages never overlap)."""
    area, conditions = QueueOf(officer_id, scope, now, stale_after).sections()
    order = (HelpRequest.urgent.desc(), HelpRequest.created_at, HelpRequest.id)
    found: dict[str, Sequence[HelpRequest]] = {}
    for key in sections:
        statement = select(HelpRequest).where(*area, *conditions[key]).order_by(*order)
        found[key] = (await session.scalars(statement.offset(offset).limit(limit))).all()
    return found


async def queue_counts(session: AsyncSession, of: QueueOf) -> dict[str, int]:
    """How many cases each section of :func:`queue` holds in all (not only those shown),
    and under ``urgent`` how many unclaimed ones are urgent: one query."""
    area, conditions = of.sections()
    columns = {key: func.count().filter(and_(*found)) for key, found in conditions.items()}
    columns["urgent"] = func.count().filter(
        and_(*conditions["unclaimed"], HelpRequest.urgent.is_(True))
    )
    row = (await session.execute(select(*columns.values()).where(*area))).one()
    return {key: int(value or 0) for key, value in zip(columns, row, strict=True)}


async def history(
    session: AsyncSession, case_id: int
) -> tuple[list[HelpMessage], list[HelpEvent]]:
    messages = (
        await session.scalars(
            select(HelpMessage).where(HelpMessage.request_id == case_id).order_by(HelpMessage.id)
        )
    ).all()
    events = (
        await session.scalars(
            select(HelpEvent).where(HelpEvent.request_id == case_id).order_by(HelpEvent.id)
        )
    ).all()
    return list(messages), list(events)


async def anonymise(session: AsyncSession, requester_id: int) -> None:
    """The requester erased their data: keep category, village, dates and outcome only."""
    case_ids = select(HelpRequest.id).where(HelpRequest.requester_id == requester_id)
    await session.execute(delete(HelpMessage).where(HelpMessage.request_id.in_(case_ids)))
    await session.execute(
        update(HelpEvent)
        .where(HelpEvent.request_id.in_(case_ids), HelpEvent.actor_id == requester_id)
        .values(actor_id=None)
        .execution_options(synchronize_session=False)
    )
    # An officer's escalation reason, or the outcome they typed, may name the migrant: the
    # event keeps that it happened.
    escalations = await session.scalars(
        select(HelpEvent).where(
            HelpEvent.request_id.in_(case_ids), HelpEvent.action.in_(("escalated", "status"))
        )
    )
    for event in escalations.all():
        if event.detail.get("reason"):
            event.detail = {**event.detail, "reason": ""}
        if event.detail.get("outcome_text"):
            event.detail = {**event.detail, "outcome_text": ""}
    await session.execute(
        update(HelpRequest)
        .where(HelpRequest.requester_id == requester_id)
        .values(requester_id=None, subject=None, description=None, attachments=None)
        .execution_options(synchronize_session=False)
    )


PUBLIC_COLUMNS = (
    "reference",
    "category",
    "urgent",
    "for_whom",
    "village_id",
    "level",
    "status",
    "created_at",
    "claimed_at",
    "resolved_at",
    "closed_at",
)
PERSONAL_COLUMNS = ("requester_id", "assigned_officer_id", "description", *SUBJECT_FIELDS)


async def export_rows(
    session: AsyncSession,
    *,
    scope: Collection[str] | None,
    since: datetime,
    until: datetime,
    personal: bool,
) -> list[dict[str, Any]]:
    """Cases created in ``[since, until)`` for reporting; personal fields only on request."""
    statement = select(HelpRequest).where(
        HelpRequest.created_at >= since, HelpRequest.created_at < until
    )
    if scope is not None:
        statement = statement.where(HelpRequest.village_id.in_(list(scope)))
    rows = []
    found = (await session.scalars(statement.order_by(HelpRequest.id))).all()
    # People by the id the reader can look up (their Telegram id), not the internal one.
    known = await people.telegram_ids(
        session,
        {p for c in found for p in (c.requester_id, c.assigned_officer_id) if p}
        if personal
        else (),
    )
    for case in found:
        row: dict[str, Any] = {column: getattr(case, column) for column in PUBLIC_COLUMNS}
        for column in ("created_at", "claimed_at", "resolved_at", "closed_at"):
            row[column] = row[column].isoformat() if row[column] else None
        if personal:
            row["requester_id"] = known.get(case.requester_id or 0)
            row["assigned_officer_id"] = known.get(case.assigned_officer_id or 0)
            row["description"] = case.description
            row.update({name: (case.subject or {}).get(name) for name in SUBJECT_FIELDS})
        rows.append(row)
    return rows


# --- limits per person (issue 11) ------------------------------------------------------
# The numbers come from the settings; the checks live here so that every channel applies
# them the same way. Everything is counted from the database: several bot processes agree.

MESSAGE_WINDOW = timedelta(hours=1)


async def open_count(session: AsyncSession, requester_id: int) -> int:
    """How many of the person's requests are open (``new`` … ``waiting``)."""
    found = await session.scalar(
        select(func.count())
        .select_from(HelpRequest)
        .where(HelpRequest.requester_id == requester_id, HelpRequest.status.in_(OPEN))
    )
    return int(found or 0)


async def may_open(session: AsyncSession, requester_id: int, limit: int) -> bool:
    """Whether the person may send one more request (fewer than ``limit`` are open)."""
    return await open_count(session, requester_id) < limit


def add_to_description(before: str, piece: str, limit: int) -> str | None:
    """The description with ``piece`` added, or None when it would pass ``limit``
    characters: the piece is refused whole, never cut, so nothing is lost unsaid."""
    joined = f"{before}\n\n{piece}".strip()
    return joined if len(joined) <= limit else None


async def requester_files(session: AsyncSession, case: HelpRequest) -> int:
    """Files the requester put on the case: those sent with it and those added since."""
    added = await session.scalar(
        select(func.count())
        .select_from(HelpMessage)
        .where(
            HelpMessage.request_id == case.id,
            HelpMessage.author == "requester",
            HelpMessage.file_id.is_not(None),
        )
    )
    return len(case.attachments or []) + int(added or 0)


async def next_message_at(
    session: AsyncSession, requester_id: int, *, limit: int, now: datetime
) -> datetime | None:
    """None when the requester may add a message to their cases now; otherwise when they
    may again (``limit`` messages per :data:`MESSAGE_WINDOW`, over all their cases)."""
    since = now - MESSAGE_WINDOW
    times = (
        await session.scalars(
            select(HelpMessage.created_at)
            .join(HelpRequest, HelpRequest.id == HelpMessage.request_id)
            .where(
                HelpRequest.requester_id == requester_id,
                HelpMessage.author == "requester",
                HelpMessage.created_at > since,
            )
            .order_by(HelpMessage.created_at)
        )
    ).all()
    if len(times) < limit:
        return None
    # The window must lose len - limit + 1 messages before one more fits.
    return times[len(times) - limit] + MESSAGE_WINDOW


# --- drafts: an unsent request kept when its dialog is left --------------------------------

# A draft older than this is dropped when it is next read (``/tolong``, the menu,
# ``/dataku``): no sweep needed, and nobody is shown a month-old unsent request.
DRAFT_KEPT_FOR = timedelta(days=30)
# Where the person was in the dialog, not what they said: not kept with the draft.
_NOT_KEPT = frozenset({"resume", "editing", "leave_from"})


def worth_keeping(answers: dict[str, Any] | None) -> bool:
    """Something written that would be lost: a description or a file."""
    return bool(answers and (answers.get("description") or answers.get("attachments")))


def keep_draft(user: User, answers: dict[str, Any] | None, now: datetime) -> bool:
    """Keep the help dialog's ``answers`` as the person's draft (one per person: a newer
    one replaces it). False, and nothing changed, when there is nothing worth keeping or
    the person has not agreed to data processing."""
    if user.consent != "given" or not worth_keeping(answers):
        return False
    assert answers is not None
    user.help_draft = {k: v for k, v in answers.items() if k not in _NOT_KEPT}
    user.help_draft_at = now
    return True


def draft_of(user: User, now: datetime) -> dict[str, Any] | None:
    """The person's draft, or None; one older than :data:`DRAFT_KEPT_FOR` is dropped here."""
    if user.help_draft is None or user.help_draft_at is None:
        return None
    if now - user.help_draft_at >= DRAFT_KEPT_FOR:
        drop_draft(user)
        return None
    return dict(user.help_draft)


def drop_draft(user: User) -> None:
    """Sent, discarded, started again, consent declined: the draft is gone."""
    user.help_draft = None
    user.help_draft_at = None


# --- the outcome of a resolved case (issue 13) -----------------------------------------------

# A typed outcome is a line or two for the requester, shown under the "is it solved?"
# question; the officer's longer account belongs in a note.
MAX_OUTCOME = 300


def resolve(
    session: AsyncSession,
    case: HelpRequest,
    actor_id: int,
    now: datetime,
    *,
    outcome: str | None = None,
    outcome_text: str | None = None,
) -> None:
    """The officer resolves the case with its outcome for the requester: a common one
    (``help.yaml`` ``outcomes``, by id) or their own words. Kept in the ``status`` event."""
    if (outcome is None) == (outcome_text is None):
        raise CaseError("an outcome: a common one or typed words, one of them")
    text = " ".join((outcome_text or "").split())
    if outcome_text is not None and not 0 < len(text) <= MAX_OUTCOME:
        raise CaseError(f"a typed outcome has 1 to {MAX_OUTCOME} characters")
    detail = {"outcome": outcome} if outcome is not None else {"outcome_text": text}
    _move(session, case, "resolved", actor_id, now, **detail)


async def outcomes_of(
    session: AsyncSession, case_ids: Collection[int]
) -> dict[int, dict[str, Any]]:
    """The outcome of each of ``case_ids`` last resolved with one: ``{"outcome": id}`` or
    ``{"outcome_text": words}`` (a case resolved before outcomes were asked has none)."""
    if not case_ids:
        return {}
    events = await session.scalars(
        select(HelpEvent)
        .where(HelpEvent.request_id.in_(list(case_ids)), HelpEvent.action == "status")
        .order_by(HelpEvent.id)
    )
    found: dict[int, dict[str, Any]] = {}
    for event in events.all():
        if (event.detail or {}).get("after") == "resolved":
            kept = {
                k: v for k, v in event.detail.items() if k in ("outcome", "outcome_text") and v
            }
            if kept:
                found[event.request_id] = kept
            else:
                found.pop(event.request_id, None)
    return found


async def load_case(session: AsyncSession, case_id: int, *, lock: bool) -> HelpRequest | None:
    """The case, locked against a concurrent officer action on PostgreSQL."""
    statement = select(HelpRequest).where(HelpRequest.id == case_id)
    if lock and is_postgresql(session):
        statement = statement.with_for_update()
    return (await session.scalars(statement)).first()
