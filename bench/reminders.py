"""Planning and sweeping checklist reminders for many users, with memory that stays flat.

Each size runs in a fresh process (peak RSS is per process): N users with a checklist and
departures spread over two months (31 to 90 days ahead) are planned in batches
(``reminders.plan_many``), then the clock moves one day and the due reminders are swept
through the emulator.
The figure to watch is the peak RSS with 200,000 users over that with 2,000 (≤ 1.2).

    python bench/reminders.py [--users 200000] [--baseline 2000]

Last line: one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select

from bot.app import build_application
from bot.channels.telegram.emulator import BotAPIEmulator
from bot.clock import ManualClock
from bot.config import Settings
from bot.context import services_of
from bot.scheduler import run_due
from bot.services import reminders
from storage.models import Checklist, Delivery, User
from storage.repositories import people

BATCH = 2_000
FIRST_ID = 200_000_000


async def child(users: int, folder: str) -> dict[str, float]:
    emulator = BotAPIEmulator(record_calls=False)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{folder}/reminders-{users}.sqlite3",
        broadcast_rate=1000,
        broadcast_paid=True,
    )
    clock = ManualClock()
    app = build_application(settings, request=emulator, clock=clock, register_bot_commands=False)
    async with app:
        services = services_of(app)
        now = clock.now()
        today = now.date()
        async with services.sessions() as session, session.begin():
            for start in range(0, users, BATCH):
                part = range(FIRST_ID + start, FIRST_ID + min(start + BATCH, users))
                made = await people.register_many(
                    session, "telegram", [str(i) for i in part], now=now
                )
                ids = [made[str(i)] for i in part]
                await session.execute(
                    insert(User),
                    [
                        {
                            "person_id": i,
                            "locale": "id",
                            "consent": "given",
                            "role": "prospective",
                            "village_id": "jogosimo",
                            "created_at": now,
                            "updated_at": now,
                        }
                        for i in ids
                    ],
                )
                await session.execute(
                    insert(Checklist),
                    [
                        {
                            "person_id": i,
                            "scheme": "p3mi",
                            "country": "hong-kong",
                            "sector": "domestic",
                            "departure_approx": False,
                            "departure_on": today + timedelta(days=31 + i % 60),
                            "created_at": now,
                            "updated_at": now,
                        }
                        for i in ids
                    ],
                )
        started = time.monotonic()
        planned = 0
        for start in range(0, users, BATCH):
            # People are numbered from 1 in the order they were made, as above.
            ids = list(range(start + 1, min(start + BATCH, users) + 1))
            async with services.sessions() as session, session.begin():
                planned += await reminders.plan_many(
                    session,
                    ids,
                    services.checklist,
                    now=now,
                    default_zone=settings.timezone,
                )
        plan_s = time.monotonic() - started

        clock.advance(timedelta(days=1, hours=2))
        async with services.sessions() as session:
            due_chats = (
                await session.scalars(
                    select(Delivery.chat_id).where(
                        Delivery.status == "pending", Delivery.due_at <= clock.now()
                    )
                )
            ).all()
            total_rows = await session.scalar(select(func.count()).select_from(Delivery))
        for chat in set(due_chats):
            emulator.open_chat(chat or 0)
        started = time.monotonic()
        swept = 0
        while handled := await run_due(app):
            swept += handled
        sweep_s = time.monotonic() - started
    return {
        "users": users,
        "planned": planned,
        "rows": int(total_rows or 0),
        "plan_s": plan_s,
        "swept": swept,
        "sweep_s": sweep_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_child(users: int) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", str(users)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200_000)
    parser.add_argument("--baseline", type=int, default=2_000)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        with tempfile.TemporaryDirectory() as folder:
            print(json.dumps(asyncio.run(child(args.child, folder))))
        return
    small = run_child(args.baseline)
    large = run_child(args.users)
    for figures in (small, large):
        print(
            f"{int(figures['users']):>7} users: planned {int(figures['planned'])} reminders in "
            f"{figures['plan_s']:.1f} s; a day later {int(figures['swept'])} were due and swept "
            f"in {figures['sweep_s']:.1f} s; peak RSS {figures['peak_rss_mb']:.0f} MB"
        )
    ratio = large["peak_rss_mb"] / small["peak_rss_mb"]
    print(f"peak RSS {int(large['users'])} / {int(small['users'])} users: {ratio:.2f}")
    print(
        json.dumps(
            {
                "users": int(large["users"]),
                "plan_s": round(large["plan_s"], 1),
                "sweep_s": round(large["sweep_s"], 1),
                "rss_ratio": round(ratio, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
