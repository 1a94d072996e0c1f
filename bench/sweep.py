"""The sweep's claim cost does not grow with the table: 10,000 vs 1,000,000 rows.

On PostgreSQL (``--database-url``, default the local test database), in a schema of its
own that is dropped afterwards: the deliveries table is filled with 10,000 and then
1,000,000 rows, of which the same 500 are due (the rest are finished or due later), and
claiming one batch of 100 (``UPDATE … SKIP LOCKED … RETURNING``, rolled back each time)
is timed. The median of 30 claims is reported for both sizes.

    python bench/sweep.py [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test]

Last line: one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from bench.scratch import DEFAULT_URL, scratch_schema
from storage.db import create_sessionmaker
from storage.repositories import deliveries

SCHEMA = "bench_sweep"
DUE = 500
BATCH = 100


async def fill(engine, total: int) -> None:
    """``total`` rows: DUE due now, the rest half finished, half due next month."""
    async with engine.begin() as connection:
        await connection.execute(text("TRUNCATE deliveries, announcements RESTART IDENTITY"))
        await connection.execute(
            text(
                "INSERT INTO deliveries (kind, chat_id, status, due_at, attempts) "
                "SELECT 'announcement', n, "
                "CASE WHEN n <= :due THEN 'pending' WHEN n % 2 = 0 THEN 'sent' "
                "ELSE 'pending' END, "
                "CASE WHEN n <= :due THEN now() - interval '1 minute' "
                "ELSE now() + interval '30 days' END, 0 "
                "FROM generate_series(1, :total) AS n"
            ),
            {"due": DUE, "total": total},
        )
        await connection.execute(text("ANALYZE deliveries"))


async def time_claims(engine, rounds: int = 30) -> float:
    sessions = create_sessionmaker(engine)
    timings = []
    for _round in range(rounds):
        async with sessions() as session:
            now = datetime.now(UTC)
            started = time.perf_counter()
            claimed = await deliveries.claim_due(
                session,
                now=now,
                lease_until=now + timedelta(minutes=1),
                worker="bench",
                limit=BATCH,
            )
            timings.append(time.perf_counter() - started)
            assert len(claimed) == BATCH
            await session.rollback()  # leave the same rows due for the next round
    return statistics.median(timings) * 1000


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    async with scratch_schema(args.database_url, SCHEMA) as engine:
        await fill(engine, 10_000)
        small = await time_claims(engine)
        await fill(engine, 1_000_000)
        large = await time_claims(engine)
    print(f"claim {BATCH} of {DUE} due rows, median of 30:")
    print(f"  table of    10,000 rows: {small:.2f} ms")
    print(f"  table of 1,000,000 rows: {large:.2f} ms   (ratio {large / small:.2f})")
    print(
        json.dumps(
            {
                "claim_ms_10k": round(small, 3),
                "claim_ms_1m": round(large, 3),
                "ratio": round(large / small, 3),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
