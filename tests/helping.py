"""Helpers for help-request tests: walking the request dialog, reading cases back."""

from __future__ import annotations

from sqlalchemy import select

from bot.content.help import load_help
from storage.models import HelpRequest
from tests.transcript import label, tr

HELP = load_help()
FAMILY = {
    "name": "Siti Aminah",
    "relationship": "child",
    "country": "Malaysia",
    "city": "Kuala Lumpur",
    "employer": "PT Maju Jaya",
    "last_contact": "3 minggu lalu, lewat WhatsApp",
    "contact": "0812 3456 7890",
}
RELATIONSHIP = {
    "spouse": "wife or husband",
    "child": "daughter or son",
    "parent": "mother or father",
    "sibling": "sister or brother",
    "relative": "other relative",
}


def category_label(locale: str, category_id: str) -> str:
    category = HELP.category(category_id)
    assert category is not None
    return tr(locale, category.label)


async def ask_for_help(
    p,
    *,
    locale: str = "id",
    category: str = "lost_contact",
    for_whom: str = "family",
    details: dict[str, str | None] | None = None,
    description: str = "Sudah tiga minggu tidak ada kabar. Agensi tidak menjawab telepon.",
    send: bool = True,
    files: tuple[str, ...] = (),
):
    """Walk ``/tolong`` to the review (and Send); ``None`` in ``details`` taps Skip;
    ``files`` ("photo", "voice", "document") are sent after the description."""
    await p.say("/tolong")
    await p.tap(category_label(locale, category))
    if HELP.category(category).shows_contacts:  # type: ignore[union-attr]
        await p.tap(label(locale, "button", "Continue the request ▶️"))
    button = "A family member" if for_whom == "family" else "Me"
    await p.tap(label(locale, "button", button))
    values = dict(FAMILY if for_whom == "family" else {"country": "Malaysia"})
    values.update(details or {})
    steps = (
        ("name", "relationship", "country", "city", "employer", "last_contact", "contact")
        if for_whom == "family"
        else ("country", "city", "employer")
    )
    for field in steps:
        value = values.get(field)
        if value is None:
            await p.tap(label(locale, "button", "Skip ⏭"))
        elif field == "relationship":
            await p.tap(label(locale, "relationship", RELATIONSHIP[value]))
        else:
            await p.say(value)
    await p.say(description)
    for kind in files:
        await p.send(kind)
    review = await p.tap(label(locale, "button", "Continue ▶️"))
    if not send:
        return review
    return await p.tap(label(locale, "button", "✅ Send to the officers"))


async def cases_of(db, requester_id: int) -> list[HelpRequest]:
    db.expire_all()
    found = await db.scalars(
        select(HelpRequest)
        .where(HelpRequest.requester_id == requester_id)
        .order_by(HelpRequest.id)
    )
    return list(found.all())


def outcome_label(locale: str, outcome_id: str) -> str:
    outcome = HELP.outcome(outcome_id)
    assert outcome is not None
    return tr(locale, outcome.label)


async def resolve(officer, *, locale: str = "en", outcome: str = "contact_restored"):
    """Tap ✅ Resolved on the case page shown, then a common outcome (issue 13)."""
    await officer.tap(label(locale, "button", "✅ Resolved"))
    return await officer.tap(outcome_label(locale, outcome))
