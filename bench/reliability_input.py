"""Bad input at scale, the long variant of ``tests/test_reliability_input.py``: random
streams (every message type, commands, stale and forged buttons, oversized text, edits,
group chats, blocking) from many people at once through the webhook, on SQLite.

    python bench/reliability_input.py [--people 100] [--rounds 10] [--streams 10]

Prints what was sent and what broke (nothing should), and as its last line one JSON
object: {"updates", "per_s", "unanswered", "broken_invariants", "failed_updates",
"error_replies", "kinds"}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.app import build_application
from bot.channels.telegram.emulator import BotAPIEmulator
from bot.clock import ManualClock
from bot.config import Settings
from bot.context import services_of
from bot.web import create_web_app
from storage.db import create_engine
from storage.migrations import upgrade
from storage.models import InboxUpdate
from tests.streams import broken_invariants, error_replies, play_rounds

SECRET = "bench-secret"
START_SECONDS = 1_796_000_000


async def stream(
    path: Path, data: st.DataObject, people: list[int], rounds: int
) -> dict[str, Any]:
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()
    from datetime import UTC, datetime

    emulator = BotAPIEmulator()  # its answers show that every message was answered
    app = build_application(
        Settings(
            _env_file=None,
            database_url=url,
            admin_ids=frozenset({people[-1]}),
            rate_limit_updates=0,
            broadcast_rate=1000,
            broadcast_paid=True,
        ),
        request=emulator,
        clock=ManualClock(datetime.fromtimestamp(START_SECONDS, UTC), frozen=True),
        register_bot_commands=False,
    )
    async with app:
        await app.start()
        web = create_web_app(app, webhook_path="/telegram", secret=SECRET)
        transport = httpx.ASGITransport(app=web)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
                played = await play_rounds(app, emulator, client, data, people, rounds, SECRET)
        except BaseException:
            await app.stop()  # (an abandoned draw raises here; the app must not stay up)
            raise
        result: dict[str, Any] = {
            "updates": played.updates,
            "unanswered": len(played.unanswered),
            "kinds": played.kinds,
        }
        async with services_of(app).sessions() as session:
            result["broken"] = await broken_invariants(session, services_of(app).checklist)
            result["failed"] = await session.scalar(
                select(func.count()).where(InboxUpdate.status == "failed")
            )
        await app.stop()
    result["error_replies"] = len(error_replies(emulator))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--streams", type=int, default=10)
    args = parser.parse_args()
    people = [*range(70_001, 70_001 + args.people - 1), 900]
    results: list[dict[str, Any]] = []
    workdir = Path(tempfile.mkdtemp(prefix="reliability-"))

    @settings(
        max_examples=args.streams,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def play(data: st.DataObject) -> None:
        # A fresh file for every call: hypothesis also calls with draws it then abandons
        # (too much data for one example), and a reused file would hold their updates.
        path = workdir / f"stream-{uuid.uuid4().hex}.sqlite3"
        results.append(asyncio.run(stream(path, data, people, args.rounds)))

    started = time.perf_counter()
    play()
    seconds = time.perf_counter() - started
    updates = sum(r["updates"] for r in results)
    kinds: dict[str, int] = {}
    for r in results:
        for kind, count in r["kinds"].items():
            kinds[kind] = kinds.get(kind, 0) + count
    summary = {
        "updates": updates,
        "per_s": round(updates / seconds, 1),
        "unanswered": sum(r["unanswered"] for r in results),
        "broken_invariants": sum(len(r["broken"]) for r in results),
        "failed_updates": sum(r["failed"] for r in results),
        "error_replies": sum(r["error_replies"] for r in results),
        "kinds": dict(sorted(kinds.items())),
    }
    print(
        f"{updates} updates from {args.people} people in {args.streams} streams, "
        f"{seconds:.0f} s ({summary['per_s']}/s through the webhook)"
    )
    for kind, count in summary["kinds"].items():
        print(f"  {kind:8} {count}")
    print(
        f"unanswered {summary['unanswered']}, broken invariants "
        f"{summary['broken_invariants']}, failed updates {summary['failed_updates']}, "
        f"error replies {summary['error_replies']}"
    )
    for r in results:
        for problem in r["broken"]:
            print(f"  broken: {problem}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
