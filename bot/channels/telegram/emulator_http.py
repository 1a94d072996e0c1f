"""The in-process Bot API emulator served over HTTP, answering like api.telegram.org.

A bot that talks real HTTP (``desmigratif run``, any python-telegram-bot application) can
run unchanged against a :class:`~bot.channels.telegram.emulator.BotAPIEmulator` living in
this process: set its base URL to what :func:`serve_emulator` yields
(``TELEGRAM_API_BASE_URL``). Requests ``POST``/``GET /bot<token>/<method>`` are parsed
the way the Bot API reads them (form-urlencoded, multipart/form-data or JSON) and handed
to :meth:`BotAPIEmulator.call`; the JSON body and status code come back unchanged, after an
injected round-trip time so that latency measurements see Telegram's distance.

    python -m bot.channels.telegram.emulator_http --port 8081 --rtt-ms 100

serves an emulator for manual use (``/_emulator/...`` lets you play the user: see
:func:`create_app`). The server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email.parser
import email.policy
import json
import signal
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram.error import TimedOut

from bot.channels.telegram.emulator import BotAPIEmulator
from bot.http_server import serve_asgi

HOST = "127.0.0.1"
# Parameters the Bot API types as String: kept as sent, never JSON-decoded (a message
# "123" or "[1]" is text). Everything else is tried as JSON (numbers, booleans, objects).
TEXT_PARAMETERS = frozenset(
    {
        "action",
        "address",
        "animation",
        "audio",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "custom_title",
        "description",
        "document",
        "emoji",
        "explanation",
        "first_name",
        "inline_message_id",
        "language_code",
        "last_name",
        "message_effect_id",
        "name",
        "parse_mode",
        "phone_number",
        "photo",
        "question",
        "short_description",
        "sticker",
        "text",
        "thumbnail",
        "title",
        "url",
        "video",
        "video_note",
        "voice",
    }
)
UNAUTHORIZED = {"ok": False, "error_code": 401, "description": "Unauthorized"}
NOT_FOUND = {"ok": False, "error_code": 404, "description": "Not Found"}


def decode(name: str, value: str) -> Any:
    """One form value as the emulator reads parameters: JSON where the Bot API expects a
    number, boolean, object or array (PTB JSON-encodes those), else the string."""
    if name in TEXT_PARAMETERS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def parameters(request: Request) -> dict[str, Any]:
    """The request's parameters, as ``RequestData.parameters`` holds them in-process."""
    fields: list[tuple[str, str]] = list(request.query_params.multi_items())
    body = await request.body()
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json") and body:
        payload = json.loads(body)
        return {**{name: decode(name, value) for name, value in fields}, **payload}
    if kind.startswith("application/x-www-form-urlencoded"):
        fields += parse_qsl(body.decode(), keep_blank_values=True)
    elif kind.startswith("multipart/form-data"):
        fields += list(_multipart(kind, body))
    return {name: decode(name, value) for name, value in fields}


def _multipart(content_type: str, body: bytes) -> Iterator[tuple[str, str]]:
    """Form fields of a multipart body; an uploaded file is named, as in-process
    (``upload:<filename>``), not carried. The standard library parses it, so the server
    needs no python-multipart."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        filename = part.get_filename()
        if filename is not None:
            yield name, f"upload:{filename}"
        else:
            content = part.get_payload(decode=True)
            yield name, content.decode() if isinstance(content, bytes) else ""


def create_app(
    emulator: BotAPIEmulator,
    *,
    rtt_ms: float = 0.0,
    token: str | None = None,
    hang_s: float = 30.0,
) -> Starlette:
    """The Bot API over ``emulator``.

    ``rtt_ms``: every answer waits that long (getUpdates: after its long poll).
    ``token``: answer 401 to any other token (default: any token is fine).
    ``hang_s``: an injected time-out answers 504 only after this long, so the client's
    own read time-out fires first, as with a real hang.

    The user's side, for manual use: ``POST /_emulator/say`` and ``/_emulator/tap`` with
    JSON ``{"user_id": 1, "text": "/start"}`` or ``{"user_id": 1, "data": "ob:lang:id"}``
    push an update; ``GET /_emulator/chat/<id>`` shows what that chat sees.
    """
    rtt = rtt_ms / 1000

    async def bot_api(request: Request) -> Response:
        if token is not None and request.path_params["token"] != token:
            await asyncio.sleep(rtt)
            return JSONResponse(UNAUTHORIZED, status_code=401)
        params = await parameters(request)
        try:
            status, body = await emulator.call(request.path_params["method"], params)
        except TimedOut:
            await asyncio.sleep(hang_s)
            status = 504
            body = json.dumps(
                {"ok": False, "error_code": 504, "description": "Gateway Timeout"}
            ).encode()
        await asyncio.sleep(rtt)
        return Response(body, status_code=status, media_type="application/json")

    async def say(request: Request) -> Response:
        given = await request.json()
        update = emulator.message_update(int(given["user_id"]), str(given["text"]))
        return JSONResponse({"update_id": emulator.push(update)})

    async def tap(request: Request) -> Response:
        given = await request.json()
        user_id, data = int(given["user_id"]), str(given["data"])
        message = next(
            (
                message
                for message in reversed(emulator.bot_messages(user_id))
                if any(button.callback_data == data for row in message.buttons for button in row)
            ),
            None,
        )
        if message is None:
            return JSONResponse({"error": f"no button {data!r} in chat {user_id}"}, 404)
        update = emulator.callback_update(user_id, message.message_id, data)
        return JSONResponse({"update_id": emulator.push(update)})

    async def chat(request: Request) -> Response:
        chat_id = int(request.path_params["chat_id"])
        return JSONResponse(
            [
                {
                    "message_id": message.message_id,
                    "from_bot": message.from_bot,
                    "text": message.text,
                    "buttons": [
                        [[button.text, button.callback_data or button.url] for button in row]
                        for row in message.buttons
                    ],
                }
                for message in emulator.history(chat_id)
            ]
        )

    async def not_found(request: Request) -> Response:
        return JSONResponse(NOT_FOUND, status_code=404)

    return Starlette(
        routes=[
            Route("/bot{token}/{method}", bot_api, methods=["GET", "POST"]),
            Route("/_emulator/say", say, methods=["POST"]),
            Route("/_emulator/tap", tap, methods=["POST"]),
            Route("/_emulator/chat/{chat_id:int}", chat, methods=["GET"]),
            Route("/{path:path}", not_found, methods=["GET", "POST"]),
        ]
    )


@contextlib.asynccontextmanager
async def serve_emulator(
    emulator: BotAPIEmulator,
    *,
    rtt_ms: float = 0.0,
    port: int = 0,
    token: str | None = None,
) -> AsyncIterator[str]:
    """Serve ``emulator`` on 127.0.0.1:``port`` (0: a free port) in the running event
    loop; yields the base URL for the bot (``http://127.0.0.1:PORT/bot``: PTB appends
    the token, then ``/<method>``)."""
    app = create_app(emulator, rtt_ms=rtt_ms, token=token)
    # A waiting long poll would hold the shutdown: end it when the server stops.
    async with serve_asgi(app, HOST, port, on_stop=emulator.release_polls) as bound:
        yield f"http://{HOST}:{bound}/bot"


async def _serve_forever(port: int, rtt_ms: float) -> None:
    emulator = BotAPIEmulator(record_calls=False)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with serve_emulator(emulator, rtt_ms=rtt_ms, port=port) as base_url:
        print(f"Bot API emulator on {base_url} (rtt {rtt_ms:g} ms); Ctrl-C stops it.")
        print(f"  TELEGRAM_API_BASE_URL={base_url}")
        say = json.dumps({"user_id": 1, "text": "/start"})
        root = base_url.removesuffix("/bot")
        print(f"  play the user: curl -d '{say}' {root}/_emulator/say")
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.channels.telegram.emulator_http", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--port", type=int, default=8081, help="on 127.0.0.1 (0: any free)")
    parser.add_argument("--rtt-ms", type=float, default=0.0, help="delay on every answer")
    args = parser.parse_args(argv)
    asyncio.run(_serve_forever(args.port, args.rtt_ms))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
