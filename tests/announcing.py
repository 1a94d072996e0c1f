"""Helpers for announcement tests: villagers, officers, and the officer dialog."""

from __future__ import annotations

from bot.context import services_of
from tests.people import grant
from tests.transcript import choose_language, label

LANGUAGE = {"id": "Bahasa Indonesia", "jv": "Basa Jawa", "en": "English"}
ROLE = {
    "prospective": "Planning to work abroad",
    "abroad": "Working abroad now",
    "family": "Family of a migrant worker",
}
VILLAGE = {
    "jogosimo": "Jogosimo (Klirong)",
    "tanggulangin": "Tanggulangin (Klirong)",
    "kalibangkang": "Kalibangkang (Ayah)",
    "candirenggo": "Candirenggo (Ayah)",
}


async def villager(
    person, user_id: int, *, locale="id", role="family", village="jogosimo", consent=True
):
    """A registered villager (onboarded through the real dialog)."""
    p = person(user_id, language_code=locale)
    await p.say("/start")
    await choose_language(p, LANGUAGE[locale])
    await p.tap(label(locale, "role", ROLE[role]))
    await p.tap(VILLAGE[village])
    await p.tap(label(locale, "button", "I agree" if consent else "I do not agree"))
    return p


async def officer(app, person, user_id: int, area: str, *, locale="id"):
    """An officer of ``area`` who has onboarded (language and consent)."""
    await grant(services_of(app), user_id, area)
    p = person(user_id, language_code=locale)
    await p.say("/start")
    await choose_language(p, LANGUAGE[locale])
    await p.tap(label(locale, "button", "I agree"))
    return p


async def announce(
    p, text: str, *, locale="id", versions=None, roles=(), villages=(), when: str | None = None
):
    """Walk the officer dialog up to the preview; returns the preview reply."""
    await p.say("/umumkan")
    await p.say(text)
    await p.tap(label(locale, "button", "No photo"))
    for code, version in (versions or {}).items():
        await p.tap(LANGUAGE[code])
        await p.say(version)
    await p.tap(label(locale, "button", "Continue ▸"))
    if roles:
        await p.tap(label(locale, "button", "Choose who"))
        for role in roles:
            await p.tap(label(locale, "role", ROLE[role]))
        await p.tap(label(locale, "button", "Done"))
    if villages:
        await p.tap(label(locale, "button", "Choose villages"))
        for village in villages:
            await p.tap(VILLAGE[village])
        await p.tap(label(locale, "button", "Done"))
    await p.tap(label(locale, "button", "Continue ▸"))
    if when is None:
        return await p.tap(label(locale, "button", "Send now"))
    await p.tap(label(locale, "button", "Choose a date and time"))
    return await p.say(when)


def body(text: str | None) -> str | None:
    """An announcement's own text without its sender line and /berhenti line (None if the
    message is not a framed announcement); the exact frame is tested in
    ``test_announce_sender.py``."""
    parts = (text or "").split("\n\n")
    framed = len(parts) >= 3 and "📢 " in parts[0] and "/berhenti" in parts[-1]
    return "\n\n".join(parts[1:-1]) if framed else None
