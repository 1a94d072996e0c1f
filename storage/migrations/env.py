"""Alembic environment: runs on the connection handed over by ``storage.migrations.upgrade``,
or, when the ``alembic`` command is used directly (autogenerate), on ``DATABASE_URL`` from
the environment. (It does not read the bot's settings: ``storage`` never imports ``bot``.)"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import Connection

from storage.models import Base

target_metadata = Base.metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_from_environment() -> None:
    from storage.db import DEFAULT_DATABASE_URL, create_engine

    engine = create_engine(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    async with engine.begin() as connection:
        await connection.run_sync(run_on)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_on(connection)
else:
    asyncio.run(run_from_environment())
