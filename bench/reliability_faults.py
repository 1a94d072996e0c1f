"""Faults at scale, the long variant of ``tests/test_reliability_faults.py``: an
announcement to 10,000 people and a burst of checklist reminders while Telegram answers
5% of sends with 502, times out 3%, asks to wait (429) five times and refuses the 1% who
blocked the bot (403). SQLite, paid broadcasts at 1,000 messages/s.

    python bench/reliability_faults.py [--people 10000]

Prints how every delivery ended and what went wrong (nothing should), and as its last
line one JSON object: {"people", "deliveries", "seconds", "per_s", "open", "failed_without_reason",
"sent_twice", "sent_but_missing", "rows", "faults"}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_application
from bot.channels.telegram.emulator import BotAPIEmulator
from bot.clock import ManualClock
from bot.config import Settings
from tests.faults import Outcome, crowd, under_faults


async def run(people: int) -> Outcome:
    folder = tempfile.mkdtemp(prefix="faults-")
    clock = ManualClock(datetime(2026, 12, 2, 1, 0, tzinfo=UTC), frozen=True)  # 08:00 WIB
    emulator = BotAPIEmulator()
    app = build_application(
        Settings(
            _env_file=None,
            database_url=f"sqlite+aiosqlite:///{folder}/faults.sqlite3",
            broadcast_rate=1000,
            broadcast_paid=True,
        ),
        request=emulator,
        clock=clock,
        register_bot_commands=False,
    )
    async with app:
        ids = await crowd(app, emulator, people)
        return await under_faults(app, emulator, clock, ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    args = parser.parse_args()
    outcome = asyncio.run(run(args.people))
    final = {f"{kind} {status}": n for (kind, status), n in sorted(outcome.rows.items())}
    delivered = sum(n for (kind, status), n in outcome.rows.items() if status != "pending")
    print(f"{args.people} people, {delivered} deliveries ended in {outcome.seconds:.1f} s")
    for name, count in final.items():
        print(f"  {name:24} {count}")
    print(
        "faults answered by Telegram: "
        + ", ".join(f"{k} {v}" for k, v in sorted(outcome.faults.items()))
    )
    print(
        f"open {outcome.open_rows}, failed without a reason {outcome.failed_without_reason}, "
        f"sent twice {outcome.sent_twice}, marked sent but missing {outcome.sent_but_missing}"
    )
    print(
        json.dumps(
            {
                "people": args.people,
                "deliveries": delivered,
                "seconds": round(outcome.seconds, 1),
                "per_s": round(delivered / outcome.seconds, 1),
                "open": outcome.open_rows,
                "failed_without_reason": outcome.failed_without_reason,
                "sent_twice": outcome.sent_twice,
                "sent_but_missing": outcome.sent_but_missing,
                "rows": final,
                "faults": dict(sorted(outcome.faults.items())),
            }
        )
    )


if __name__ == "__main__":
    main()
