"""Two bot processes on one PostgreSQL, fed alternate updates of one user, act as one."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import build_application
from bot.simulator import Person
from storage.models import User
from tests.conftest import POSTGRES_URL
from tests.people import person as known
from tests.people import row_of
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
    stored = await row_of(db, User, 601)
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
    stored = await row_of(db, User, 602)
    assert stored.step == "village"
    assert stored.dialog_data["role"] in ("family", "abroad")


async def test_two_officers_claiming_at_once_on_two_processes(settings, emulator, clock, db):
    """The case row is locked while a claim is checked: exactly one officer gets it."""
    from sqlalchemy import select

    from storage.models import HelpEvent, HelpRequest
    from tests.announcing import officer, villager
    from tests.helping import ask_for_help

    first = build_application(settings, request=emulator, clock=clock)
    second = build_application(settings, request=emulator, clock=clock)
    async with first, second:
        await officer(first, lambda *a, **k: Person(first, emulator, *a, **k), 611, "jogosimo")
        await officer(first, lambda *a, **k: Person(first, emulator, *a, **k), 612, "jogosimo")
        requester = await villager(lambda *a, **k: Person(first, emulator, *a, **k), 613)
        await ask_for_help(requester)
        db.expire_all()
        case = await db.scalar(select(HelpRequest))
        await asyncio.gather(
            Person(first, emulator, 611).press(f"cs:claim:{case.id}"),
            Person(second, emulator, 612).press(f"cs:claim:{case.id}"),
        )
    db.expire_all()
    case = await db.scalar(select(HelpRequest))
    claims = (await db.scalars(select(HelpEvent).where(HelpEvent.action == "status"))).all()
    assert case.status == "claimed"
    assert case.assigned_officer_id in (await known(db, 611), await known(db, 612))
    assert [event.actor_id for event in claims] == [case.assigned_officer_id]
