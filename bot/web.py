"""The bot's HTTP side: Telegram's webhook, and the operator's health and metrics.

- ``POST <path of WEBHOOK_URL>`` (webhook mode only): Telegram delivers an update. The
  ``X-Telegram-Bot-Api-Secret-Token`` header must equal ``WEBHOOK_SECRET`` (compared in
  constant time), else 403 and nothing is stored. A body that is too large (413) or not
  an update (400) is refused, nothing stored. An update is stored in the inbox
  (committed) before the 200: Telegram forgets it only once it is safe; handling happens
  after, in the person's line (:class:`bot.inbox.Inbox`), by whichever process holds it. If the
  database cannot take it, the answer is 503 and Telegram delivers it again later.
- ``GET /healthz``: the process is alive (200).
- ``GET /readyz``: 200 when the database answers, its migrations are current and the
  Bot API answered recently; else 503 naming what is wrong. A load balancer sends
  traffic only to ready processes.
- ``GET /metrics``: :mod:`bot.metrics`, for Prometheus.

In polling mode the same app, without the webhook route, is served on ``LISTEN``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.error import TelegramError

from bot.context import services_of
from bot.logs import log_failure
from bot.metrics import CONTENT_TYPE
from storage.migrations import current_revision, head_revision

if TYPE_CHECKING:
    from bot.app import BotApplication

log = logging.getLogger("desmigratif.web")

SECRET_HEADER = "x-telegram-bot-api-secret-token"
# Telegram's updates are a few kilobytes; a long message with entities stays far below.
MAX_BODY = 256 * 1024
# Readiness: the Bot API must have answered within this many seconds (else one getMe).
BOT_API_FRESH = 120.0
CHECK_TIMEOUT = 5.0


def create_web_app(
    application: BotApplication,
    *,
    webhook_path: str | None = None,
    secret: str | None = None,
) -> Starlette:
    """The ASGI app; with ``webhook_path`` (and its ``secret``) it takes Telegram's
    updates too."""
    services = services_of(application)
    metrics = services.metrics
    head = head_revision()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        checks = {
            "database": await _check(_database_answers(application)),
            "migrations": await _check(_migrations_current(application, head)),
            "bot_api": await _check(_bot_api_recent(application)),
        }
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    async def metrics_page(request: Request) -> Response:
        try:
            await asyncio.wait_for(metrics.refresh(services), CHECK_TIMEOUT)
        except Exception as exc:
            # The counters are still worth having; the shared gauges keep their last value.
            log_failure(log, "could not read the figures for /metrics", exc)
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    async def webhook(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if secret is None or not hmac.compare_digest(given.encode(), secret.encode()):
            metrics.handled("unknown", "refused")
            return PlainTextResponse("forbidden", status_code=403)
        body = await _body(request)
        if body is None:
            metrics.handled("unknown", "refused")
            return PlainTextResponse("too large", status_code=413)
        update = _update(body, application)
        if update is None:
            metrics.handled("unknown", "refused")
            return PlainTextResponse("not an update", status_code=400)
        inbox = services.inbox
        assert inbox is not None
        try:
            fresh = await inbox.store([update])
        except Exception as exc:
            # Not stored: Telegram keeps it and delivers it again.
            log_failure(log, "could not store a webhook update", exc, update=update.update_id)
            return PlainTextResponse("try again", status_code=503)
        if fresh:  # (a duplicate is counted by the inbox)
            inbox.admit_soon(fresh)  # stored: Telegram may forget it; handling comes after
        return PlainTextResponse("ok")

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_page, methods=["GET"]),
    ]
    if webhook_path is not None:
        routes.append(Route(webhook_path, webhook, methods=["POST"]))
    return Starlette(routes=routes)


async def _body(request: Request) -> bytes | None:
    """The body, or None once it passes :data:`MAX_BODY` (read no further)."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _update(body: bytes, application: BotApplication) -> Update | None:
    """The update in ``body``, or None when it is not one Telegram would send."""
    try:
        data: Any = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
        return None
    try:
        update = Update.de_json(data, application.bot)
    except Exception:  # PTB raises whatever a malformed field makes it raise
        return None
    return update


async def _check(probe: Any) -> str:
    try:
        return str(await asyncio.wait_for(probe, CHECK_TIMEOUT))
    except TimeoutError:
        return "timed out"
    except Exception as exc:
        log_failure(log, "readiness check failed", exc, level=logging.WARNING)
        return "failing"


async def _database_answers(application: BotApplication) -> str:
    async with services_of(application).engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    return "ok"


async def _migrations_current(application: BotApplication, head: str) -> str:
    current = await current_revision(services_of(application).engine)
    return "ok" if current == head else f"at {current}, code expects {head}"


async def _bot_api_recent(application: BotApplication) -> str:
    metrics = services_of(application).metrics
    if not metrics.bot_api_seen_within(BOT_API_FRESH):
        # Answered or not, the request layer records it (so at most one getMe per
        # BOT_API_FRESH while Telegram answers, however often /readyz is asked).
        with contextlib.suppress(TelegramError):
            await application.bot.get_me()
    return "ok" if metrics.bot_api_seen_within(BOT_API_FRESH) else "no answer"
