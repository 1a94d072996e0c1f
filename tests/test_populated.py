"""The populated database (:mod:`tests.populated`) holds what its story says, exactly:
the inventory a migration test compares before and after is itself pinned here, so a
change to the dialogs that stops filling a table fails here, not silently there."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from tests.populated import PEOPLE, SETTINGS, inventory, populate


@pytest.fixture
def settings(settings):
    return settings.model_copy(update=SETTINGS)


async def test_every_table_keyed_on_a_person_has_the_rows_of_the_story(
    app, emulator, person, db, sweep
):
    await populate(app, emulator, person, sweep)
    found = await inventory(db)
    family, migrant, prospective = PEOPLE.family, PEOPLE.migrant, PEOPLE.prospective
    centre, group = PEOPLE.officer, PEOPLE.group
    assert found == {
        "users": Counter(
            {
                (family, "id", "given", "family"): 1,
                (migrant, "jv", "given", "abroad"): 1,
                (prospective, "en", "given", "prospective"): 1,
                (PEOPLE.declined, "id", "declined", None): 1,  # nothing but the refusal
                (centre, "id", "given", None): 1,
                (PEOPLE.district, "id", "given", None): 1,
            }
        ),
        "officers": Counter({(centre, "jogosimo"): 1, (PEOPLE.district, "kebumen"): 1}),
        "checklists": Counter({(prospective, "p3mi", "hong-kong"): 1}),
        "checklist_marks": Counter({(prospective, "passport"): 1}),
        # (is the round someone's, answers given): the declined person's has no id
        "quiz_rounds": Counter({(None, 0): 1, (True, 1): 1}),
        "job_checks": Counter({(prospective, "high"): 1}),
        "help_requests": Counter(
            {(1, family, None, "new"): 1, (2, migrant, centre, "resolved"): 1}
        ),
        "help_messages": Counter(
            {
                (centre, "Kami sudah menghubungi agensinya.", None): 1,
                (migrant, "Matur nuwun, kula tengga.", None): 1,
            }
        ),
        "help_events": Counter(
            {
                (family, "created"): 1,
                (migrant, "created"): 1,
                (centre, "status"): 3,  # claimed, in progress (replying), resolved
                (centre, "message"): 1,
                (migrant, "message"): 1,
            }
        ),
        "announcements": Counter({(centre, "done"): 1}),
        "deliveries": Counter(
            {
                (prospective, "reminder", "pending"): 6,  # before the March departure
                (centre, "case_notice", "sent"): 4,
                (migrant, "case_notice", "sent"): 3,
                (group, "case_notice", "sent"): 2,  # a group: a recipient, not a person
                (0, "case_deadline", "pending"): 4,  # work rows: no recipient at all
                (family, "announcement", "sent"): 1,
                (migrant, "announcement", "sent"): 1,
            }
        ),
    }


async def test_naming_the_channel_of_each_delivery_keeps_every_row(
    app, emulator, person, db, sweep, database_url
):
    """Migration 0010 on the populated database: taken back to 0009 and brought up
    again, every table holds what it held, and every delivery names Telegram."""
    from sqlalchemy import func, inspect, select

    from storage.db import create_engine
    from storage.migrations import current_revision, downgrade, head_revision, upgrade
    from storage.models import Delivery

    await populate(app, emulator, person, sweep)
    before = await inventory(db)
    await db.rollback()  # no transaction of ours may hold the table the migration rebuilds
    engine = create_engine(database_url)
    try:
        await downgrade(engine, "0009")
        async with engine.connect() as connection:
            columns = await connection.run_sync(
                lambda sync: {c["name"] for c in inspect(sync).get_columns("deliveries")}
            )
        assert "channel" not in columns
        assert "chat_id" in columns
        await upgrade(engine)
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()
    assert await inventory(db) == before
    channels = await db.execute(select(Delivery.channel, func.count()).group_by(Delivery.channel))
    assert channels.all() == [("telegram", 21)]


async def test_people_get_their_own_ids_and_every_row_stays_theirs(
    app, emulator, person, db, sweep, database_url
):
    """Migration 0011 on the populated database: taken back to 0010, every person column
    holds the Telegram id again, and brought up, each person has an id of their own with
    their Telegram identity, and every table holds what it held, about the same people."""
    from sqlalchemy import inspect, select

    from storage.db import create_engine
    from storage.migrations import downgrade, upgrade
    from storage.models import Delivery, Identity, Person
    from storage.repositories import people

    await populate(app, emulator, person, sweep)
    before = await inventory(db)
    await db.rollback()
    engine = create_engine(database_url)
    try:
        await downgrade(engine, "0010")
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
            users = await connection.run_sync(
                lambda sync: {c["name"] for c in inspect(sync).get_columns("users")}
            )
        assert {"people", "identities"} & tables == set()
        assert "telegram_id" in users
        assert "person_id" not in users
        assert await inventory(db, before_people=True) == before
        await db.rollback()
        await upgrade(engine)
    finally:
        await engine.dispose()
    assert await inventory(db) == before
    # Numbered in the order of the Telegram ids they had; each with that one identity.
    identities = (
        await db.execute(select(Identity.channel, Identity.address, Identity.person_id))
    ).all()
    everyone = sorted(int(address) for _channel, address, _person in identities)
    assert sorted((int(a), p) for _c, a, p in identities) == [
        (telegram_id, number) for number, telegram_id in enumerate(everyone, 1)
    ]
    assert {channel for channel, _a, _p in identities} == {"telegram"}
    assert (await db.scalars(select(Person.id).order_by(Person.id))).all() == list(
        range(1, len(everyone) + 1)
    )
    # Every person who talked to the bot (the officers too); the admin named in the
    # settings is in no row, so becomes a person again only when next needed.
    assert set(everyone) == {
        PEOPLE.family,
        PEOPLE.migrant,
        PEOPLE.prospective,
        PEOPLE.declined,
        PEOPLE.officer,
        PEOPLE.district,
    }
    # A delivery to a person names them; one to the group or a work row names nobody.
    named = (await db.execute(select(Delivery.chat_id, Delivery.person_id))).all()
    by_telegram = {int(a): p for _c, a, p in identities}
    assert all(person_id == by_telegram.get(chat_id) for chat_id, person_id in named)
    assert sum(person_id is None for _chat, person_id in named) == 6  # 2 group, 4 work
    # The bot carries on: someone new gets the next id (PostgreSQL's sequence moved on).
    newcomer = await people.get_or_create(db, "telegram", "777001", now=datetime.now(UTC))
    assert newcomer == len(everyone) + 1
    assert (
        await people.find(db, "telegram", str(PEOPLE.family)) == everyone.index(PEOPLE.family) + 1
    )
    await db.rollback()
