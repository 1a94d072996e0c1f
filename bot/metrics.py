"""What ``GET /metrics`` tells an operator (Prometheus text format, ``prometheus-client``).

Two kinds of figures:

- **Counted as they happen**, in this process (counters and a histogram): updates by
  kind and outcome, the time a handler took, deliveries by kind and outcome, Bot API
  errors by code. Each process counts its own; Prometheus adds the processes up.
- **Read from the database when scraped** (gauges): the inbox's open rows and the age of
  the oldest, deliveries due and waiting and the oldest one's lateness, open help
  requests by status and urgency, and urgent cases nobody answered within their
  deadline. Every process reports the same shared figures; take ``max`` across them,
  not ``sum``.

Nothing here carries a person's id or words: labels are kinds, statuses and codes.
Each application has a registry of its own, so two applications in one process (tests)
never mix their figures.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func, select

from bot.services.help_requests import OPEN as OPEN_CASES
from storage.models import Delivery, HelpRequest, InboxUpdate
from storage.repositories.inbox import OPEN as OPEN_UPDATES

if TYPE_CHECKING:
    from bot.context import Services

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Handler time: from a tap to the answer is what people feel; Bot API calls are ~100 ms.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
UPDATE_KINDS = (
    "message",
    "edited_message",
    "callback_query",
    "my_chat_member",
    "chat_member",
    "channel_post",
    "edited_channel_post",
)


def update_kind(payload: object) -> str:
    """The kind of an update (``message``, ``callback_query``…), from the update or its
    JSON; ``other`` for kinds the bot does not handle."""
    keys: set[str] = (
        set(payload)
        if isinstance(payload, dict)
        else {kind for kind in UPDATE_KINDS if getattr(payload, kind, None) is not None}
    )
    return next((kind for kind in UPDATE_KINDS if kind in keys), "other")


class Metrics:
    """The figures of one application; :meth:`render` is the body of ``/metrics``."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.updates = Counter(
            "desmigratif_updates",
            "Updates received, by kind and outcome "
            "(handled, failed, duplicate, refused: the webhook turned it away, taken: "
            "another process had handled it).",
            ["kind", "outcome"],
            registry=registry,
        )
        self.handler_seconds = Histogram(
            "desmigratif_handler_seconds",
            "Time from the start of an update's handling to its end (answers sent).",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.deliveries = Counter(
            "desmigratif_deliveries",
            "Deliveries finished by this process, by kind and outcome (sent, blocked, failed).",
            ["kind", "outcome"],
            registry=registry,
        )
        self.bot_api_errors = Counter(
            "desmigratif_bot_api_errors",
            "Bot API answers that were not 2xx, by HTTP code (0: no answer: network, time-out).",
            ["code"],
            registry=registry,
        )
        self.lines_taken_over = Counter(
            "desmigratif_inbox_lines_taken_over",
            "Persons' lines this process took over from a process that stopped (its own "
            "before a restart included); each one means a process died or stalled.",
            registry=registry,
        )
        self.inbox_pending = Gauge(
            "desmigratif_inbox_pending",
            "Updates stored and not yet finished (all processes).",
            registry=registry,
        )
        self.inbox_oldest = Gauge(
            "desmigratif_inbox_oldest_pending_seconds",
            "Age of the oldest unfinished update (0: none).",
            registry=registry,
        )
        self.due_waiting = Gauge(
            "desmigratif_deliveries_due",
            "Deliveries due now and not yet sent (reminders, announcements, notices).",
            registry=registry,
        )
        self.due_oldest = Gauge(
            "desmigratif_deliveries_oldest_due_seconds",
            "How late the most overdue delivery is (0: none).",
            registry=registry,
        )
        self.open_cases = Gauge(
            "desmigratif_help_requests_open",
            "Open help requests by status and urgency.",
            ["status", "urgent"],
            registry=registry,
        )
        self.unanswered_urgent = Gauge(
            "desmigratif_urgent_unanswered_past_deadline",
            "Urgent help requests nobody has claimed within their first deadline.",
            registry=registry,
        )
        # time.monotonic() of Telegram's last answer that was not a server error
        self.last_bot_api_ok = 0.0

    # --- counted as they happen ----------------------------------------------------------

    def handled(self, kind: str, outcome: str, seconds: float | None = None) -> None:
        self.updates.labels(kind, outcome).inc()
        if seconds is not None:
            self.handler_seconds.observe(seconds)

    def delivered(self, kind: str, outcome: str) -> None:
        self.deliveries.labels(kind, outcome).inc()

    def bot_api_answer(self, status: int) -> None:
        """Telegram answered: below 500 it is working (a 403 or 429 is about one call);
        non-2xx answers are counted."""
        if status < 500:
            self.last_bot_api_ok = time.monotonic()
        if not 200 <= status < 300:
            self.bot_api_errors.labels(str(status)).inc()

    def bot_api_unreachable(self) -> None:
        self.bot_api_errors.labels("0").inc()

    def bot_api_seen_within(self, seconds: float) -> bool:
        return time.monotonic() - self.last_bot_api_ok <= seconds

    # --- read when scraped ---------------------------------------------------------------

    async def refresh(self, services: Services) -> None:
        """Set the shared gauges from the database (one short read-only session)."""
        now = services.clock.now()
        deadline = services.help.deadlines
        async with services.sessions() as session:
            pending, oldest_received = (
                await session.execute(
                    select(func.count(), func.min(InboxUpdate.received_at)).where(
                        InboxUpdate.status.in_(OPEN_UPDATES)
                    )
                )
            ).one()
            due, oldest_due = (
                await session.execute(
                    select(func.count(), func.min(Delivery.due_at)).where(
                        Delivery.status == "pending", Delivery.due_at <= now
                    )
                )
            ).one()
            by_state = (
                await session.execute(
                    select(HelpRequest.status, HelpRequest.urgent, func.count())
                    .where(HelpRequest.status.in_(OPEN_CASES))
                    .group_by(HelpRequest.status, HelpRequest.urgent)
                )
            ).all()
            unanswered = await session.scalar(
                select(func.count()).where(
                    HelpRequest.status == "new",
                    HelpRequest.urgent.is_(True),
                    HelpRequest.created_at <= now - deadline.urgent_realert,
                )
            )
        self.inbox_pending.set(pending)
        self.inbox_oldest.set(_age(now, oldest_received))
        self.due_waiting.set(due)
        self.due_oldest.set(_age(now, oldest_due))
        self.open_cases.clear()
        for status in OPEN_CASES:  # every series present, zeros included
            for flag in ("true", "false"):
                self.open_cases.labels(status, flag).set(0)
        for status, urgent, count in by_state:
            self.open_cases.labels(status, "true" if urgent else "false").set(count)
        self.unanswered_urgent.set(unanswered or 0)

    def render(self) -> bytes:
        return generate_latest(self.registry)


def _age(now: datetime, then: datetime | None) -> float:
    if then is None:
        return 0.0
    if then.tzinfo is None:  # SQLite hands back naive UTC
        then = then.replace(tzinfo=now.tzinfo)
    return max((now - then).total_seconds(), 0.0)
