"""An aiosqlite-compatible driver that runs SQLite calls on the event loop's own thread.

Why: aiosqlite sends every call to a worker thread and waits for the answer. On this
project's 2-core machines one such hand-off costs 100–200 µs, while the SQLite call itself
(a primary-key lookup in a WAL database) takes 1–5 µs; an update needs 8–10 calls, so the
thread hops cost more than everything else the bot does. Running the call inline blocks
the loop only for the statement's own duration. Measured with ``bench/updates.py``
(figures in the README).

Writers in this process take turns in asyncio, never in SQLite's busy loop: the first
writing statement of a transaction waits (with ``await``) for the database file's writer
lock, and commit or rollback hands it on. Without this, a second connection of the same
process (the sweep's, while a handler's transaction is open) would wait for SQLite's
lock *on the loop's thread*, freezing the whole bot for up to ``busy_timeout`` and then
failing with "database is locked". ``busy_timeout`` now only covers other *processes*
(the ``desmigratif officer`` command), which block the loop for their statement's length.
Since no transaction is held across a network call (handlers commit, then talk), a turn
lasts as long as the statements themselves.

SQLAlchemy's aiosqlite dialect is reused unchanged: :func:`dbapi` builds its adapter
around this module instead of ``aiosqlite`` (``create_async_engine(..., module=...)``).
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import sys
import weakref
from collections.abc import Iterable, Sequence
from types import SimpleNamespace
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_dbapi

DatabaseError = sqlite3.DatabaseError
Error = sqlite3.Error
IntegrityError = sqlite3.IntegrityError
NotSupportedError = sqlite3.NotSupportedError
OperationalError = sqlite3.OperationalError
ProgrammingError = sqlite3.ProgrammingError
sqlite_version = sqlite3.sqlite_version
sqlite_version_info = sqlite3.sqlite_version_info


# Statements that make sqlite3 open a write transaction (or are writes themselves).
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|BEGIN)\b", re.I)

# One writer lock per database file and event loop (tests run a loop per test).
_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, WriterLock]] = (
    weakref.WeakKeyDictionary()
)


class WriterLock:
    """Whose turn it is to write to one database file, within this process."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self.holder: asyncio.Task[Any] | None = None

    async def acquire(self) -> None:
        task = asyncio.current_task()
        if task is not None and self.holder is task:
            # Waiting here would wait for ourselves for ever: say so instead.
            raise RuntimeError(
                "a second write transaction on the same SQLite file in one task: "
                "commit the first one before writing through another session"
            )
        await self._lock.acquire()
        self.holder = task

    def release(self) -> None:
        self.holder = None
        self._lock.release()


def writer_lock(database: str) -> WriterLock | None:
    """The writer lock of ``database`` in the running loop (None for in-memory ones,
    which no other connection can see)."""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None  # in-memory or a URI: not shared with another connection here
    database = os.path.realpath(database)
    per_loop = _locks.setdefault(asyncio.get_running_loop(), {})
    lock = per_loop.get(database)
    if lock is None:
        lock = per_loop[database] = WriterLock()
    return lock


class Cursor:
    """aiosqlite's cursor interface over a plain ``sqlite3.Cursor``."""

    def __init__(self, cursor: sqlite3.Cursor, owner: Connection) -> None:
        self._cursor = cursor
        self._owner = owner

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Cursor:
        if not self._owner.writing and _WRITES.match(sql):
            await self._owner.begin_writing()
        self._cursor.execute(sql, parameters if parameters is not None else ())
        self._owner.after_statement()
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> Cursor:
        if not self._owner.writing and _WRITES.match(sql):
            await self._owner.begin_writing()
        self._cursor.executemany(sql, parameters)
        self._owner.after_statement()
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    async def nextset(self) -> None:
        return None

    async def setinputsizes(self, *sizes: object) -> None:
        return None

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _ImmediateQueue:
    """SQLAlchemy sets the isolation level by queueing a function for aiosqlite's thread;
    here it simply runs."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def put_nowait(self, item: tuple[Any, Any]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as exc:
            future.set_exception(exc)


class Connection:
    """aiosqlite's connection interface over a plain ``sqlite3.Connection``."""

    def __init__(self, connection: sqlite3.Connection, database: str) -> None:
        self._conn = connection
        self._connection: sqlite3.Connection | None = connection
        self._tx = _ImmediateQueue(connection)
        # SQLAlchemy marks aiosqlite's worker thread as a daemon; there is none here.
        self._thread = SimpleNamespace(daemon=True)
        self._database = database
        self._writer: WriterLock | None = None

    @property
    def writing(self) -> bool:
        return self._writer is not None

    async def begin_writing(self) -> None:
        lock = writer_lock(self._database)
        if lock is not None:
            await lock.acquire()
            self._writer = lock

    def after_statement(self) -> None:
        # DDL and autocommit statements leave no transaction open: the turn ends here.
        if self._writer is not None and not self._conn.in_transaction:
            self._end_writing()

    def _end_writing(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.release()

    def __await__(self) -> Any:
        async def itself() -> Connection:
            return self

        return itself().__await__()

    def cursor(self) -> Cursor:
        return Cursor(self._conn.cursor(), self)

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Cursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        try:
            self._conn.commit()
        finally:
            self._end_writing()

    async def rollback(self) -> None:
        try:
            self._conn.rollback()
        finally:
            self._end_writing()

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._connection is not None:
            try:
                self._conn.close()
            finally:
                self._connection = None
                self._end_writing()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._conn.isolation_level = value  # type: ignore[assignment]


def connect(database: str, **kwargs: Any) -> Connection:
    # The connection never leaves the loop's thread, but SQLAlchemy's pool may close it
    # from a garbage-collection callback; sqlite3's own check would then raise.
    kwargs.setdefault("check_same_thread", False)
    return Connection(sqlite3.connect(database, **kwargs), database)


def dbapi() -> AsyncAdapt_aiosqlite_dbapi:
    """The module to pass to ``create_async_engine(module=...)`` for SQLite URLs."""
    return AsyncAdapt_aiosqlite_dbapi(sys.modules[__name__], sqlite3)
