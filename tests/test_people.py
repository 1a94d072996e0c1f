"""People and their identities: made on first contact, numbered once and for all, reached
on the identity they used last, forgotten whole by /hapusdata."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.context import services_of
from storage.models import Delivery, Identity, Person, User
from storage.repositories import deliveries, people
from tests.announcing import villager
from tests.people import person as person_id
from tests.transcript import label


async def test_first_contact_makes_a_person_with_their_telegram_identity(person, db, clock):
    await villager(person, 5201)
    await villager(person, 5202)
    rows = (
        await db.execute(
            select(Identity.channel, Identity.address, Identity.person_id).order_by(
                Identity.person_id
            )
        )
    ).all()
    assert rows == [("telegram", "5201", 1), ("telegram", "5202", 2)]
    assert (await db.scalars(select(User.person_id).order_by(User.person_id))).all() == [1, 2]


async def test_last_seen_is_written_every_ten_minutes_not_every_message(person, db, clock):
    p = await villager(person, 5211)
    first = clock.now()

    async def seen():
        db.expire_all()
        return await db.scalar(select(Identity.last_seen_at).where(Identity.address == "5211"))

    assert await seen() == first
    clock.advance(timedelta(minutes=10) - timedelta(seconds=1))
    await p.say("/menu")
    assert await seen() == first  # 9 min 59 s: not written again
    clock.advance(timedelta(seconds=1))
    await p.say("/menu")
    assert await seen() == first + timedelta(minutes=10)


async def test_an_erased_persons_number_is_never_given_again(app, person, db):
    await villager(person, 5221)
    services = services_of(app)
    async with services.sessions() as session, session.begin():
        assert await services.admins(session) == {2}  # the settings' admin (Telegram 900)
    last = await villager(person, 5222)
    assert await person_id(db, 5222) == 3  # the highest number given so far
    await last.say("/hapusdata")
    await last.tap(label("id", "button", "Yes, erase everything"))
    identities = select(Identity.address, Identity.person_id).order_by(Identity.person_id)
    assert (await db.execute(identities)).all() == [("5221", 1), ("900", 2)]
    assert (await db.scalars(select(Person.id).order_by(Person.id))).all() == [1, 2]
    again = person(5222)
    await again.say("/start")
    assert await person_id(db, 5222) == 4  # not 3, which named someone who is gone


async def test_two_processes_meeting_a_newcomer_agree_on_one_person(app, db, clock):
    services = services_of(app)
    async with services.sessions() as one, services.sessions() as other:
        first = await people.get_or_create(one, "telegram", "5231", now=clock.now())
        await one.commit()
        second = await people.get_or_create(other, "telegram", "5231", now=clock.now())
        await other.commit()
    assert first == second
    assert (await db.scalars(select(Identity.person_id))).all() == [first]


async def test_a_persons_row_goes_to_the_identity_used_last(app, db, clock):
    """Deliveries choose a person's channel in one place: the identity they last wrote
    from (a second channel arrives with WhatsApp; the rule is already the queue's)."""
    services = services_of(app)
    now = clock.now()
    async with services.sessions() as session, session.begin():
        both = await people.get_or_create(session, "telegram", "5241", now=now, seen=True)
        session.add(
            Identity(
                channel="whatsapp",
                address="6281234567890",
                person_id=both,
                created_at=now,
                last_seen_at=now + timedelta(hours=1),
            )
        )
        only = await people.get_or_create(session, "telegram", "5242", now=now, seen=True)
        gone = await people.get_or_create(session, "telegram", "5243", now=now)
        await people.erase(session, gone)
        await deliveries.enqueue_many(
            session,
            [
                {"kind": "reminder", "person_id": both, "due_at": now},
                {"kind": "reminder", "person_id": only, "due_at": now},
                {"kind": "reminder", "person_id": gone, "due_at": now},
                {"kind": "unsend", "person_id": only, "chat_id": 777, "due_at": now},
                {"kind": "case_notice", "chat_id": -100555, "due_at": now},
            ],
        )
    rows = (
        await db.execute(
            select(
                Delivery.person_id,
                Delivery.channel,
                Delivery.chat_id,
                Delivery.status,
                Delivery.error,
            ).order_by(Delivery.id)
        )
    ).all()
    assert rows == [
        (both, "whatsapp", 6281234567890, "pending", None),
        (only, "telegram", 5242, "pending", None),
        (gone, "telegram", None, "skipped", "no address"),
        (only, "telegram", 777, "pending", None),  # a change to a message in that chat
        (None, "telegram", -100555, "pending", None),  # an officers' group
    ]
