"""An aiosqlite-compatible driver that runs SQLite calls on the event loop's own thread.

Why: aiosqlite sends every call to a worker thread and waits for the answer. On this
project's 2-core machines one such hand-off costs 100–200 µs, while the SQLite call itself
(a primary-key lookup in a WAL database) takes 1–5 µs; an update needs 8–10 calls, so the
thread hops cost more than everything else the bot does. Running the call inline blocks
the loop only for the statement's own duration. Measured with ``bench/updates.py``
(figures in the README).

The trade-off: a statement that waits for a lock (another *process* writing, e.g. the
``desmigratif officer`` command) blocks the loop for up to ``busy_timeout``; within one
process all writes are already serialised. Long-running reports should use PostgreSQL.

SQLAlchemy's aiosqlite dialect is reused unchanged: :func:`dbapi` builds its adapter
around this module instead of ``aiosqlite`` (``create_async_engine(..., module=...)``).
"""

from __future__ import annotations

import sqlite3
import sys
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


class Cursor:
    """aiosqlite's cursor interface over a plain ``sqlite3.Cursor``."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Cursor:
        self._cursor.execute(sql, parameters if parameters is not None else ())
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> Cursor:
        self._cursor.executemany(sql, parameters)
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

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        self._connection: sqlite3.Connection | None = connection
        self._tx = _ImmediateQueue(connection)
        # SQLAlchemy marks aiosqlite's worker thread as a daemon; there is none here.
        self._thread = SimpleNamespace(daemon=True)

    def __await__(self) -> Any:
        async def itself() -> Connection:
            return self

        return itself().__await__()

    def cursor(self) -> Cursor:
        return Cursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Cursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        if self._connection is not None:
            self._conn.close()
            self._connection = None

    def stop(self) -> None:
        if self._connection is not None:
            self._conn.close()
            self._connection = None

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
    return Connection(sqlite3.connect(database, **kwargs))


def dbapi() -> AsyncAdapt_aiosqlite_dbapi:
    """The module to pass to ``create_async_engine(module=...)`` for SQLite URLs."""
    return AsyncAdapt_aiosqlite_dbapi(sys.modules[__name__], sqlite3)
