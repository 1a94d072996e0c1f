"""Fixtures: a real Application on the in-process Bot API emulator, on SQLite per test, or
on PostgreSQL when ``TEST_DATABASE_URL`` is set (tables emptied before each test)."""

from __future__ import annotations

import asyncio
import logging
import os

os.environ.setdefault("PTB_TIMEDELTA", "true")  # before telegram is imported
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import BotApplication, build_application
from bot.channels.telegram.emulator import BotAPIEmulator
from bot.clock import ManualClock
from bot.config import Settings
from bot.i18n import LOCALES_DIR
from bot.simulator import Person
from storage.db import create_engine, create_sessionmaker
from storage.migrations import upgrade
from storage.models import Base
from tests.sweeping import SCHEDULER, Failures, sweeper

# With pytest-xdist (`-n 2`), each worker gets its own PostgreSQL database (``test_gw0``,
# ``test_gw1``, created on first use): the tests empty and re-migrate their database, so
# two workers must never share one.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
_BASE_URL = os.environ.get("TEST_DATABASE_URL")
POSTGRES_URL = f"{_BASE_URL}_{_WORKER}" if _BASE_URL and _WORKER else _BASE_URL
START = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 09:00 WIB


def pytest_sessionstart(session: pytest.Session) -> None:
    # Tests read the compiled catalogs; compile them so a stale .mo can never hide a change.
    # Once: under xdist the controller compiles before it starts the workers (its own
    # sessionstart runs last); a worker rewriting a .mo another one reads would tear it.
    # TESTS_KEEP_CATALOGS: several pytest runs side by side (one compiled beforehand).
    if _WORKER or os.environ.get("TESTS_KEEP_CATALOGS"):
        return
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "compile",
            "-d",
            str(LOCALES_DIR),
            "-D",
            "messages",
            "--use-fuzzy",
        ],
        check=True,
        capture_output=True,
    )


@pytest.fixture(autouse=True)
def no_bot_api_call_inside_a_transaction():
    """Commit, then talk: every test fails if the bot called Telegram while its task had
    a database transaction open (recorded by bot.channels.telegram.bot_api.CheckedRequest)."""
    from bot.channels.telegram.bot_api import VIOLATIONS

    VIOLATIONS.clear()
    yield
    found, VIOLATIONS[:] = list(VIOLATIONS), []
    assert found == [], f"Bot API calls made inside an open transaction: {found}"


async def _create_database(base_url: str, url: str) -> None:
    """Create the database of ``url`` (a worker's) through ``base_url`` if it is missing."""
    name = url.rsplit("/", 1)[-1]
    engine = create_engine(base_url).execution_options(isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        found = await connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not found:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """SQLite: migrate one file once, then copy it per test (much faster than migrating)."""
    if POSTGRES_URL:

        async def migrate_postgres() -> None:
            if _WORKER and _BASE_URL:
                await _create_database(_BASE_URL, POSTGRES_URL)
            engine = create_engine(POSTGRES_URL)
            async with engine.begin() as connection:
                await connection.execute(text("DROP SCHEMA public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
            await upgrade(engine)
            await engine.dispose()

        asyncio.run(migrate_postgres())
        return None
    path = tmp_path_factory.mktemp("schema") / "template.sqlite3"

    async def migrate_sqlite() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await upgrade(engine)
        async with engine.begin() as connection:
            await connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        await engine.dispose()

    asyncio.run(migrate_sqlite())
    return path


@pytest.fixture
async def database_url(schema_template: Path | None, tmp_path: Path) -> AsyncIterator[str]:
    if POSTGRES_URL:
        engine = create_engine(POSTGRES_URL)
        async with engine.begin() as connection:
            names = ", ".join(table.name for table in Base.metadata.sorted_tables)
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        await engine.dispose()
        yield POSTGRES_URL
        return
    assert schema_template is not None
    path = tmp_path / "bot.sqlite3"
    shutil.copy(schema_template, path)
    yield f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        admin_ids=frozenset({900}),
        auto_migrate=False,
        # Fast deliveries in tests; the pacing tests set their own rate.
        broadcast_rate=1000.0,
        broadcast_paid=True,
        # Tests replay dialogs on a frozen clock, far faster than anyone types; the
        # per-person limit on updates is tested on its own (tests/test_limits.py).
        rate_limit_updates=0,
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START, frozen=True)


@pytest.fixture
def emulator(clock: ManualClock) -> BotAPIEmulator:
    return BotAPIEmulator(clock=clock)


@pytest.fixture
async def app(
    settings: Settings, emulator: BotAPIEmulator, clock: ManualClock
) -> AsyncIterator[BotApplication]:
    application = build_application(settings, request=emulator, clock=clock)
    async with application:
        yield application


@pytest.fixture
def person(app: BotApplication, emulator: BotAPIEmulator) -> Callable[..., Person]:
    def make(user_id: int = 101, language_code: str | None = "id", **kwargs: object) -> Person:
        return Person(app, emulator, user_id, language_code=language_code, **kwargs)  # type: ignore[arg-type]

    return make


@pytest.fixture(autouse=True)
def sweeps_do_not_fail(request: pytest.FixtureRequest) -> Iterator[None]:
    """A sweep task that fails (logged by ``run_due``, which goes on) fails the test,
    unless the test is marked ``sweep_failures`` (it makes a sweep fail on purpose)."""
    failures = Failures()
    logger = logging.getLogger(SCHEDULER)
    logger.addHandler(failures)
    yield
    logger.removeHandler(failures)
    if request.node.get_closest_marker("sweep_failures") is None:
        assert [record.getMessage() for record in failures.records] == []


@pytest.fixture
def sweep(app: BotApplication) -> Callable[[], Awaitable[int]]:
    """Run the scheduled work that is due now (see ``tests.sweeping.sweeper``)."""
    return sweeper(app)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[AsyncSession]:
    """A separate session to look at what the bot stored."""
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as session:
        yield session
    await engine.dispose()
