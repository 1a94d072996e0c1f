"""The database schema as typed SQLAlchemy 2 models.

A person is a ``people`` row; every column that names a person (``person_id``, a case's
``requester_id`` and ``assigned_officer_id``, authors, actors, an announcement's
``officer_id``) holds that id, never a channel's. How to reach them is in ``identities``.
Personal data lives in ``identities`` and ``users`` (and ``officers`` for staff), and in
the help requests a person wrote. Erasing a person (:mod:`bot.services.erasure`) deletes
or neutralises every row about them; nothing left points back to them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite hands back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use the injected clock")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class Person(Base):
    """Someone the bot knows: the internal id every person-keyed column holds.

    How to reach them is in ``identities`` (a Telegram user id today, a WhatsApp number
    next); what they told the bot is in ``users`` once they talked to it. An officer
    granted by an admin, or an admin from the settings, is a person before that.
    ``sqlite_autoincrement``: an erased person's id is never handed to someone else.
    """

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime]

    __table_args__ = ({"sqlite_autoincrement": True},)


class Identity(Base):
    """One way to reach a person: their ``address`` on a ``channel`` (the Telegram user
    id in decimal; a WhatsApp number). Personal data: shown by ``/dataku`` and removed,
    with the person, by ``/hapusdata``. ``last_seen_at``: when they last wrote from it."""

    __tablename__ = "identities"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime | None]


class User(Base):
    """What a person who talked to the bot told it, keyed by their :class:`Person` id.

    ``consent`` is ``None`` until answered, then ``"given"`` or ``"declined"``. A user who
    declined keeps only ``person_id``, ``locale`` and ``consent`` so the bot can keep
    speaking their language and does not ask again.

    ``dialog``/``step``/``dialog_data`` say where the user is in a multi-step dialog;
    they are read on every update, so a restart loses nothing.
    """

    __tablename__ = "users"

    person_id: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("people.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
    locale: Mapped[str] = mapped_column(String(8))
    consent: Mapped[str | None] = mapped_column(String(16))
    consent_at: Mapped[datetime | None]
    role: Mapped[str | None] = mapped_column(String(32))
    village_id: Mapped[str | None] = mapped_column(String(64))
    other_village: Mapped[str | None] = mapped_column(String(200))
    unreachable_at: Mapped[datetime | None]
    announcements_off: Mapped[bool] = mapped_column(default=False, server_default="0")
    timezone: Mapped[str | None] = mapped_column(String(40))
    quiet_start: Mapped[int] = mapped_column(default=21 * 60, server_default=str(21 * 60))
    quiet_end: Mapped[int] = mapped_column(default=6 * 60, server_default=str(6 * 60))
    reminders_off: Mapped[bool] = mapped_column(default=False, server_default="0")
    dialog: Mapped[str | None] = mapped_column(String(32))
    step: Mapped[str | None] = mapped_column(String(32))
    dialog_data: Mapped[dict[str, Any] | None]
    # An unsent help request kept when its dialog was left (see handlers/help_draft.py):
    # the dialog's answers, and when they were kept (dropped 30 days later).
    help_draft: Mapped[dict[str, Any] | None]
    help_draft_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (Index("ix_users_village_role", "village_id", "role"),)


class Officer(Base):
    """A village-centre or district officer, scoped to an area (village or kabupaten id).
    ``granted_by``: the person (an admin) who granted it; ``None`` from the command line."""

    __tablename__ = "officers"

    person_id: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("people.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
    area_id: Mapped[str] = mapped_column(String(64), index=True)
    granted_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class Announcement(Base):
    """An officer's message to an audience, delivered through ``deliveries`` rows.

    ``texts`` maps locale → Telegram HTML (``id`` always present); each recipient gets
    their language's version, else the Indonesian one. ``status``: ``scheduled`` →
    ``running`` → ``done``, or ``cancelled`` (before it started) / ``stopped`` (during).
    ``officer_id`` is cleared when that officer erases their data.
    """

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    officer_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    area_id: Mapped[str | None] = mapped_column(String(64))
    texts: Mapped[dict[str, Any]]
    photo: Mapped[str | None] = mapped_column(String(200))
    audience: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16))
    scheduled_at: Mapped[datetime]
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    total: Mapped[int] = mapped_column(default=0)
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)


class Delivery(Base):
    """One message to one chat on one ``channel``: the unit of the delivery engine (the
    outbox). ``person_id`` names the recipient (``None`` for a group chat, and once they
    erased their data); ``chat_id`` is where it goes on the channel, taken from the
    person's identity when the row is queued.

    ``due_at`` is when the row may next be worked on: its due time while ``pending``, the
    end of the claimer's lease while ``claimed`` (a crashed claimer's rows come back by
    themselves). Final states: ``sent`` (with Telegram's ``message_id``), ``blocked`` (the
    user blocked the bot), ``failed`` (``error`` says why), ``cancelled``, ``skipped``
    (the recipient opted out or can no longer be addressed).
    """

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    announcement_id: Mapped[int | None] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE")
    )
    person_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    channel: Mapped[str] = mapped_column(String(16), default="telegram", server_default="telegram")
    status: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any] | None]
    # Claimed lowest first (see storage.repositories.deliveries.PRIORITY): a case notice
    # must not wait behind an announcement to 100,000 people.
    priority: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")

    __table_args__ = (
        # The sweep's index: only rows that still need work, in claim order, so claiming a
        # batch costs the same with 10 thousand or 10 million finished rows in the table.
        Index(
            "ix_deliveries_due",
            "priority",
            "due_at",
            postgresql_where=text("status IN ('pending', 'claimed')"),
            sqlite_where=text("status IN ('pending', 'claimed')"),
        ),
        Index("ix_deliveries_announcement_status", "announcement_id", "status"),
    )


class Checklist(Base):
    """A person's pre-departure plan: scheme, destination, sector, departure date.

    ``message_id`` is the checklist message that is edited in place as items are ticked.
    ``departure_approx``: only the month was given (the date is its first day).
    """

    __tablename__ = "checklists"

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    scheme: Mapped[str | None] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(String(40))
    country_other: Mapped[str | None] = mapped_column(String(60))
    sector: Mapped[str | None] = mapped_column(String(40))
    departure_on: Mapped[date | None]
    departure_approx: Mapped[bool] = mapped_column(default=False)
    agency: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ChecklistMark(Base):
    """One item of one person's checklist: ticked (when) and/or its expiry date."""

    __tablename__ = "checklist_marks"

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    item_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    ticked_at: Mapped[datetime | None]
    expires_on: Mapped[date | None]


class QuizRound(Base):
    """One round of the warning-sign quiz. ``question_ids`` is the round's fixed order;
    the answers given so far are ``quiz_answers`` rows (one per question, so a second tap
    can never count twice). ``village_id`` is kept for the officers' statistics; when the
    person erases their data ``person_id`` becomes a random negative number (the same
    for all their rounds and job checks, linked to nothing), so they still count once."""

    __tablename__ = "quiz_rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    village_id: Mapped[str | None] = mapped_column(String(64))
    question_ids: Mapped[list[str]] = mapped_column(JSON)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    score: Mapped[int | None]

    __table_args__ = (Index("ix_quiz_rounds_village_finished", "village_id", "finished_at"),)


class QuizAnswer(Base):
    __tablename__ = "quiz_answers"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[str] = mapped_column(String(48), primary_key=True)
    answer_id: Mapped[str] = mapped_column(String(4))
    correct: Mapped[bool]
    answered_at: Mapped[datetime]


class JobCheck(Base):
    """The outcome of one job-offer check (under a random negative id and without the
    answers once the person erases their data, see :class:`QuizRound`)."""

    __tablename__ = "job_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    village_id: Mapped[str | None] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(8))
    flags: Mapped[list[str]] = mapped_column(JSON)
    answers: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_job_checks_village_created", "village_id", "created_at"),)


class HelpRequest(Base):
    """A request for help from a migrant or a family member: a case officers work on.

    Personal fields (``requester_id``, ``subject``, ``description``, ``attachments``) are
    removed when the requester erases their data; the case itself (category, village,
    dates, outcome) stays so that the officers' figures stay true. ``village_id`` fixes
    which area's officers see it; ``level`` is ``village`` or ``district`` (escalated).
    The reference shown to people is ``DM-<year>-<id, six digits>``.
    """

    __tablename__ = "help_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requester_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    village_id: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(24))
    urgent: Mapped[bool]
    for_whom: Mapped[str] = mapped_column(String(8))
    subject: Mapped[dict[str, Any] | None]
    description: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(10))
    assigned_officer_id: Mapped[int | None] = mapped_column(BigInteger)
    linked_request_id: Mapped[int | None]
    requester_unreachable: Mapped[bool] = mapped_column(default=False)
    # The token of the one pending "no action for days" check (see case_alerts.plan_idle).
    idle_check: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    last_action_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_help_requests_village_status", "village_id", "status"),
        Index("ix_help_requests_officer_status", "assigned_officer_id", "status"),
    )

    @property
    def reference(self) -> str:
        return f"DM-{self.created_at.year}-{self.id:06d}"


class HelpMessage(Base):
    """What was said on a case: by the requester, by an officer (relayed), or an internal
    ``note`` the requester never sees. Files are Telegram file ids (photo, voice)."""

    __tablename__ = "help_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("help_requests.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(12))
    author_id: Mapped[int | None] = mapped_column(BigInteger)
    text: Mapped[str | None] = mapped_column(Text)
    file_kind: Mapped[str | None] = mapped_column(String(12))
    file_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]


class HelpEvent(Base):
    """The audit log: who did what to a case, and when."""

    __tablename__ = "help_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("help_requests.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(24))
    detail: Mapped[dict[str, Any]]
    at: Mapped[datetime]


class InboxUpdate(Base):
    """An update from Telegram, stored before Telegram is told it arrived.

    ``pending``: stored, not handled yet. ``handled``: its unit of work committed, and
    ``replies`` holds the Bot API calls that answer it, sent right after. ``done``: the
    answer went out (payload and replies are dropped: only the key stays, to recognise a
    duplicate, until the row is pruned). ``failed``: its handler raised; not retried.
    ``person_id`` is whose line it waits in: the sender's id on the channel in a private
    chat (a Telegram user id, not a ``people`` id: the line is known before the database
    is read), else the chat.
    """

    __tablename__ = "inbox"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    person_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10))
    payload: Mapped[dict[str, Any] | None]
    replies: Mapped[list[Any] | None] = mapped_column(JSON)
    received_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]

    __table_args__ = (
        # Only the rows still to work on: a restart reads them, in order, from here.
        Index(
            "ix_inbox_open",
            "update_id",
            postgresql_where=text("status IN ('pending', 'handled')"),
            sqlite_where=text("status IN ('pending', 'handled')"),
        ),
        Index("ix_inbox_person", "person_id"),
        Index("ix_inbox_finished", "finished_at"),
    )


class InboxLine(Base):
    """Which process works through one person's inbox rows right now.

    Several processes may receive one person's updates (webhook behind a load balancer).
    The process that owns the line handles them all, one after the other in
    ``update_id`` order; the others only store. The owner renews ``lease_until`` while it
    lives and gives the line up when the person has nothing left; a line whose lease ran
    out (its process died) is taken over, with the rows it left. See :mod:`bot.inbox`.
    """

    __tablename__ = "inbox_lines"

    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    owner: Mapped[str] = mapped_column(String(120))
    lease_until: Mapped[datetime]

    __table_args__ = (Index("ix_inbox_lines_owner", "owner"),)
