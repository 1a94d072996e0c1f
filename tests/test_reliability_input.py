"""Bad input at scale (issue 15, reliability suite 1): random streams of updates from many
people at once (every message type, commands, stale and forged buttons, oversized text,
edited messages, group chats, people who block the bot) posted to the webhook: no update
fails, every private message and tap is answered, nobody sees the error reply, and the
database invariants hold. ``bench/reliability_input.py`` plays the long variant."""

from __future__ import annotations

import asyncio
import logging
import shutil
import uuid

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.app import build_application
from bot.channels.telegram.emulator import BotAPIEmulator
from bot.clock import ManualClock
from bot.context import services_of
from bot.web import create_web_app
from tests.conftest import POSTGRES_URL, START
from tests.streams import broken_invariants, error_replies, play_rounds

SECRET = "stream-secret"
PEOPLE = [*range(61_001, 61_025), 900]  # villagers-to-be, and an admin (officer screens)
ROUNDS = 12
EXAMPLES = 4


async def play(settings, path: str, data: st.DataObject, rounds: int) -> dict[str, int]:
    emulator = BotAPIEmulator()
    app = build_application(
        settings.model_copy(update={"database_url": path, "rate_limit_updates": 0}),
        request=emulator,
        clock=ManualClock(START, frozen=True),
        register_bot_commands=False,
    )
    async with app:
        await app.start()
        try:
            web = create_web_app(app, webhook_path="/telegram", secret=SECRET)
            transport = httpx.ASGITransport(app=web)
            async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
                played = await play_rounds(app, emulator, client, data, PEOPLE, rounds, SECRET)
            assert played.unanswered == []
            assert error_replies(emulator) == []
            async with services_of(app).sessions() as session:
                assert await broken_invariants(session, services_of(app).checklist) == []
        finally:
            await app.stop()
    return {**played.kinds, "updates": played.updates}


def test_random_streams_from_many_people(schema_template, settings, tmp_path, caplog):
    if POSTGRES_URL:
        pytest.skip("one fresh database per example: played on SQLite")
    played: list[dict[str, int]] = []

    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def example(data: st.DataObject) -> None:
        path = tmp_path / f"stream-{uuid.uuid4().hex}.sqlite3"
        shutil.copy(schema_template, path)
        played.append(asyncio.run(play(settings, f"sqlite+aiosqlite:///{path}", data, ROUNDS)))

    with caplog.at_level(logging.ERROR, logger="desmigratif"):
        example()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert len(played) == EXAMPLES
    assert sum(p["updates"] for p in played) == EXAMPLES * ROUNDS * len(PEOPLE)
    # Every kind of input was tried (so the invariants were checked against each).
    tried = {kind for p in played for kind in p if kind != "updates"}
    assert tried >= {"text", "tap", "old", "forged", "media", "edit", "group", "block"}
