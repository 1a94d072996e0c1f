"""A request nobody can be told about: the requester hears so honestly (with the emergency
contacts), the case is marked ``unrouted`` and the first officer granted its area is
alerted; adding to such a case never claims an officer was told."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from storage.models import HelpEvent, User
from tests.announcing import officer, villager
from tests.helping import ask_for_help, cases_of
from tests.transcript import first_line, label, sees

NOBODY = "⚠️ <b>No officer can be reached right now.</b> Your request is saved"


@pytest.fixture
def settings(settings):
    """No admins: a village without officers has nobody at all."""
    return settings.model_copy(update={"admin_ids": frozenset()})


async def events(db, case_id: int) -> list[str]:
    db.expire_all()
    found = await db.scalars(
        select(HelpEvent.action).where(HelpEvent.request_id == case_id).order_by(HelpEvent.id)
    )
    return list(found.all())


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_nobody_to_tell_then_the_first_officer_is_alerted(
    app, person, db, sweep, emulator, locale
):
    p = await villager(person, 2501, locale=locale, village="tanggulangin")
    reply = await ask_for_help(p, locale=locale)
    sees(reply, locale, NOBODY, reference="DM-2026-000001")
    assert label(locale, "", "• The officers responsible for your village are told now.") not in (
        reply.text
    )
    sees(reply, locale, "<b>🚨 If someone is in danger now, call for help first:</b>")
    assert "110" in reply.text
    assert "0800-1000" in reply.text
    [case] = await cases_of(db, 2501)
    case_id = case.id
    assert await events(db, case_id) == ["created", "unrouted"]

    reply = await p.say("Nomor majikan baru: +60 12 345 6789")
    sees(
        reply,
        locale,
        "✅ Added. No officer can be reached right now: {reference} waits for the first "
        "officer. If someone is in danger, call the police on 110.",
        reference="DM-2026-000001",
    )

    await officer(app, person, 2550, "tanggulangin", locale=locale)
    await sweep()
    texts = [m.text for m in emulator.bot_messages(2550)]
    alert = next(t for t in texts if "DM-2026-000001" in t)
    assert first_line(locale, "🆘 <b>New help request</b>") in alert
    assert (await events(db, case_id))[-1] == "routed"
    # A second officer granted later is not alerted again about the same case.
    await officer(app, person, 2551, "tanggulangin", locale=locale)
    await sweep()
    assert not any("DM-2026-000001" in m.text for m in emulator.bot_messages(2551))

    reply = await p.say("Majikannya sudah menjawab.")
    sees(
        reply, locale, "✅ Added to {reference}. The officer is told.", reference="DM-2026-000001"
    )


async def test_officers_who_blocked_the_bot_are_not_reachable(app, person, db):
    await officer(app, person, 2650, "kebumen")
    await db.execute(
        update(User).where(User.telegram_id == 2650).values(unreachable_at=User.created_at)
    )
    await db.commit()
    p = await villager(person, 2601, village="jogosimo")
    reply = await ask_for_help(p)
    sees(reply, "id", NOBODY, reference="DM-2026-000001")
    [case] = await cases_of(db, 2601)
    case_id = case.id
    assert await events(db, case_id) == ["created", "unrouted"]
    # The officer writes again (so is reachable): /kasus marks the case nobody was told of.
    kasus = await person(2650).say("/kasus")
    sees(kasus, "id", "📭 No officer was alerted about these yet: please take them.")
    assert "📭 DM-2026-000001" in kasus.text


async def test_a_reachable_officer_gets_the_usual_confirmation(app, person, db):
    await officer(app, person, 2750, "kebumen")
    p = await villager(person, 2701, village="jogosimo")
    reply = await ask_for_help(p)
    sees(reply, "id", "✅ <b>Your request is saved.</b>")
    [case] = await cases_of(db, 2701)
    assert await events(db, case.id) == ["created"]
    kasus = await person(2750).say("/kasus")
    assert "DM-2026-000001" in kasus.text
    assert "📭" not in kasus.text
