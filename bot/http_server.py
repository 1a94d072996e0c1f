"""An ASGI app served by uvicorn inside the running event loop (the bot's, or the
emulator's): the host process owns the signals and the logging."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import uvicorn


class _EmbeddedServer(uvicorn.Server):
    """uvicorn would catch SIGTERM/SIGINT for itself and raise them again once it has
    stopped; here the host decides when to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def parse_listen(listen: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:8080`` for IPv6) → ``(host, port)``; ValueError if not."""
    host, sep, port = listen.rpartition(":")
    if not sep or not host or not port.isascii() or not port.isdigit():
        raise ValueError("must be host:port, e.g. 127.0.0.1:8080")
    number = int(port)
    if number > 65535:
        raise ValueError("the port must be 0-65535")
    return host.strip("[]"), number


@contextlib.asynccontextmanager
async def serve_asgi(
    app: Any,
    host: str,
    port: int,
    *,
    on_stop: Callable[[], None] | None = None,
) -> AsyncIterator[int]:
    """Serve ``app`` on ``host:port`` (0: a free port) while the block runs; yields the
    bound port. ``on_stop`` runs when the block ends, before the server waits for open
    requests (e.g. to end a long poll that would hold the shutdown)."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,  # leave the host's logging alone
        log_level="warning",
        access_log=False,  # request lines carry paths and addresses, not wanted in logs
        lifespan="off",
        ws="none",
        timeout_graceful_shutdown=2,
    )
    server = _EmbeddedServer(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            # uvicorn exits (SystemExit) when it cannot bind, e.g. the port is taken.
            with contextlib.suppress(SystemExit):
                task.result()
            raise OSError(f"could not listen on {host}:{port}")
        await asyncio.sleep(0.01)
    bound = int(server.servers[0].sockets[0].getsockname()[1])
    try:
        yield bound
    finally:
        server.should_exit = True
        if on_stop is not None:
            on_stop()
        await task
