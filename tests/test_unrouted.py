"""A request nobody can be told about: the requester hears so honestly (with the emergency
contacts), the case is marked ``unrouted`` and the first officer granted its area is
alerted; adding to such a case never claims an officer was told."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from storage.models import HelpEvent, User
from tests.announcing import officer, villager
from tests.helping import ask_for_help, cases_of
from tests.people import person as person_id
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
    [case] = await cases_of(db, await person_id(db, 2501))
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
    # Not "new": the officer is told it has been waiting for somebody.
    assert first_line(locale, "🆘 <b>A help request waited for an officer</b>") in alert
    assert first_line(locale, "🆘 <b>New help request</b>") not in alert
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
        update(User)
        .where(User.person_id == await person_id(db, 2650))
        .values(unreachable_at=User.created_at)
    )
    await db.commit()
    p = await villager(person, 2601, village="jogosimo")
    reply = await ask_for_help(p)
    sees(reply, "id", NOBODY, reference="DM-2026-000001")
    [case] = await cases_of(db, await person_id(db, 2601))
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
    [case] = await cases_of(db, await person_id(db, 2701))
    assert await events(db, case.id) == ["created"]
    kasus = await person(2750).say("/kasus")
    assert "DM-2026-000001" in kasus.text
    assert "📭" not in kasus.text


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_a_lost_confirmation_comes_later_with_the_same_truth(
    person, db, emulator, sweep, locale
):
    """Telegram fails the answer to Send: the delivery engine brings the confirmation
    later, and it still says that nobody could be told."""
    p = await villager(person, 2801, locale=locale, village="tanggulangin")
    await ask_for_help(p, locale=locale, send=False)
    emulator.inject("server_error", chat_id=2801, methods=["editMessageText"])
    await p.tap(label(locale, "button", "✅ Send to the officers"))
    [case] = await cases_of(db, await person_id(db, 2801))
    emulator.clear_faults()
    before = len(emulator.bot_messages(2801))
    await sweep()
    [later] = emulator.bot_messages(2801)[before:]
    assert later.text.startswith(first_line(locale, NOBODY, reference=case.reference))
    assert first_line(locale, "✅ <b>Your request is saved.</b>") not in later.text
    police = "• If someone is in danger, do not wait: call the police on 110."
    assert first_line(locale, police) in later.text


async def test_the_officer_a_case_was_routed_to_erases_their_data(app, person, db, sweep):
    """The "routed" entry named the officer it was sent to: once they erase their data it
    names a former officer (0), as their other entries do."""
    from bot.services.erasure import FORMER_OFFICER

    await ask_for_help(await villager(person, 2601, village="tanggulangin"))
    centre = await officer(app, person, 2650, "tanggulangin")
    await sweep()
    officer_id = await person_id(db, 2650)

    async def routed() -> list[dict]:
        db.expire_all()
        found = await db.scalars(select(HelpEvent.detail).where(HelpEvent.action == "routed"))
        return list(found.all())

    assert await routed() == [{"officer": officer_id}]
    await centre.say("/hapusdata")
    await centre.tap(label("id", "button", "Yes, erase everything"))
    assert await routed() == [{"officer": FORMER_OFFICER}]
