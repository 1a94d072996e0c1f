"""An officer's queue costs the same with a year of closed cases behind it.

On PostgreSQL (``--database-url``, default the local test database), in a schema of its
own that is dropped afterwards: ``help_requests`` is filled with 1,000 and then 200,000
cases over the four villages, of which the same 60 are open (new, claimed, waiting, old
enough to be overdue); the rest are closed. ``/kasus`` runs four queries (unclaimed in the
area, mine, waiting for the family, overdue); the median of 50 queues is reported for a
village officer and for a kabupaten officer, at both sizes.

    python bench/cases.py [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test]

Last line: one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from bench.scratch import DEFAULT_URL, scratch_schema
from bot.services import help_requests as cases
from storage.db import create_sessionmaker

SCHEMA = "bench_cases"
OPEN_CASES = 60
OFFICER = 500
VILLAGES = ("jogosimo", "tanggulangin", "kalibangkang", "candirenggo")


async def fill(engine, total: int) -> None:
    """``total`` cases: the first OPEN_CASES open (a mix of states), the rest closed."""
    async with engine.begin() as connection:
        await connection.execute(text("TRUNCATE help_requests RESTART IDENTITY CASCADE"))
        await connection.execute(
            text(
                "INSERT INTO help_requests (requester_id, village_id, category, urgent, "
                "for_whom, status, level, assigned_officer_id, requester_unreachable, "
                "created_at, updated_at, last_action_at) "
                "SELECT 100000 + n, (ARRAY[:v1, :v2, :v3, :v4])[1 + n % 4], 'unpaid', "
                "n % 7 = 0, 'family', "
                "CASE WHEN n > :open THEN 'closed' WHEN n % 3 = 0 THEN 'new' "
                "WHEN n % 3 = 1 THEN 'claimed' ELSE 'waiting' END, 'village', "
                "CASE WHEN n <= :open AND n % 3 <> 0 THEN CAST(:officer AS bigint) END, false, "
                "now() - (n || ' minutes')::interval, now(), "
                "now() - ((n % 10) || ' days')::interval "
                "FROM generate_series(1, :total) AS n"
            ),
            {
                "v1": VILLAGES[0],
                "v2": VILLAGES[1],
                "v3": VILLAGES[2],
                "v4": VILLAGES[3],
                "open": OPEN_CASES,
                "officer": OFFICER,
                "total": total,
            },
        )
        await connection.execute(text("ANALYZE help_requests"))


async def time_queues(engine, scope: frozenset[str], rounds: int = 50) -> tuple[float, int]:
    sessions = create_sessionmaker(engine)
    timings = []
    shown = 0
    for _round in range(rounds):
        async with sessions() as session:
            started = time.perf_counter()
            queue = await cases.queue(
                session, officer_id=OFFICER, scope=scope, now=datetime.now(UTC), limit=8
            )
            timings.append(time.perf_counter() - started)
            shown = sum(len(found) for found in queue.values())
    return statistics.median(timings) * 1000, shown


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    village, kabupaten = frozenset({"jogosimo"}), frozenset(VILLAGES)
    figures: dict[str, float] = {}
    async with scratch_schema(args.database_url, SCHEMA) as engine:
        for size in (1_000, 200_000):
            await fill(engine, size)
            for name, scope in (("village", village), ("kabupaten", kabupaten)):
                ms, shown = await time_queues(engine, scope)
                figures[f"{name}_queue_ms_{size // 1000}k"] = round(ms, 3)
                print(f"  {size:>7,} cases, {name:<9} officer: {ms:6.2f} ms ({shown} listed)")
    for name in ("village", "kabupaten"):
        ratio = figures[f"{name}_queue_ms_200k"] / figures[f"{name}_queue_ms_1k"]
        figures[f"{name}_ratio"] = round(ratio, 3)
        print(f"{name} officer: 200,000 vs 1,000 cases → ratio {ratio:.2f}")
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
