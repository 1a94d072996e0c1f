"""Alembic migrations; applied at startup and by ``desmigratif db upgrade``."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

MIGRATIONS_DIR = Path(__file__).parent


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


# pg_advisory_xact_lock's key for "migrating": any fixed number no other code uses.
MIGRATION_LOCK = 0x4D16_4A7E


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` inside one transaction.

    Several processes started at once (webhook mode behind a load balancer) may all call
    this: on PostgreSQL the first takes a transaction-scoped advisory lock and migrates,
    the others wait on the lock, then find the schema current and do nothing.
    """

    def run(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), revision)

    async with _migrating(engine) as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
            )
        await connection.run_sync(run)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Take the schema back to ``revision`` (for tests of the migrations' data)."""

    def run(connection: Connection) -> None:
        command.downgrade(alembic_config(connection), revision)

    async with _migrating(engine) as connection:
        await connection.run_sync(run)


@contextlib.asynccontextmanager
async def _migrating(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One transaction to migrate in. On SQLite without foreign keys: a batch migration
    copies a table and drops the old one, and a drop with foreign keys on would delete
    every row that cascades from it (a quiz round's answers). Alembic's advice; the pragma
    only takes effect outside a transaction, so it is set before and restored after."""
    async with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await connection.commit()
        try:
            async with connection.begin():
                yield connection
        finally:
            if sqlite:
                await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                await connection.commit()


def head_revision() -> str:
    """The newest migration in this code."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def current_revision(engine: AsyncEngine) -> str | None:
    """The migration the database is at (None: never migrated)."""
    from alembic.runtime.migration import MigrationContext

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(read)
