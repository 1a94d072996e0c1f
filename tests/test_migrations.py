"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.db import create_engine
from storage.models import Base
from tests.conftest import POSTGRES_URL


async def test_migrations_match_models(database_url):
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
            )
        )
    await engine.dispose()
    assert diff == []


async def test_sqlite_runs_in_wal_mode(tmp_path):
    from sqlalchemy import text

    from storage.migrations import upgrade

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/wal.sqlite3")
    await upgrade(engine)
    async with engine.connect() as connection:
        mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
    await engine.dispose()
    assert mode == "wal"


def test_db_upgrade_command(tmp_path, monkeypatch, capsys):
    from bot.__main__ import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cli.sqlite3")
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "upgrade"]) == 0  # idempotent
    assert "database is up to date" in capsys.readouterr().out


@pytest.mark.skipif(not POSTGRES_URL, reason="several processes share PostgreSQL only")
async def test_processes_starting_together_migrate_once(database_url):
    """Three processes behind a load balancer start at the same instant on an empty
    PostgreSQL: one migrates, the others wait for it, then find nothing to do. (Without
    the advisory lock two of them create the same tables and one fails.)"""
    import asyncio

    from sqlalchemy import text

    from storage.migrations import current_revision, head_revision, upgrade

    admin = create_engine(database_url)
    async with admin.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    engines = [create_engine(database_url) for _ in range(3)]
    try:
        # Bounded: without the lock the three may also block each other for good.
        await asyncio.wait_for(asyncio.gather(*(upgrade(engine) for engine in engines)), 60)
        assert await current_revision(admin) == head_revision()
    finally:
        for engine in engines:
            await engine.dispose()
        await upgrade(admin)  # the schema the other tests expect, whatever happened
        await admin.dispose()
