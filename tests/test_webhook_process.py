"""``desmigratif run --webhook`` as a real process: it registers its webhook with the
secret, takes updates posted to LISTEN (as nginx would pass them on), answers through a
Bot API 100 ms away, serves its health and metrics, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.channels.telegram.emulator import BotAPIEmulator
from storage.models import InboxUpdate
from tests.test_kill import TOKEN, BotProcess, look, served  # noqa: F401 (fixtures)
from tests.test_scale_out import process
from tests.test_webhook import sample
from tests.transcript import first_line

SECRET = "kebumen_Secret-2026"
URL = "https://bot.example.org/telegram"
PEOPLE = (50_001, 50_002, 50_003)


@pytest.fixture
def webhook_process(database_url: str, served: str, tmp_path: Path) -> BotProcess:  # noqa: F811
    bot = process(database_url, served, tmp_path, "bot")
    bot.env |= {"WEBHOOK_URL": URL, "WEBHOOK_SECRET": SECRET, "WEBHOOK_MAX_CONNECTIONS": "12"}
    return bot


def listening_port(process: BotProcess) -> int | None:
    found = re.search(r"serving the webhook on 127\.0\.0\.1:(\d+)", process.log.read_text())
    return int(found.group(1)) if found else None


async def test_webhook_mode_end_to_end(emulator: BotAPIEmulator, webhook_process, look):  # noqa: F811
    await webhook_process.start(
        emulator, "--webhook", ready=lambda: listening_port(webhook_process) is not None
    )
    assert emulator.webhook == {
        "url": URL,
        "secret_token": SECRET,
        "max_connections": 12,
        "allowed_updates": list(__import__("telegram").Update.ALL_TYPES),
    }
    port = listening_port(webhook_process)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        forged = emulator.message_update(PEOPLE[0], "/start")
        refused = await client.post(
            "/telegram", json=forged, headers={"X-Telegram-Bot-Api-Secret-Token": "x"}
        )
        assert refused.status_code == 403
        starts = [emulator.message_update(person, "/start") for person in PEOPLE]
        answers = await asyncio.gather(
            *(client.post("/telegram", json=update, headers=headers) for update in starts)
        )
        assert [answer.status_code for answer in answers] == [200, 200, 200]

        welcome = first_line("id", "<b>Welcome to the Desmigratif assistant.</b>")

        def everyone_welcomed() -> bool:
            return all(
                any(m.text.splitlines()[0] == welcome for m in emulator.bot_messages(person))
                for person in PEOPLE
            )

        await webhook_process.until(everyone_welcomed, "welcome everyone")
        assert [len(emulator.bot_messages(person)) for person in PEOPLE] == [1, 1, 1]
        rows = await look(select(func.count()).select_from(InboxUpdate))
        assert rows[0][0] == 3  # the forged one was never stored

        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = await client.get("/readyz")
        assert (ready.status_code, ready.json()["status"]) == (200, "ready")

        async def counted() -> bool:
            page = (await client.get("/metrics")).text
            return (
                sample(page, "desmigratif_updates_total", kind="message", outcome="handled") == 3
            )

        await webhook_process.until(counted, "count the updates")
        page = (await client.get("/metrics")).text
        assert sample(page, "desmigratif_updates_total", kind="unknown", outcome="refused") == 1
    assert not any(call.method == "getUpdates" for call in emulator.calls)

    assert webhook_process.process is not None
    webhook_process.process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(webhook_process.process.wait(), 15) == 0


@pytest.mark.parametrize(
    ("missing", "said"),
    [
        ("WEBHOOK_SECRET", "--webhook needs WEBHOOK_URL"),
        ("WEBHOOK_URL", "--webhook needs WEBHOOK_URL"),
    ],
)
async def test_webhook_mode_refuses_to_start_without_its_settings(
    emulator, webhook_process, missing, said
):
    del webhook_process.env[missing]
    import sys

    command = Path(sys.executable).with_name("desmigratif")
    process = await asyncio.create_subprocess_exec(
        str(command), "run", "--webhook", env=webhook_process.env, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert said in err.decode()
    assert emulator.webhook == {}


async def test_polling_mode_serves_health_and_metrics_on_listen(emulator, webhook_process):
    env = webhook_process.env
    del env["WEBHOOK_URL"], env["WEBHOOK_SECRET"]

    def port() -> int | None:
        found = re.search(r"serving health on 127\.0\.0\.1:(\d+)", webhook_process.log.read_text())
        return int(found.group(1)) if found else None

    await webhook_process.start(emulator)  # returns once it polls
    await webhook_process.until(lambda: port() is not None, "serve health")
    assert emulator.webhook == {}
    update_id = emulator.push(emulator.message_update(PEOPLE[0], "/start"))
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port()}", timeout=10) as client:
        assert (await client.get("/readyz")).status_code == 200

        async def counted() -> bool:
            page = (await client.get("/metrics")).text
            handled = sample(page, "desmigratif_updates_total", kind="message", outcome="handled")
            return handled == 1

        await webhook_process.until(counted, "count the update")
        assert (await client.post("/telegram", json={"update_id": update_id})).status_code == 404
    await webhook_process.stop()
    assert webhook_process.process is not None
    assert webhook_process.process.returncode == 0
