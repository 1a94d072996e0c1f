"""Engine and session factory.

SQLite runs in WAL mode with foreign keys on; PostgreSQL needs nothing special. Sessions
are created per update or per job (``async_sessionmaker(expire_on_commit=False)``) and
never shared between tasks.
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import sqlite_inline

# Where the bot keeps its data when DATABASE_URL is not set: a file beside the checkout.
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/desmigratif.sqlite3"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1].split("?", 1)[0]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Same dialect, but SQLite runs on the loop's thread (see storage.sqlite_inline).
        kwargs.setdefault("module", sqlite_inline.dbapi())
    # A statement's parameters are people's names, phone numbers and descriptions: never
    # put them into an error message (StatementError) or the SQL log.
    kwargs.setdefault("hide_parameters", True)
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (the simulator, `desmigratif officer list`) run beside the bot;
    # NORMAL sync is safe with WAL and avoids an fsync per commit.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def is_postgresql(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


class TransactionWatch:
    """Which tasks have a transaction open on an engine right now.

    "Commit, then talk": no database transaction may stay open while the bot waits for
    Telegram (on SQLite it would freeze the loop; on any database it holds a connection
    hostage to the network). The Bot API layer asks :meth:`open_in_current_task` before
    every call (see ``bot.channels.telegram.bot_api``). A call counts as inside the
    transaction when it is made by the task that began it, or by a task started while it
    was open (``gather`` wraps coroutines in tasks): each ``begin`` puts a fresh mark in the
    task's context, which tasks created from then on inherit.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._open: dict[int, tuple[asyncio.Task[Any] | None, object]] = {}
        self._mark: ContextVar[object | None] = ContextVar(f"tx_{id(self)}", default=None)
        sync_engine = engine.sync_engine
        event.listen(sync_engine, "begin", self._began)
        event.listen(sync_engine, "commit", self._ended)
        event.listen(sync_engine, "rollback", self._ended)

    def _began(self, connection: Any) -> None:
        mark = object()
        self._mark.set(mark)
        self._open[id(connection)] = (_current_task(), mark)

    def _ended(self, connection: Any) -> None:
        self._open.pop(id(connection), None)

    def open_in_current_task(self) -> bool:
        if not self._open:
            return False
        task, mark = _current_task(), self._mark.get()
        return any(
            (task is not None and owner is task) or (mark is not None and began is mark)
            for owner, began in self._open.values()
        )


def _current_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # called outside a running loop (sync tooling)
        return None
