"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.db import create_engine
from storage.models import Base


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
