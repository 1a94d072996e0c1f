"""Two bot processes on one PostgreSQL, fed alternate updates of one user, act as one."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import build_application
from bot.simulator import Person
from storage.models import User
from tests.conftest import POSTGRES_URL
from tests.transcript import choose_language, label

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")


async def test_alternate_updates(settings, emulator, clock, db):
    first = build_application(settings, request=emulator, clock=clock)
    second = build_application(settings, request=emulator, clock=clock)
    async with first, second:
        a, b = Person(first, emulator, 601), Person(second, emulator, 601)
        await a.say("/start")
        await choose_language(b, "Basa Jawa")
        await a.tap(label("jv", "role", "Planning to work abroad"))
        await b.tap("Candirenggo (Ayah)")
        reply = await a.tap(label("jv", "button", "I agree"))
        assert label("jv", "menu", "👤 My profile") in reply.buttons
    stored = await db.get(User, 601)
    assert (stored.locale, stored.role, stored.village_id, stored.consent) == (
        "jv",
        "prospective",
        "candirenggo",
        "given",
    )


async def test_concurrent_updates_of_one_user_are_serialised(settings, emulator, clock, db):
    """Both apps handle the same user at the same moment; the row lock orders them."""
    first = build_application(settings, request=emulator, clock=clock)
    second = build_application(settings, request=emulator, clock=clock)
    async with first, second:
        a, b = Person(first, emulator, 602), Person(second, emulator, 602)
        await a.say("/start")
        await choose_language(a, "Bahasa Indonesia")
        role_message = a.last_with_buttons().message_id
        # Two different role taps race; exactly one wins, the other finds the step moved on.
        await asyncio.gather(
            a.press("ob:role:family", role_message), b.press("ob:role:abroad", role_message)
        )
    db.expire_all()
    stored = await db.get(User, 602)
    assert stored.step == "village"
    assert stored.dialog_data["role"] in ("family", "abroad")
