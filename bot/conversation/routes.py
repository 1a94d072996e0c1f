"""Which dialog answers an event: each conversation module lists its routes (a command, a
pattern of choice ids, or one of the fallbacks), and a :class:`Router` picks the first
that fits, in the order the modules are registered.

The rules are those the Telegram bot always had: a tapped choice goes to the first route
whose pattern matches its id (the id is forged or stale when none does); in a private
chat a known command is answered even when the message was edited; otherwise an edited
message, an unknown command, a text and anything else each have their fallback.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from bot.conversation.event import Event
from bot.conversation.turn import Turn

Handler = Callable[[Event, Turn], Awaitable[None]]
Fallback = Literal["edited", "unknown_command", "text", "other", "any_choice"]


@dataclass(frozen=True)
class Route:
    handler: Handler
    command: str | None = None
    pattern: re.Pattern[str] | None = None
    fallback: Fallback | None = None


def command(name: str, handler: Handler) -> Route:
    """``/name`` typed in a private chat."""
    return Route(handler, command=name.lower())


def choice(pattern: str, handler: Handler) -> Route:
    """A tapped choice whose id matches ``pattern`` from its start."""
    return Route(handler, pattern=re.compile(pattern))


def fallback(kind: Fallback, handler: Handler) -> Route:
    """What no other route took: ``edited`` (a message edited afterwards),
    ``unknown_command``, ``text``, ``other`` (a file, a sticker, …), ``any_choice``."""
    return Route(handler, fallback=kind)


class Router:
    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = tuple(routes)
        self._commands: dict[str, Handler] = {}
        for route in self.routes:
            if route.command is not None:
                self._commands.setdefault(route.command, route.handler)
        self._choices = [route for route in self.routes if route.pattern is not None]
        self._fallbacks: dict[Fallback, Handler] = {}
        for route in self.routes:
            if route.fallback is not None:
                self._fallbacks.setdefault(route.fallback, route.handler)

    @property
    def commands(self) -> frozenset[str]:
        """The commands some route answers (any other is unknown)."""
        return frozenset(self._commands)

    def route(self, event: Event) -> Handler | None:
        """The handler of ``event``, or None when nothing answers it (e.g. text in a
        group chat)."""
        if event.pressed is not None:
            for route in self._choices:
                assert route.pattern is not None
                if route.pattern.match(event.choice):
                    return route.handler
            return self._fallbacks.get("any_choice")
        if not event.private:
            return None
        if event.command is not None and event.command in self._commands:
            return self._commands[event.command]
        if event.edited:
            return self._fallbacks.get("edited")
        if event.command is not None:
            return self._fallbacks.get("unknown_command")
        if event.text is not None:
            return self._fallbacks.get("text")
        return self._fallbacks.get("other")
