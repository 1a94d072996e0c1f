"""Updates per second through the whole bot, against a bare PTB echo bot, in one process.

Both applications run on the same in-process Bot API emulator and receive the same
updates: for each of many users, the onboarding (/start, language, role, village,
consent) followed by menu taps (profile, menu, data, menu, help). The bot runs on SQLite
in a temporary file (or ``--database-url``). Rounds alternate bot and echo so that machine
noise hits both; the ratio of the medians is the figure to watch.

    python bench/updates.py [--users 200] [--rounds 3] [--database-url URL]

Last line: one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_application
from bot.channels.telegram.emulator import BotAPIEmulator
from bot.clock import ManualClock
from bot.config import Settings

MENU_TAPS = ("menu:profile", "menu:main", "menu:data", "menu:main", "menu:help")
ONBOARDING = ("/start", "ob:lang:id", "ob:role:family", "ob:vil:jogosimo", "ob:consent:yes")


async def run_bot(database_url: str, users: int) -> tuple[list[float], list[dict[str, Any]]]:
    """Feed the scripted updates to the full bot; return per-update seconds and payloads."""
    emulator = BotAPIEmulator(record_calls=False)
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    app = build_application(
        settings, request=emulator, clock=ManualClock(), register_bot_commands=False
    )
    timings: list[float] = []
    payloads: list[dict[str, Any]] = []
    async with app:
        # Round-robin over users, one step each, like interleaved real traffic.
        for step in (*ONBOARDING, *MENU_TAPS):
            for index in range(users):
                user_id = 10_000 + index
                if step.startswith("/"):
                    payload = emulator.message_update(user_id, step)
                else:
                    message = emulator.last_with_buttons(user_id)
                    assert message is not None, f"user {user_id} has no buttons before {step}"
                    payload = emulator.callback_update(user_id, message.message_id, step)
                payloads.append(payload)
                started = time.perf_counter()
                await app.process_update(Update.de_json(payload, app.bot))
                timings.append(time.perf_counter() - started)
    return timings, payloads


async def run_echo(payloads: list[dict[str, Any]]) -> list[float]:
    """The same updates through a bare PTB application that echoes and answers buttons."""
    emulator = BotAPIEmulator(record_calls=False)
    for payload in payloads:
        chat = (payload.get("message") or payload["callback_query"]["message"])["chat"]
        emulator.open_chat(chat["id"])
    app = Application.builder().token("1:ECHO").request(emulator).updater(None).build()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "?")

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer()

    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(answer))
    timings: list[float] = []
    async with app:
        for payload in payloads:
            # Fresh query ids: each one may be answered once.
            if "callback_query" in payload:
                query_id = payload["callback_query"]["id"]
                emulator.callback_answers[query_id] = None
            started = time.perf_counter()
            await app.process_update(Update.de_json(payload, app.bot))
            timings.append(time.perf_counter() - started)
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    bot_rates: list[float] = []
    echo_rates: list[float] = []
    bot_timings: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        for round_number in range(args.rounds + 1):  # round 0 warms up imports and caches
            url = args.database_url or f"sqlite+aiosqlite:///{folder}/bench-{round_number}.sqlite3"
            if args.database_url:
                await _empty_postgres(url)
            timings, payloads = await run_bot(url, args.users)
            echo_timings = await run_echo(payloads)
            if round_number == 0:
                continue
            bot_rates.append(len(timings) / sum(timings))
            echo_rates.append(len(echo_timings) / sum(echo_timings))
            bot_timings += timings
    bot_rate = statistics.median(bot_rates)
    echo_rate = statistics.median(echo_rates)
    figures = {
        "updates": len(bot_timings) // args.rounds,
        "bot_updates_per_s": round(bot_rate, 1),
        "echo_updates_per_s": round(echo_rate, 1),
        "ratio": round(bot_rate / echo_rate, 3),
        "p50_ms": round(percentile(bot_timings, 0.50) * 1000, 3),
        "p99_ms": round(percentile(bot_timings, 0.99) * 1000, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(f"updates per round: {figures['updates']} ({args.users} users x 10 steps)")
    print(f"rounds: {args.rounds} (plus one warm-up)")
    print(
        f"bot : {figures['bot_updates_per_s']:>8} updates/s"
        f"   p50 {figures['p50_ms']} ms   p99 {figures['p99_ms']} ms"
    )
    print(f"echo: {figures['echo_updates_per_s']:>8} updates/s")
    print(f"ratio bot/echo: {figures['ratio']:.1%}   peak RSS: {figures['peak_rss_mb']} MB")
    print(json.dumps(figures))


async def _empty_postgres(url: str) -> None:
    from sqlalchemy import text

    from storage.db import create_engine
    from storage.migrations import upgrade

    engine = create_engine(url)
    await upgrade(engine)
    async with engine.begin() as connection:
        await connection.execute(text("TRUNCATE users, officers"))
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
