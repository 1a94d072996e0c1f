"""``desmigratif chat``: the real application on the emulator, in the terminal.

:class:`Person` is a user talking to the bot: ``say`` a text, ``tap`` a button by its label,
``send`` a sticker; each returns what the user saw change. Tests, benchmarks and the
terminal chat all drive the bot through it.

Script lines (``--script FILE``): text or ``/command`` sends a message; ``[Label]`` presses
the button with that label on the last message with buttons (case-insensitive); ``:user ID``
acts as another user from now on; ``:advance 3d`` moves the clock and runs due work;
``:clock 01-12-2026 09:00`` sets the clock (WIB) so that a script's dates always work;
``<sticker>`` (also ``<photo>``, ``<voice>``, ``<location>``, ``<contact>``, ``<document>``,
``<video>``) sends that kind of message; ``:edit TEXT`` edits the user's last message;
``:say TEXT`` sends TEXT exactly as typed (a line of digits alone presses that button, so
``:say 2027`` types a year); ``#`` starts a comment. Transcript: ``> `` the user, ``< `` the
bot, ``  [1] Label`` buttons.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TextIO
from zoneinfo import ZoneInfo

from telegram import Update

from bot.app import BotApplication, build_application
from bot.channels.telegram.emulator import BotAPIEmulator, ChatMessage
from bot.clock import ManualClock, parse_duration
from bot.config import Settings
from bot.delivery.engine import engine_of
from bot.scheduler import run_due

MediaKind = Literal["sticker", "photo", "voice", "location", "contact", "document", "video"]
MEDIA_KINDS = ("sticker", "photo", "voice", "location", "contact", "document", "video")


@dataclass
class Seen:
    """A bot message as it looks after the action: new, or edited in place."""

    message_id: int
    text: str
    buttons: list[str]
    edited: bool


@dataclass
class Reply:
    """Everything the user saw change after one action."""

    messages: list[Seen] = field(default_factory=list)
    toast: str | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(message.text for message in self.messages)

    @property
    def buttons(self) -> list[str]:
        for message in reversed(self.messages):
            if message.buttons:
                return message.buttons
        return []

    def __contains__(self, fragment: str) -> bool:
        return fragment in self.text or (self.toast is not None and fragment in self.toast)


class NoSuchButton(LookupError):
    pass


class Person:
    """One Telegram user in a private chat (or a group, with ``chat_id``)."""

    def __init__(
        self,
        app: BotApplication,
        emulator: BotAPIEmulator,
        user_id: int,
        *,
        language_code: str | None = "id",
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> None:
        self.app = app
        self.emulator = emulator
        self.user_id = user_id
        self.language_code = language_code
        self.chat_id = chat_id or user_id
        self.chat_type = chat_type

    def snapshot(self) -> dict[int, int]:
        """Edit counts of the bot's messages in this chat, to see later what changed."""
        return {m.message_id: m.edits for m in self.emulator.bot_messages(self.chat_id)}

    def changes_since(self, before: dict[int, int]) -> list[Seen]:
        changed = []
        for message in self.emulator.bot_messages(self.chat_id):
            edits = before.get(message.message_id)
            if edits is None or edits != message.edits:
                changed.append(
                    Seen(
                        message.message_id,
                        message.text,
                        message.button_labels(),
                        edits is not None,
                    )
                )
        return changed

    async def _feed(self, payload: dict[str, Any]) -> Reply:
        before = self.snapshot()
        await self.app.process_update(Update.de_json(payload, self.app.bot))
        reply = Reply(self.changes_since(before))
        answer = self.emulator.answer_to(payload)
        if answer and answer.get("text"):
            reply.toast = answer["text"]
        return reply

    async def say(self, text: str) -> Reply:
        return await self._feed(
            self.emulator.message_update(
                self.user_id,
                text,
                chat_id=self.chat_id,
                chat_type=self.chat_type,
                language_code=self.language_code,
            )
        )

    async def send(
        self,
        kind: Literal["sticker", "photo", "voice", "location", "contact", "document", "video"],
    ) -> Reply:
        return await self._feed(
            self.emulator.media_update(
                self.user_id,
                kind,
                chat_id=self.chat_id,
                chat_type=self.chat_type,
                language_code=self.language_code,
            )
        )

    async def edit_last(self, text: str) -> Reply:
        mine = [m for m in self.emulator.history(self.chat_id) if not m.from_bot]
        if not mine:
            raise LookupError("no message of the user to edit")
        return await self._feed(
            self.emulator.edited_message_update(
                self.user_id, mine[-1].message_id, text, language_code=self.language_code
            )
        )

    def last_with_buttons(self) -> ChatMessage:
        message = self.emulator.last_with_buttons(self.chat_id)
        if message is None:
            raise NoSuchButton("no message with buttons in this chat")
        return message

    async def tap(self, label: str) -> Reply:
        """Press the button labelled ``label`` on the last message that has buttons."""
        message = self.last_with_buttons()
        button = message.find_button(label)
        if button is None or button.callback_data is None:
            raise NoSuchButton(f"no button {label!r}; buttons: {message.button_labels()}")
        return await self.press(button.callback_data, message.message_id)

    async def press(self, data: str, message_id: int | None = None) -> Reply:
        """Press a button with arbitrary ``data`` (stale or forged buttons too)."""
        if message_id is None:
            sent = self.emulator.bot_messages(self.chat_id)
            target = self.emulator.last_with_buttons(self.chat_id) or (sent[-1] if sent else None)
            if target is None:
                raise NoSuchButton("the bot has not sent anything to press on")
            message_id = target.message_id
        return await self._feed(
            self.emulator.callback_update(
                self.user_id,
                message_id,
                data,
                chat_id=self.chat_id,
                language_code=self.language_code,
            )
        )

    async def block(self) -> None:
        await self._feed(self.emulator.member_update(self.user_id, "kicked"))

    async def unblock(self) -> None:
        await self._feed(self.emulator.member_update(self.user_id, "member"))


# --- the terminal chat -----------------------------------------------------------------


def render(reply: Reply) -> list[str]:
    lines: list[str] = []
    if reply.toast:
        lines.append(f"< ({reply.toast})")
    for message in reply.messages:
        prefix = "< (edited) " if message.edited else "< "
        body = message.text.splitlines() or [""]
        lines.append(prefix + body[0])
        lines += ["  " + line for line in body[1:]]
        lines += [f"  [{number}] {label}" for number, label in enumerate(message.buttons, 1)]
    return lines


class Simulator:
    """Runs script lines (or typed lines) against one application and prints the transcript."""

    def __init__(
        self,
        app: BotApplication,
        emulator: BotAPIEmulator,
        clock: ManualClock,
        *,
        user_id: int,
        language_code: str | None,
        out: TextIO | None = None,
    ) -> None:
        self.app, self.emulator, self.clock = app, emulator, clock
        self.out = out or sys.stdout
        self.language_code = language_code
        self.person = Person(app, emulator, user_id, language_code=language_code)
        self.failures = 0
        # What each person's chat looked like when we left it: switching back shows what
        # arrived meanwhile (an officer's notification, a reply relayed by the bot).
        self.left: dict[int, dict[int, int]] = {}

    def print(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    async def run_line(self, raw: str, *, echo: bool = True) -> None:
        line = raw.strip()
        if not line or line.startswith("#"):
            if echo and line:
                self.print(line)
            return
        if echo:
            self.print(f"> {line}")
        try:
            reply = await self._act(line)
        except (NoSuchButton, ValueError) as exc:
            self.failures += 1
            self.print(f"! {exc}")
            return
        if reply is not None:
            for out_line in render(reply):
                self.print(out_line)
        # Like the live bot's sweep, which runs every second: deliver what is due now.
        # A person takes more than a second per line, so the per-chat pacing has passed.
        engine_of(self.app).pacer.forget_chats()
        before = self.person.snapshot()
        if await run_due(self.app):
            for out_line in render(Reply(self.person.changes_since(before))):
                self.print(out_line)

    async def _act(self, line: str) -> Reply | None:
        if line.startswith(":user "):
            self.left[self.person.chat_id] = self.person.snapshot()
            self.person = Person(
                self.app, self.emulator, int(line.split()[1]), language_code=self.language_code
            )
            return Reply(self.person.changes_since(self.left.get(self.person.chat_id, {})))
        if line.startswith(":clock "):
            from bot.services.when import PATTERN, ZONES

            match = PATTERN.match(line.split(maxsplit=1)[1])
            if match is None:
                raise ValueError("use :clock DD-MM-YYYY HH:MM (WIB)")
            day, month, year, hour, minute, zone = match.groups()
            tz = ZoneInfo(ZONES[(zone or "WIB").upper()])
            self.clock.set(
                datetime(int(year), int(month), int(day), int(hour), int(minute), tzinfo=tz)
            )
            self.print(f"  (clock: {self.clock.now():%Y-%m-%d %H:%M} UTC)")
            return None
        if line.startswith(":advance "):
            before = self.person.snapshot()
            self.clock.advance(parse_duration(line.split(maxsplit=1)[1]))
            handled = await run_due(self.app)
            self.print(
                f"  (clock: {self.clock.now():%Y-%m-%d %H:%M} UTC; {handled} due item(s) run)"
            )
            return Reply(self.person.changes_since(before))
        if line.startswith("[") and line.endswith("]"):
            label = line[1:-1]
            if label.isdigit():
                message = self.person.last_with_buttons()
                labels = message.button_labels()
                index = int(label) - 1
                if not 0 <= index < len(labels):
                    raise NoSuchButton(f"no button number {label}")
                label = labels[index]
            return await self.person.tap(label)
        if line.startswith("<") and line.endswith(">") and line[1:-1] in MEDIA_KINDS:
            return await self.person.send(line[1:-1])  # type: ignore[arg-type]
        if line.startswith(":edit "):
            return await self.person.edit_last(line.split(maxsplit=1)[1])
        if line.startswith(":say "):
            return await self.person.say(line.split(maxsplit=1)[1])
        if line.isdigit() and self.emulator.last_with_buttons(self.person.chat_id):
            return await self._act(f"[{line}]")
        return await self.person.say(line)


async def chat(
    settings: Settings,
    *,
    user_id: int,
    language_code: str | None,
    script: TextIO | None,
    out: TextIO | None = None,
    input_func: Callable[[str], str] = input,
) -> int:
    """Run the local chat; with ``script`` replay it and return the number of failed steps."""
    out = out or sys.stdout
    if script is not None:  # replayed far faster than anyone types: not a flood
        settings = settings.model_copy(update={"rate_limit_updates": 0})
    emulator = BotAPIEmulator()
    clock = ManualClock()
    app = build_application(settings, request=emulator, clock=clock)
    simulator = Simulator(
        app, emulator, clock, user_id=user_id, language_code=language_code, out=out
    )
    async with app:
        if script is not None:
            for raw in script:
                await simulator.run_line(raw)
            return simulator.failures
        print(
            "Local chat with the Desmigratif bot (emulated Telegram). Type a message or /start;"
            " a number or [Label] presses a button; :say TEXT sends TEXT as typed (:say 2027);"
            " <sticker> sends a sticker; :user ID switches user; :advance 1d moves time;"
            " Ctrl-D quits.",
            file=out,
        )
        loop = asyncio.get_running_loop()
        while True:
            try:
                line = await loop.run_in_executor(None, input_func, "> ")
            except (EOFError, KeyboardInterrupt):
                print(file=out)
                return 0
            await simulator.run_line(line, echo=False)
