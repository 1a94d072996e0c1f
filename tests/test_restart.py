"""Dialog state lives in the database: a new process continues where the old one stopped."""

from __future__ import annotations

import pytest

from bot.app import build_application
from bot.simulator import Person
from storage.models import User
from tests.people import row_of
from tests.transcript import choose_language, label, sees


async def fresh_app(settings, emulator, clock):
    app = build_application(settings, request=emulator, clock=clock)
    await app.initialize()
    return app


@pytest.mark.parametrize("stop_after", [1, 2, 3, 4])
async def test_restart_at_every_onboarding_step(settings, emulator, clock, db, stop_after):
    """Kill the app after ``stop_after`` steps; a new app finishes the onboarding."""
    steps = [
        lambda p: p.say("/start"),
        lambda p: choose_language(p, "Basa Jawa"),
        lambda p: p.tap(label("jv", "role", "Working abroad now")),
        lambda p: p.tap(label("jv", "button", "Another village…")),
        lambda p: p.say("Pejagoan"),
        lambda p: p.tap(label("jv", "button", "I agree")),
    ]
    app = await fresh_app(settings, emulator, clock)
    for act in steps[:stop_after]:
        await act(Person(app, emulator, 501))
    await app.shutdown()  # the process is gone; nothing is flushed at shutdown

    app = await fresh_app(settings, emulator, clock)
    person = Person(app, emulator, 501)
    for act in steps[stop_after:]:
        await act(person)
    await app.shutdown()
    stored = await row_of(db, User, 501)
    assert (stored.locale, stored.role, stored.other_village, stored.consent) == (
        "jv",
        "abroad",
        "Pejagoan",
        "given",
    )


async def test_restart_then_unexpected_input_asks_the_same_question(settings, emulator, clock):
    app = await fresh_app(settings, emulator, clock)
    p = Person(app, emulator, 502)
    await p.say("/start")
    await choose_language(p, "Bahasa Indonesia")
    await app.shutdown()
    app = await fresh_app(settings, emulator, clock)
    reply = await Person(app, emulator, 502).send("voice")
    sees(reply, "id", "Which of these describes you?")
    await app.shutdown()
