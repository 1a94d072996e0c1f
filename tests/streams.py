"""Random streams of what people send, for the reliability suite (issue 15).

A stream is played in rounds: in each round every person does one thing (types a text,
taps a button of the screen they see, taps an old or forged button, sends a photo, edits a
message, writes in a group, blocks or unblocks the bot), all posted to the webhook at
once, as many people do at the same instant. What they do is drawn by hypothesis; which
button a "tap" presses is read from what the person sees at that moment.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.channels.telegram.emulator import BotAPIEmulator, ChatMessage
from bot.content.checklist import Checklist
from storage.models import (
    ChecklistMark,
    Delivery,
    HelpEvent,
    HelpRequest,
    InboxUpdate,
    User,
)

GROUP = -1_009_000_000_001
TEXTS = [
    "/start",
    "/menu",
    "/tolong",
    "/kuis",
    "/cek",
    "/dataku",
    "/batal",
    "/bahasa",
    "/help",
    "/tidakada",  # an unknown command
    "/start kuis",
    "/start 99999999999999999999",
    "menu",
    "tolong anak saya hilang di Malaysia",
    "majikan memukul adik saya sekarang",
    "nyuwun tulung, anak kula boten wonten kabar",
    "terima kasih",
    "halo",
    "berhenti",
    "12/05/2027",
    "besok jam 9 WITA",
    "<3 & <b>",
    "</b> alone",
    "👨‍👩‍👧 🇮🇩🙏🏽",
    "\u202eabc\u200f",
    "x" * 5000,
    "😀" * 2100,
    "   ",
    "0812 3456 7890",
    "Kulå nyuwun pitulungan",
]
MEDIA = ["sticker", "photo", "voice", "location", "contact", "document", "video"]
KINDS = ["text", "tap", "tap", "tap", "old", "forged", "media", "edit", "group", "block"]


@dataclass
class Sent:
    """One update of a round, and what must follow from it."""

    user_id: int
    kind: str
    payload: dict[str, Any]
    before: dict[int, int] = field(default_factory=dict)  # the chat's edit counts


def _buttons(message: ChatMessage) -> list[str]:
    return [b.callback_data for row in message.buttons for b in row if b.callback_data]


def _screens(emulator: BotAPIEmulator, user_id: int) -> list[ChatMessage]:
    return [m for m in emulator.bot_messages(user_id) if _buttons(m) and not m.deleted]


def draw_update(
    data: st.DataObject, emulator: BotAPIEmulator, user_id: int, blocked: set[int]
) -> Sent | None:
    """One person's next action as an update (None: nothing to do this round)."""
    if user_id in blocked:  # a person who blocked the bot unblocks before anything else
        blocked.discard(user_id)
        return Sent(user_id, "unblock", emulator.member_update(user_id, "member"))
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    screens = _screens(emulator, user_id)
    if kind in ("tap", "old") and not screens:
        kind = "text"
    if kind == "text":
        text = data.draw(st.sampled_from(TEXTS) | st.text(min_size=1, max_size=50), label="text")
        if not text.strip("\x00"):
            text = "halo"
        return Sent(user_id, kind, emulator.message_update(user_id, text.replace("\x00", "")))
    if kind == "tap":
        screen = screens[-1]
        choice = data.draw(st.sampled_from(_buttons(screen)), label="button")
        return Sent(user_id, kind, emulator.callback_update(user_id, screen.message_id, choice))
    if kind == "old":
        screen = data.draw(st.sampled_from(screens), label="old screen")
        choice = data.draw(st.sampled_from(_buttons(screen)), label="old button")
        return Sent(user_id, kind, emulator.callback_update(user_id, screen.message_id, choice))
    if kind == "forged":
        forged = data.draw(
            st.sampled_from(["cs:v:999999", "qz:a:1:99:z", "ob:lang:xx", "hr:back:nowhere"])
            | st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20),
            label="forged",
        )
        target = screens[-1].message_id if screens else 1
        return Sent(user_id, kind, emulator.callback_update(user_id, target, forged))
    if kind == "media":
        media = data.draw(st.sampled_from(MEDIA), label="media")
        return Sent(user_id, kind, emulator.media_update(user_id, media))  # type: ignore[arg-type]
    if kind == "edit":
        mine = [m for m in emulator.history(user_id) if not m.from_bot]
        if not mine:
            return Sent(user_id, "text", emulator.message_update(user_id, "/start"))
        update = emulator.edited_message_update(user_id, mine[-1].message_id, "diubah")
        return Sent(user_id, kind, update)
    if kind == "group":
        text = data.draw(st.sampled_from(["/start", "/tolong", "halo", "/menu@DesmigratifBot"]))
        update = emulator.message_update(user_id, text, chat_id=GROUP, chat_type="group")
        return Sent(user_id, kind, update)
    blocked.add(user_id)
    return Sent(user_id, "block", emulator.member_update(user_id, "kicked"))


async def post_round(client: httpx.AsyncClient, sent: list[Sent], secret: str) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret, "content-type": "application/json"}
    answers = await asyncio.gather(
        *(
            client.post("/telegram", content=json.dumps(s.payload).encode(), headers=headers)
            for s in sent
        )
    )
    assert [a.status_code for a in answers] == [200] * len(sent)


def unanswered(emulator: BotAPIEmulator, sent: list[Sent]) -> list[tuple[int, str]]:
    """The private messages and taps of a round that got no answer at all."""
    missing = []
    for s in sent:
        if s.kind in ("tap", "old", "forged"):
            query = s.payload["callback_query"]["id"]
            if emulator.callback_answers.get(query) is None:
                missing.append((s.user_id, s.kind))
        elif s.kind in ("text", "media"):
            now = {m.message_id: m.edits for m in emulator.bot_messages(s.user_id)}
            if now == s.before:
                missing.append((s.user_id, s.kind))
    return missing


def case_histories_hold(cases: list[HelpRequest], events: list[HelpEvent]) -> Iterator[str]:
    """Each case's status is what its events, replayed from "created", lead to."""
    by_case: dict[int, list[HelpEvent]] = {}
    for event in sorted(events, key=lambda e: e.id):
        by_case.setdefault(event.request_id, []).append(event)
    for case in cases:
        history = by_case.get(case.id, [])
        if not history or history[0].action != "created":
            yield f"case {case.id} has no creation event"
            continue
        status = "new"
        for event in history[1:]:
            if event.action == "status":
                if event.detail.get("before") != status:
                    yield f"case {case.id}: {event.detail} after {status}"
                status = event.detail["after"]
            elif event.action == "reopened":
                status = "in_progress"
        if status != case.status:
            yield f"case {case.id} is {case.status}, its history says {status}"


async def broken_invariants(session: Any, checklist: Checklist) -> list[str]:
    """What must hold in the database whatever people sent."""
    problems: list[str] = []
    users = set((await session.scalars(select(User.person_id))).all())
    items = set(checklist.items)
    for mark in (await session.scalars(select(ChecklistMark))).all():
        if mark.person_id not in users or mark.item_id not in items:
            problems.append(f"orphan checklist mark {mark.person_id}/{mark.item_id}")
    cases = list((await session.scalars(select(HelpRequest))).all())
    events = list((await session.scalars(select(HelpEvent))).all())
    problems.extend(case_histories_hold(cases, events))
    for delivery in (await session.scalars(select(Delivery))).all():
        sent = delivery.status == "sent"
        if sent != (delivery.sent_at is not None) or (sent and delivery.message_id is None):
            problems.append(
                f"delivery {delivery.id} {delivery.status}, sent at {delivery.sent_at}"
            )
    open_rows = await session.scalar(
        select(func.count()).where(InboxUpdate.status.not_in(("done",)))
    )
    if open_rows:
        problems.append(f"{open_rows} inbox rows not done")
    return problems


async def drained(app: Any, expected: int) -> None:
    """Wait until the ``expected`` stored updates are all finished (done or failed)."""
    from bot.context import services_of

    services = services_of(app)
    assert services.inbox is not None
    finished = 0
    for _ in range(6000):
        await services.inbox.flush()
        async with services.sessions() as session:
            finished = await session.scalar(
                select(func.count()).where(InboxUpdate.status.in_(("done", "failed")))
            )
        if finished == expected:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{finished} of {expected} updates finished")


@dataclass
class Played:
    kinds: dict[str, int] = field(default_factory=dict)
    updates: int = 0
    unanswered: list[tuple[int, str]] = field(default_factory=list)


async def play_rounds(
    app: Any,
    emulator: BotAPIEmulator,
    client: httpx.AsyncClient,
    data: st.DataObject,
    people: list[int],
    rounds: int,
    secret: str,
) -> Played:
    """Play ``rounds`` rounds: everyone acts at once, the bot finishes them all, then
    what went unanswered in the round is noted."""
    played = Played()
    blocked: set[int] = set()
    for _ in range(rounds):
        sent: list[Sent] = []
        for user_id in people:
            update = draw_update(data, emulator, user_id, blocked)
            if update is None:
                continue
            update.before = {m.message_id: m.edits for m in emulator.bot_messages(user_id)}
            sent.append(update)
            played.kinds[update.kind] = played.kinds.get(update.kind, 0) + 1
        await post_round(client, sent, secret)
        played.updates += len(sent)
        await drained(app, played.updates)
        played.unanswered += unanswered(emulator, sent)
    return played


def error_replies(emulator: BotAPIEmulator) -> list[str]:
    """Every message in which the bot said it failed ("Sorry, something went wrong")."""
    from tests.transcript import full_message, tr

    source = full_message("Sorry, something went wrong on our side")
    errors = {tr(locale, source).split(",")[0] for locale in ("id", "jv", "en")}
    return [
        message.text
        for chat in emulator.chats
        for message in emulator.bot_messages(chat)
        if any(error in message.text for error in errors)
    ]
