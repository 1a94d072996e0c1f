"""The bot's HTTP side (:mod:`bot.web`) driven through its ASGI app: Telegram's webhook
(secret, size, shape, stored before the 200, duplicates once), ``/healthz``,
``/readyz`` and ``/metrics`` with exact figures."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, text

from bot.app import BotApplication, build_application
from bot.web import MAX_BODY, create_web_app
from storage.migrations import head_revision
from storage.models import Delivery, InboxUpdate
from tests.announcing import villager
from tests.helping import ask_for_help
from tests.people import person as known
from tests.people import row_of
from tests.transcript import first_line

SECRET = "s3cret_Token-1"
PATH = "/telegram"
USER = 4401


@pytest.fixture
async def running(app: BotApplication) -> AsyncIterator[BotApplication]:
    """The application consuming its update queue, as in ``desmigratif run``."""
    await app.start()
    yield app
    await app.stop()


@contextlib.asynccontextmanager
async def http(application: BotApplication, **webhook: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_web_app(application, **webhook))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        yield client


@pytest.fixture
async def client(running: BotApplication) -> AsyncIterator[httpx.AsyncClient]:
    """The webhook and the operator's pages of a running bot."""
    async with http(running, webhook_path=PATH, secret=SECRET) as client:
        yield client


@pytest.fixture
async def pages(app: BotApplication) -> AsyncIterator[httpx.AsyncClient]:
    """The operator's pages of an application whose jobs do not run: the figures change
    only when the test changes them."""
    async with http(app) as client:
        yield client


async def post(client: httpx.AsyncClient, payload: object, secret: str | None = SECRET):
    headers = {"content-type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    content = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return await client.post(PATH, content=content, headers=headers)


async def stored(db) -> int:
    return int(await db.scalar(select(func.count()).select_from(InboxUpdate)))


async def handled(app: BotApplication, update_id: int) -> None:
    """Wait until the update's inbox row is finished (handled and marked)."""
    from bot.context import services_of

    inbox = services_of(app).inbox
    assert inbox is not None
    for _ in range(500):
        await inbox.flush()
        async with services_of(app).sessions() as session:
            status = await session.scalar(
                select(InboxUpdate.status).where(InboxUpdate.update_id == update_id)
            )
        if status == "done":
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"update {update_id} was not handled: {status}")


def sample(metrics_text: str, name: str, **labels: str) -> float | None:
    """The value of one series in Prometheus' text format (None: absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in metrics_text.splitlines():
        if line.startswith("#"):
            continue
        series, _, value = line.rpartition(" ")
        metric, _, rest = series.partition("{")
        given = ",".join(sorted(rest.rstrip("}").split(","))) if rest else ""
        if metric == name and given == wanted:
            return float(value)
    return None


# --- the webhook ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "secret",
    [None, "", "wrong", SECRET[:-1], SECRET + "x", SECRET.upper()],
    ids=["none", "empty", "wrong", "one-short", "one-long", "case"],
)
async def test_without_the_secret_403_and_nothing_stored(client, emulator, db, secret):
    update = emulator.message_update(USER, "/start")
    response = await post(client, update, secret=secret)
    assert (response.status_code, response.text) == (403, "forbidden")
    assert await stored(db) == 0
    assert emulator.bot_messages(USER) == []


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        b"[1, 2]",
        b'"update"',
        b"{}",
        b'{"update_id": "7"}',
        b'{"update_id": -1}',
        b'{"update_id": true}',
        b'{"update_id": 7, "message": {"text": "no chat, no date"}}',
    ],
    ids=[
        "text",
        "bad-utf8",
        "list",
        "string",
        "no-id",
        "id-string",
        "id-negative",
        "id-bool",
        "bad-message",
    ],
)
async def test_a_body_that_is_not_an_update_400_and_nothing_stored(client, db, body):
    response = await post(client, body)
    assert (response.status_code, response.text) == (400, "not an update")
    assert await stored(db) == 0


async def test_an_oversized_body_413_and_nothing_stored(client, emulator, db):
    update = emulator.message_update(USER, "x")
    padding = MAX_BODY - len(json.dumps(update | {"pad": ""}).encode())
    exactly = json.dumps(update | {"pad": "x" * padding}).encode()
    assert len(exactly) == MAX_BODY
    too_big = json.dumps(update | {"pad": "x" * (padding + 1)}).encode()
    assert (await post(client, too_big)).status_code == 413
    assert await stored(db) == 0
    # The largest allowed body is taken (the padding is a field PTB ignores).
    assert (await post(client, exactly)).status_code == 200
    assert await stored(db) == 1


async def test_an_update_is_stored_then_answered(client, running, emulator, db):
    update = emulator.message_update(USER, "/start")
    response = await post(client, update)
    assert (response.status_code, response.text) == (200, "ok")
    await handled(running, update["update_id"])
    [welcome] = emulator.bot_messages(USER)
    assert welcome.text.splitlines()[0] == first_line(
        "id", "<b>Welcome to the Desmigratif assistant.</b>"
    )
    assert [b.text for row in welcome.buttons for b in row] == [
        "✓ Bahasa Indonesia",
        "Basa Jawa",
        "English",
    ]
    row = await db.get(InboxUpdate, update["update_id"])
    assert (row.person_id, row.status) == (USER, "done")


async def test_a_duplicate_is_answered_once(client, running, emulator, db):
    update = emulator.message_update(USER, "/start")
    assert (await post(client, update)).status_code == 200
    await handled(running, update["update_id"])
    assert (await post(client, update)).status_code == 200  # Telegram sent it again
    await handled(running, update["update_id"])
    assert len(emulator.bot_messages(USER)) == 1
    assert await stored(db) == 1
    page = (await client.get("/metrics")).text
    assert sample(page, "desmigratif_updates_total", kind="message", outcome="handled") == 1
    assert sample(page, "desmigratif_updates_total", kind="message", outcome="duplicate") == 1


async def test_one_persons_updates_are_handled_in_order(client, running, emulator, db):
    """Onboarding posted step by step without waiting: each tap finds the step it was
    meant for, so the person ends registered."""
    start = emulator.message_update(USER, "/start")
    taps = ["ob:lang:id", "ob:role:family", "ob:vil:jogosimo", "ob:consent:yes"]
    updates = [start] + [
        emulator.callback_update(USER, start["message"]["message_id"], data) for data in taps
    ]
    for update in updates:
        assert (await post(client, update)).status_code == 200
    await handled(running, updates[-1]["update_id"])
    from storage.models import User

    user = await row_of(db, User, USER)
    assert (user.locale, user.role, user.village_id, user.consent) == (
        "id",
        "family",
        "jogosimo",
        "given",
    )


async def test_only_the_webhook_path_takes_posts(client, emulator, db):
    update = emulator.message_update(USER, "/start")
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    assert (await client.post("/other", json=update, headers=headers)).status_code == 404
    assert (await client.get(PATH)).status_code == 405
    assert await stored(db) == 0


async def test_polling_mode_has_no_webhook_route(pages, emulator):
    update = emulator.message_update(USER, "/start")
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    assert (await pages.post(PATH, json=update, headers=headers)).status_code == 404
    assert (await pages.get("/healthz")).status_code == 200


# --- health -----------------------------------------------------------------------------


async def test_healthz(client):
    response = await client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_when_all_is_well(client):
    response = await client.get("/readyz")
    assert (response.status_code, response.json()) == (
        200,
        {"status": "ready", "checks": {"database": "ok", "migrations": "ok", "bot_api": "ok"}},
    )


async def test_readyz_names_migrations_behind(client, db, database_url):
    await db.execute(text("UPDATE alembic_version SET version_num = '0007'"))
    await db.commit()
    try:
        response = await client.get("/readyz")
    finally:  # on PostgreSQL the database outlives the test: put the version back
        await db.execute(
            text("UPDATE alembic_version SET version_num = :head"), {"head": head_revision()}
        )
        await db.commit()
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "migrations": f"at 0007, code expects {head_revision()}",
        "bot_api": "ok",
    }
    assert (await client.get("/readyz")).status_code == 200


async def test_readyz_asks_telegram_when_it_has_not_heard_from_it(running, client, emulator):
    from bot.context import services_of

    metrics = services_of(running).metrics
    metrics.last_bot_api_ok = 0.0  # nothing heard for a long time (quiet hours)
    calls = len(emulator.calls)
    assert (await client.get("/readyz")).status_code == 200
    assert [call.method for call in emulator.calls[calls:]] == ["getMe"]
    # Heard just now: no second getMe.
    assert (await client.get("/readyz")).status_code == 200
    assert len(emulator.calls) == calls + 1


@pytest.mark.parametrize("fault", ["server_error", "timeout"])
async def test_readyz_503_when_telegram_does_not_answer(running, client, emulator, fault):
    from bot.context import services_of

    services_of(running).metrics.last_bot_api_ok = 0.0
    emulator.inject(fault, methods=["getMe"])
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "bot_api": "no answer",
    }


async def test_readyz_503_when_the_database_is_gone(settings, tmp_path, emulator):
    gone = settings.model_copy(  # a directory where the database file should be
        update={"database_url": f"sqlite+aiosqlite:///{tmp_path}"}
    )
    application = build_application(gone, request=emulator)
    async with application, http(application) as pages:
        response = await pages.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"] == {
            "database": "failing",
            "migrations": "failing",
            "bot_api": "ok",
        }
        # /metrics still answers with what the process counted itself.
        page = await pages.get("/metrics")
        assert page.status_code == 200
        assert sample(page.text, "desmigratif_inbox_pending") == 0
        assert (await pages.get("/healthz")).status_code == 200


# --- metrics ----------------------------------------------------------------------------


async def test_metrics_read_the_shared_figures(app, pages, person, db, clock, sweep):
    from bot.context import services_of

    await villager(person, USER)
    await ask_for_help(person(USER), category="violence", for_whom="me")
    await ask_for_help(person(USER), category="lost_contact")
    await sweep()  # the officers' notices go out: nothing of theirs is left due
    now = clock.now()
    late = timedelta(seconds=90)
    recipient = await known(db, USER)
    for due in (now - late, now, now + timedelta(seconds=1)):
        db.add(
            Delivery(
                kind="reminder", person_id=recipient, chat_id=USER, status="pending", due_at=due
            )
        )
    db.add(InboxUpdate(update_id=1, person_id=USER, status="pending", received_at=now))
    await db.commit()

    page = (await pages.get("/metrics")).text
    assert sample(page, "desmigratif_deliveries_due") == 2  # the one due in 1 s is not
    assert sample(page, "desmigratif_deliveries_oldest_due_seconds") == 90
    assert sample(page, "desmigratif_inbox_pending") == 1
    assert sample(page, "desmigratif_inbox_oldest_pending_seconds") == 0
    assert sample(page, "desmigratif_help_requests_open", status="new", urgent="true") == 1
    assert sample(page, "desmigratif_help_requests_open", status="new", urgent="false") == 1
    assert sample(page, "desmigratif_help_requests_open", status="claimed", urgent="true") == 0
    assert sample(page, "desmigratif_urgent_unanswered_past_deadline") == 0

    # The urgent case's first deadline: one minute before it, not counted; at it, counted.
    realert = services_of(app).help.deadlines.urgent_realert
    clock.advance(realert - timedelta(minutes=1))
    page = (await pages.get("/metrics")).text
    assert sample(page, "desmigratif_urgent_unanswered_past_deadline") == 0
    clock.advance(timedelta(minutes=1))
    page = (await pages.get("/metrics")).text
    assert sample(page, "desmigratif_urgent_unanswered_past_deadline") == 1
    assert sample(page, "desmigratif_inbox_oldest_pending_seconds") == realert.total_seconds()


async def test_bot_api_errors_are_counted_by_code(running, client, emulator):
    emulator.open_chat(USER)
    emulator.inject("server_error", count=2, methods=["sendMessage"])
    emulator.inject("timeout", count=1, methods=["sendMessage"])
    for _ in range(3):
        with pytest.raises(Exception):  # noqa: B017, PT011 (502 twice, then a time-out)
            await running.bot.send_message(USER, "x")
    emulator.block(USER)
    with pytest.raises(Exception):  # noqa: B017, PT011
        await running.bot.send_message(USER, "x")
    page = (await client.get("/metrics")).text
    assert sample(page, "desmigratif_bot_api_errors_total", code="502") == 2
    assert sample(page, "desmigratif_bot_api_errors_total", code="0") == 1
    assert sample(page, "desmigratif_bot_api_errors_total", code="403") == 1
    assert sample(page, "desmigratif_bot_api_errors_total", code="200") is None


async def test_metrics_carry_no_personal_data(client, running, emulator, person):
    p = await villager(person, USER)
    await ask_for_help(p, details={"name": "Siti Rahayu"}, description="Dipukul majikan")
    page = (await client.get("/metrics")).text
    for private in ("Siti", "Rahayu", "Dipukul", str(USER)):
        assert private not in page
