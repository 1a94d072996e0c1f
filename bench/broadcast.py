"""The delivery engine's throughput against its cap, on the emulator and SQLite.

1. Paid broadcast: 100,000 recipients with the cap at 1000 messages/s.
2. Standard: 30 seconds of sending at the default 25 messages/s (750 recipients).

For each: achieved rate / cap, CPU time per delivery, and that nobody got a message twice.

    python bench/broadcast.py [--recipients 100000] [--standard-seconds 30]

Last line: one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from bot.app import build_application
from bot.channels.telegram.emulator import BotAPIEmulator
from bot.clock import ManualClock
from bot.config import Settings
from bot.context import services_of
from bot.scheduler import run_due
from bot.services import announcements
from bot.services.announcements import Audience, Draft
from storage.models import User
from storage.repositories import people

OFFICER = 1


async def run(folder: str, *, recipients: int, rate: float, paid: bool) -> dict[str, float]:
    emulator = BotAPIEmulator(record_calls=False)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{folder}/broadcast-{rate}.sqlite3",
        broadcast_rate=rate,
        broadcast_paid=paid,
    )
    clock = ManualClock()
    app = build_application(settings, request=emulator, clock=clock, register_bot_commands=False)
    async with app:
        services = services_of(app)
        now = clock.now()
        ids = range(100_000_000, 100_000_000 + recipients)
        async with services.sessions() as session, session.begin():
            persons = await people.register_many(
                session, "telegram", [str(i) for i in ids], now=now
            )
            rows = [
                {
                    "person_id": persons[str(i)],
                    "locale": "id",
                    "consent": "given",
                    "role": "family",
                    "village_id": "jogosimo",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in ids
            ]
            for start in range(0, len(rows), 10_000):
                await session.execute(insert(User), rows[start : start + 10_000])
            draft = Draft(
                texts={"id": "Pengumuman untuk semua warga."},
                photo=None,
                audience=Audience(),
                scheduled_at=now,
            )
            await announcements.create(
                session, officer_id=OFFICER, area_id=None, scope=None, draft=draft, now=now
            )
        for i in ids:
            emulator.open_chat(i)
        emulator.open_chat(OFFICER)

        cpu_started = time.process_time()
        started = time.monotonic()
        delivered = 0
        while delivered < recipients:
            handled = await run_due(app)
            if handled == 0:
                break
            delivered += handled
        elapsed = time.monotonic() - started
        cpu = time.process_time() - cpu_started
    per_chat = Counter(m.chat_id for chat in ids for m in emulator.bot_messages(chat))
    duplicates = sum(count - 1 for count in per_chat.values() if count > 1)
    sent = sum(1 for count in per_chat.values() if count)
    return {
        "sent": sent,
        "elapsed_s": elapsed,
        "rate": sent / elapsed,
        "ratio": sent / elapsed / rate,
        "cpu_us_per_delivery": cpu / max(sent, 1) * 1e6,
        "duplicates": duplicates,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--standard-seconds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        paid = await run(folder, recipients=args.recipients, rate=1000, paid=True)
        standard = await run(folder, recipients=25 * args.standard_seconds, rate=25, paid=False)
    for name, figures in (("paid, cap 1000/s", paid), ("standard, cap 25/s", standard)):
        print(
            f"{name:>20}: {figures['sent']:>7} sent in {figures['elapsed_s']:.1f} s = "
            f"{figures['rate']:.1f}/s (ratio {figures['ratio']:.3f}), "
            f"CPU {figures['cpu_us_per_delivery']:.0f} µs per delivery, "
            f"duplicates {figures['duplicates']}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")
    print(
        json.dumps(
            {
                "paid_rate_ratio": round(paid["ratio"], 3),
                "standard_rate_ratio": round(standard["ratio"], 3),
                "cpu_us_per_delivery": round(paid["cpu_us_per_delivery"], 1),
                "peak_rss_mb": round(peak, 1),
                "duplicates": int(paid["duplicates"] + standard["duplicates"]),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
