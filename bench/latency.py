"""Answer time under a real round trip: many villagers at once against the running bot.

The bot runs as it does in production, ``desmigratif run`` in its own process with long
polling, but against the Bot API emulator served over HTTP on 127.0.0.1 with an injected
round-trip time (``--rtt-ms``, Telegram is about 100 ms away). ``--users`` villagers act
at once, each like a person: ``/start``, then taps for language, role, village and
consent, then ``/menu``, each step right after the bot's answer to the previous one is
visible. Per step we measure the time from the update being available to the first call
the user sees in their chat (a message, an edit, the button's answer).

The same script is first run against ``bench/echo_bot.py`` (a bare python-telegram-bot
application: one reply with one button per message, one answer per button press); the
ratio of the two p95 figures is the figure to watch.

    python bench/latency.py [--users 60] [--rtt-ms 100] [--database-url URL]
                            [--webhook [--processes 3]]

With ``--webhook`` the bot runs ``desmigratif run --webhook`` (``--processes`` of them,
each on its own port, sharing the database: use PostgreSQL for more than one) and each
update is POSTed to the next process in turn, as a load balancer would; the echo bot
stays on long polling as the yardstick.

The bot gets a fresh SQLite file in a temporary directory, or ``--database-url``; for
PostgreSQL the ``public`` schema of that database is DROPPED and recreated first, and the
bot migrates on start, so never point it at a database you want to keep.

A step that gets no answer within ``--step-timeout`` seconds, or whose answer does not
offer the next button, is an error: that user stops, and a missing answer counts as
``--step-timeout`` seconds in the percentiles. Last line: one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("PTB_TIMEDELTA", "true")  # before telegram is imported

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.channels.telegram.emulator import BotAPIEmulator  # noqa: E402 (after the environment is set)
from bot.channels.telegram.emulator_http import serve_emulator  # noqa: E402

TOKEN = "123:TEST"
SECRET = "bench_secret"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# (kind, payload): a typed message, or the callback data of the button to press. For
# the echo bot, a tap presses whatever button its last message carries.
BOT_STEPS = (
    ("say", "/start"),
    ("tap", "ob:lang:id"),
    ("tap", "ob:role:family"),
    ("tap", "ob:vil:jogosimo"),
    ("tap", "ob:consent:yes"),
    ("say", "/menu"),
)
ECHO_STEPS = (("say", "/start"), *(("tap", "") for _ in range(4)), ("say", "/menu"))
READY_TIMEOUT = 120.0  # migrations on a cold PostgreSQL included
STOP_GRACE = 10.0
_children: set[int] = set()  # for the last-resort kill if the event loop dies


@dataclass
class Phase:
    """One system under test: what happened to every user's steps."""

    name: str
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    completed: int = 0
    db_locked: int = 0
    log: str = ""
    elapsed: float = 0.0


class Villagers:
    """Drives ``users`` people through ``steps`` on ``emulator``, at once."""

    def __init__(
        self,
        emulator: BotAPIEmulator,
        steps: tuple[tuple[str, str], ...],
        step_timeout: float,
        phase: Phase,
    ) -> None:
        self.emulator, self.steps, self.step_timeout, self.phase = (
            emulator,
            steps,
            step_timeout,
            phase,
        )
        self.seen: dict[int, list[float]] = {}
        self.changed: dict[int, asyncio.Event] = {}
        # Webhook mode: how an update reaches the bot (a POST to one of its processes).
        self.post: Callable[[int, dict[str, object]], Awaitable[None]] | None = None
        emulator.on_answer = self._answered

    def _answered(self, chat_id: int, method: str, at: float) -> None:
        self.seen.setdefault(chat_id, []).append(at)
        if (event := self.changed.get(chat_id)) is not None:
            event.set()

    async def _until(self, chat_id: int, condition: Callable[[], bool], deadline: float) -> bool:
        """Wait for ``condition`` (checked on every answer into the chat) until ``deadline``."""
        event = self.changed.setdefault(chat_id, asyncio.Event())
        while True:
            event.clear()
            if condition():
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return condition()

    def _button(self, user_id: int, data: str) -> tuple[int, str] | None:
        """(message id, callback data) of the button to press, on the message with
        buttons the user sees last; ``data`` "" presses its first button."""
        message = self.emulator.last_with_buttons(user_id)
        if message is None:
            return None
        for row in message.buttons:
            for button in row:
                if button.callback_data and (not data or button.callback_data == data):
                    return message.message_id, button.callback_data
        return None

    def _spinner_stopped(self, query_id: str) -> bool:
        return self.emulator.callback_answers.get(query_id) is not None

    def _offers(self, user_id: int, data: str) -> bool:
        return self._button(user_id, data) is not None

    async def person(self, user_id: int) -> None:
        emulator = self.emulator
        for number, (kind, value) in enumerate(self.steps):
            label = f"user {user_id} step {number + 1} ({kind} {value or 'button'})"
            query_id = None
            if kind == "say":
                payload = emulator.message_update(user_id, value)
            else:
                pressed = self._button(user_id, value)
                if pressed is None:
                    self.phase.errors.append(f"{label}: no such button on screen")
                    return
                payload = emulator.callback_update(user_id, *pressed)
                query_id = payload["callback_query"]["id"]
            answered_before = len(self.seen.get(user_id, ()))
            if self.post is not None:
                pushed = time.monotonic()
                await self.post(user_id + number, payload)
            else:
                pushed = emulator.pushed_at[emulator.push(payload)]
            deadline = pushed + self.step_timeout

            def answered(before: int = answered_before) -> bool:
                return len(self.seen.get(user_id, ())) > before

            if not await self._until(user_id, answered, deadline):
                self.phase.seconds.append(self.step_timeout)
                self.phase.errors.append(f"{label}: no answer in {self.step_timeout:g} s")
                return
            self.phase.seconds.append(self.seen[user_id][answered_before] - pushed)
            # Done when the user can go on: the spinner stopped, the next button is there.
            if query_id is not None and not await self._until(
                user_id, functools.partial(self._spinner_stopped, query_id), deadline
            ):
                self.phase.errors.append(f"{label}: the button press was never answered")
                return
            if number + 1 < len(self.steps) and self.steps[number + 1][0] == "tap":
                wanted = self.steps[number + 1][1]
                if not await self._until(
                    user_id, functools.partial(self._offers, user_id, wanted), deadline
                ):
                    self.phase.errors.append(f"{label}: the answer offers no {wanted!r} button")
                    return
        self.phase.completed += 1


async def run_phase(
    phase: Phase,
    command: list[str],
    env: dict[str, str],
    *,
    steps: tuple[tuple[str, str], ...],
    users: int,
    rtt_ms: float,
    step_timeout: float,
    workdir: Path,
    webhook_processes: int = 0,
) -> None:
    """Start the system under test against a fresh emulator, let the villagers act,
    stop it; fills ``phase``. With ``webhook_processes`` N, N webhook processes on free
    ports take the updates, each posted to the next process in turn."""
    import httpx

    emulator = BotAPIEmulator()
    villagers = Villagers(emulator, steps, step_timeout, phase)
    count = webhook_processes or 1
    logs = [workdir / f"{phase.name}-{n}.log" for n in range(count)]
    ports = [_free_port() for _ in range(count)] if webhook_processes else []
    processes: list[asyncio.subprocess.Process] = []
    async with serve_emulator(emulator, rtt_ms=rtt_ms) as base_url:
        try:
            for n, log_path in enumerate(logs):
                extra = {"TELEGRAM_API_BASE_URL": base_url}
                if webhook_processes:
                    extra |= {
                        "WEBHOOK_URL": "https://bot.example.org/telegram",
                        "WEBHOOK_SECRET": SECRET,
                        "LISTEN": f"127.0.0.1:{ports[n]}",
                        "INSTANCE_NAME": f"bench-{n}",
                    }
                with log_path.open("wb") as log:
                    process = await asyncio.create_subprocess_exec(
                        *command,
                        *(["--webhook"] if webhook_processes else []),
                        cwd=workdir,
                        env={**env, **extra},
                        stdin=asyncio.subprocess.DEVNULL,
                        stdout=log,
                        stderr=log,
                        start_new_session=True,  # our signals only: Ctrl-C stops it via us
                    )
                _children.add(process.pid)
                processes.append(process)
                await _ready(emulator, process, log_path, webhook=bool(webhook_processes))
            async with httpx.AsyncClient(timeout=step_timeout) as client:
                if webhook_processes:

                    async def post(turn: int, payload: dict[str, object]) -> None:
                        url = f"http://127.0.0.1:{ports[turn % count]}/telegram"
                        answer = await client.post(
                            url, json=payload, headers={SECRET_HEADER: SECRET}
                        )
                        answer.raise_for_status()

                    villagers.post = post
                started = time.monotonic()
                await asyncio.wait_for(
                    asyncio.gather(*(villagers.person(10_000 + n) for n in range(users))),
                    len(steps) * step_timeout + 30,
                )
                phase.elapsed = time.monotonic() - started
            print(f"{phase.name}: {users} users done in {phase.elapsed:.1f} s")
        finally:
            for process in processes:
                await _stop(process)
    texts = [await asyncio.to_thread(p.read_text, errors="replace") for p in logs]
    phase.log = "\n".join(texts)
    phase.db_locked = sum("database is locked" in line for line in phase.log.splitlines())


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _ready(
    emulator: BotAPIEmulator,
    process: asyncio.subprocess.Process,
    log_path: Path,
    *,
    webhook: bool = False,
) -> None:
    """Wait until the process asks for updates (long polling) or serves its webhook."""
    deadline = time.monotonic() + READY_TIMEOUT

    def ready() -> bool:
        if webhook:
            return "serving the webhook" in log_path.read_text(errors="replace")
        return any(call.method == "getUpdates" for call in emulator.calls)

    while not ready():
        if process.returncode is not None or time.monotonic() > deadline:
            text = await asyncio.to_thread(log_path.read_text, errors="replace")
            tail = "\n".join(text.splitlines()[-30:])
            raise RuntimeError(f"the system under test did not start polling:\n{tail}")
        await asyncio.sleep(0.05)


async def _stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM, then SIGKILL after a grace period; always reaps the process."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), STOP_GRACE)
        except TimeoutError:
            process.kill()
            await process.wait()
    _children.discard(process.pid)


async def _empty_postgres(url: str) -> None:
    """A clean slate: the bot migrates an empty schema on start."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def summary(phase: Phase) -> str:
    return (
        f"{phase.name:>4}: p50 {percentile(phase.seconds, 0.5):6.2f} s"
        f"   p95 {percentile(phase.seconds, 0.95):6.2f} s"
        f"   max {max(phase.seconds, default=0.0):6.2f} s"
        f"   steps {len(phase.seconds)}   users done {phase.completed}"
        f"   errors {len(phase.errors)}"
    )


async def bench(args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="latency-") as folder:
        workdir = Path(folder)
        database_url = args.database_url or f"sqlite+aiosqlite:///{workdir}/bot.sqlite3"
        db = "postgresql" if database_url.startswith("postgresql") else "sqlite"
        if db == "postgresql":
            await _empty_postgres(database_url)
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "DATABASE_URL": database_url,
            "PTB_TIMEDELTA": "true",
            "PYTHONPATH": str(args.bot_dir),
            "NO_PROXY": "127.0.0.1",
            "PYTHONUNBUFFERED": "1",
            "LISTEN": "127.0.0.1:0",  # health and metrics on a free port
        }
        common = {
            "users": args.users,
            "rtt_ms": args.rtt_ms,
            "step_timeout": args.step_timeout,
            "workdir": workdir,
        }
        echo = Phase("echo")
        if not args.no_echo:
            echo_bot = str(ROOT / "bench" / "echo_bot.py")
            await run_phase(echo, [sys.executable, echo_bot], env, steps=ECHO_STEPS, **common)
            print(summary(echo))
        bot = Phase("bot")
        command = [sys.executable, "-m", "bot", "run"]
        processes = args.processes if args.webhook else 0
        await run_phase(bot, command, env, steps=BOT_STEPS, webhook_processes=processes, **common)
        print(summary(bot))
    for phase in (echo, bot):
        for error in phase.errors[:5]:
            print(f"  {phase.name} error: {error}")
        if phase.errors[5:]:
            print(f"  {phase.name}: {len(phase.errors) - 5} more errors")
    print(f"'database is locked' lines in the bot's output: {bot.db_locked}")
    bot_p95, echo_p95 = percentile(bot.seconds, 0.95), percentile(echo.seconds, 0.95)
    return {
        "db": db,
        "rtt_ms": args.rtt_ms,
        "users": args.users,
        "mode": f"webhook x{args.processes}" if args.webhook else "polling",
        "updates_per_s": round(len(bot.seconds) / bot.elapsed, 1) if bot.elapsed else None,
        "echo_updates_per_s": round(len(echo.seconds) / echo.elapsed, 1) if echo.elapsed else None,
        "p50_s": round(percentile(bot.seconds, 0.5), 3),
        "p95_s": round(bot_p95, 3),
        "max_s": round(max(bot.seconds, default=0.0), 3),
        "echo_p50_s": round(percentile(echo.seconds, 0.5), 3) if echo.seconds else None,
        "echo_p95_s": round(echo_p95, 3) if echo.seconds else None,
        "p95_ratio": round(bot_p95 / echo_p95, 2) if echo_p95 else None,
        "errors": len(bot.errors),
        "echo_errors": len(echo.errors),
        "db_locked": bot.db_locked,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--rtt-ms", type=float, default=100.0)
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp dir")
    parser.add_argument("--step-timeout", type=float, default=60.0, help="seconds")
    parser.add_argument(
        "--bot-dir",
        type=Path,
        default=ROOT,
        help="source tree of the bot to run (default: this one), e.g. an older checkout",
    )
    parser.add_argument("--no-echo", action="store_true", help="skip the echo-bot yardstick")
    parser.add_argument(
        "--webhook", action="store_true", help="the bot takes updates on its webhook"
    )
    parser.add_argument(
        "--processes", type=int, default=1, help="webhook processes (with --webhook)"
    )
    args = parser.parse_args()
    try:
        figures = asyncio.run(bench(args))
    finally:
        for pid in _children:  # only if the event loop died before stopping them
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
