"""The inbox: every incoming update, stored before it is acknowledged.

A row is written (keyed by ``update_id``, so a duplicate is recognised and ignored)
before Telegram is told the update arrived. The unit of work that handles it marks it
``handled`` in its own transaction, together with the replies it will send; once they
are out the row is ``done`` and keeps only its key until it is pruned.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.db import is_postgresql
from storage.models import InboxUpdate

OPEN = ("pending", "handled")
FINISHED = ("done", "failed")

NewUpdate = tuple[int, int, dict[str, Any]]  # update_id, person_id, payload


async def store(session: AsyncSession, rows: Sequence[NewUpdate], *, now: datetime) -> set[int]:
    """Store updates not seen before; returns the ids that are new."""
    if not rows:
        return set()
    insert = pg_insert if is_postgresql(session) else sqlite_insert
    statement = (
        insert(InboxUpdate)
        .values(
            [
                {
                    "update_id": update_id,
                    "person_id": person_id,
                    "status": "pending",
                    "payload": payload,
                    "received_at": now,
                }
                for update_id, person_id, payload in rows
            ]
        )
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(InboxUpdate.update_id)
    )
    return set((await session.scalars(statement)).all())


async def mark_handled(session: AsyncSession, update_id: int, replies: list[Any]) -> bool:
    """In the handler's own transaction: its changes and its answer are one. False when
    the row is no longer pending (another process handled it: roll back). A row that is
    gone was erased by this very unit of work (``/hapusdata``): nothing to mark."""
    result = await session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.update_id == update_id, InboxUpdate.status == "pending")
        .values(status="handled", replies=replies)
        .execution_options(synchronize_session=False)
    )
    if int(getattr(result, "rowcount", 0) or 0) == 1:
        return True
    status = await session.scalar(
        select(InboxUpdate.status).where(InboxUpdate.update_id == update_id)
    )
    return status is None


# Built once: every update ends here, usually many at a time.
_FINISH = (
    update(InboxUpdate)
    .where(InboxUpdate.update_id.in_(bindparam("ids", expanding=True)))
    .values(status=bindparam("status"), payload=None, replies=None, finished_at=bindparam("at"))
)


async def finish(
    executor: AsyncConnection | AsyncSession,
    update_ids: Collection[int],
    status: str,
    *,
    now: datetime,
) -> None:
    """``done`` (answered) or ``failed``; what the person wrote is no longer kept."""
    if update_ids:
        await executor.execute(_FINISH, {"ids": list(update_ids), "status": status, "at": now})


async def prune(session: AsyncSession, *, before: datetime) -> int:
    """Forget finished rows older than ``before`` (their keys only guard against
    duplicates, which come within seconds)."""
    result = await session.execute(
        delete(InboxUpdate)
        .where(InboxUpdate.status.in_(FINISHED), InboxUpdate.finished_at < before)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def forget_person(session: AsyncSession, person_id: int) -> None:
    """Erasure: nothing the person sent stays, not even the key of a finished update."""
    await session.execute(
        delete(InboxUpdate)
        .where(InboxUpdate.person_id == person_id)
        .execution_options(synchronize_session=False)
    )
