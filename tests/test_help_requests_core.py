"""The help-request case core (issue 6, service level): states, claiming, relay messages,
escalation, the audit log, the officer's queue, erasure and the reporting export."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.__main__ import main as cli
from bot.services import help_requests as cases
from bot.services.help_requests import CaseError, Draft
from storage.db import create_engine, create_sessionmaker
from storage.models import HelpEvent, HelpMessage, HelpRequest, User
from tests.people import telegram_person

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
FAMILY = Draft(
    category="lost_contact",
    for_whom="family",
    description="Anak saya di Malaysia tidak bisa dihubungi sejak Oktober.",
    subject={
        "name": "Sari",
        "relationship": "daughter",
        "country": "Malaysia",
        "contact": "+60123456789",
    },
)


@pytest.fixture
async def session(database_url):
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as session:
        yield session
    await engine.dispose()


async def new_case(session, draft=FAMILY, requester=501, village="jogosimo"):
    case = await cases.create(
        session, requester_id=requester, village_id=village, draft=draft, now=NOW
    )
    await session.commit()
    return case


def test_drafts_are_checked():
    with pytest.raises(CaseError):
        Draft(category="aliens", for_whom="self", description="x")
    with pytest.raises(CaseError):
        Draft(category="other", for_whom="neighbour", description="x")
    with pytest.raises(CaseError):
        Draft(category="other", for_whom="self", description="x", subject={"shoe_size": "42"})
    assert Draft(category="violence", for_whom="self", description="x").urgent
    assert Draft(category="unpaid", for_whom="self", description="x", danger_now=True).urgent
    assert not Draft(category="unpaid", for_whom="self", description="x").urgent


async def test_reference_and_creation(session):
    case = await new_case(session)
    assert case.reference == f"DM-2026-{case.id:06d}"
    assert (case.status, case.level, case.urgent) == ("new", "village", False)
    events = (await session.scalars(select(HelpEvent.action))).all()
    assert events == ["created"]


async def test_the_life_of_a_case(session):
    case = await new_case(session)
    cases.claim(session, case, 900, NOW)
    with pytest.raises(CaseError, match="claimed"):
        cases.claim(session, case, 901, NOW)
    cases.add_message(
        session,
        case,
        author="officer",
        author_id=900,
        text="Kami sedang menghubungi agen.",
        now=NOW,
    )
    assert case.status == "in_progress"
    cases.add_message(session, case, author="note", author_id=900, text="Agen: PT X", now=NOW)
    cases.set_status(session, case, 900, "waiting", NOW)
    cases.add_message(
        session,
        case,
        author="requester",
        author_id=501,
        text="Ini nomornya.",
        now=NOW,
        file_kind="photo",
        file_id="AgAD",
    )
    assert case.status == "in_progress"  # the family answered
    cases.set_status(session, case, 900, "resolved", NOW)
    with pytest.raises(CaseError):
        cases.confirm_resolved(session, case, 777, NOW)
    cases.confirm_resolved(session, case, 501, NOW)
    assert case.status == "closed"
    cases.reopen(session, case, 501, NOW)
    assert (case.status, case.closed_at, case.resolved_at) == ("in_progress", None, None)
    with pytest.raises(CaseError):
        cases.set_status(session, case, 900, "new", NOW)
    await session.commit()
    actions = (await session.scalars(select(HelpEvent.action).order_by(HelpEvent.id))).all()
    assert actions == [
        "created",
        "status",
        "status",
        "message",
        "note",
        "status",
        "status",
        "message",
        "status",
        "status",
        "reopened",
    ]
    messages, events = await cases.history(session, case.id)
    assert [m.author for m in messages] == ["officer", "note", "requester"]
    assert all(e.at == NOW for e in events)


async def test_reassign_and_escalate(session):
    case = await new_case(
        session, Draft(category="violence", for_whom="self", description="Saya dipukul majikan.")
    )
    cases.reassign(session, case, 900, 902, NOW)
    assert (case.assigned_officer_id, case.status) == (902, "claimed")
    cases.escalate(session, case, None, "unclaimed urgent case after 2 hours", NOW)
    assert case.level == "district"
    with pytest.raises(CaseError, match="already"):
        cases.escalate(session, case, 900, "again", NOW)
    await session.commit()
    detail = (
        await session.scalars(select(HelpEvent.detail).where(HelpEvent.action == "escalated"))
    ).one()
    assert detail == {"reason": "unclaimed urgent case after 2 hours"}


async def test_close_after_seven_days_without_answer(session):
    case = await new_case(session)
    cases.claim(session, case, 900, NOW)
    cases.set_status(session, case, 900, "resolved", NOW)
    await session.commit()
    assert await cases.close_unanswered(session, NOW + timedelta(days=6)) == 0
    assert await cases.close_unanswered(session, NOW + timedelta(days=7)) == 1
    assert case.status == "closed"


async def test_queue_is_scoped(session):
    mine = await new_case(session, requester=601, village="jogosimo")
    other_village = await new_case(session, requester=602, village="candirenggo")
    unknown_village = await new_case(session, requester=603, village=None)
    urgent = await new_case(
        session,
        Draft(category="trafficking", for_whom="self", description="Paspor saya ditahan."),
        604,
    )
    cases.claim(session, mine, 900, NOW)
    await session.commit()
    queue = await cases.queue(session, officer_id=900, scope={"jogosimo"}, now=NOW)
    assert [c.id for c in queue["unclaimed"]] == [urgent.id]  # urgent first; only Jogosimo
    assert [c.id for c in queue["mine"]] == [mine.id]
    overdue = await cases.queue(
        session, officer_id=900, scope={"jogosimo"}, now=NOW + timedelta(days=3)
    )
    assert {c.id for c in overdue["overdue"]} == {mine.id, urgent.id}
    everything = await cases.queue(session, officer_id=1, scope=None, now=NOW)
    assert {c.id for c in everything["unclaimed"]} == {
        other_village.id,
        unknown_village.id,
        urgent.id,
    }
    assert cases.visible_to(other_village, {"jogosimo"}) is False
    assert cases.visible_to(unknown_village, None) is True


async def test_erasure_keeps_an_anonymous_case(session):
    requester = await telegram_person(session, 501)
    case = await new_case(session, requester=requester)
    cases.claim(session, case, 900, NOW)
    cases.add_message(
        session,
        case,
        author="requester",
        author_id=requester,
        text="Halo",
        now=NOW,
        file_kind="voice",
        file_id="AwAD",
    )
    session.add(
        User(person_id=requester, locale="id", consent="given", created_at=NOW, updated_at=NOW)
    )
    await session.commit()
    from bot.content import load_villages
    from bot.content.help import load_help
    from bot.services import erasure, officers

    case_id = case.id
    routing = officers.Routing(load_villages(), frozenset(), {}, load_help().deadlines)
    await erasure.erase(session, routing, requester, now=NOW)
    await session.commit()
    session.expire_all()
    kept = await session.get(HelpRequest, case_id)
    assert (kept.category, kept.village_id, kept.status, kept.created_at) == (
        "lost_contact",
        "jogosimo",
        "claimed",
        NOW,
    )
    assert (kept.requester_id, kept.subject, kept.description, kept.attachments) == (
        None,
        None,
        None,
        None,
    )
    assert (await session.scalars(select(HelpMessage))).all() == []
    actors = (await session.scalars(select(HelpEvent.actor_id))).all()
    assert requester not in actors


def test_export_with_and_without_personal_data(database_url, monkeypatch, capsys):
    import asyncio

    async def seed() -> None:
        engine = create_engine(database_url)
        async with create_sessionmaker(engine)() as session:
            await new_case(session, village="jogosimo")
            await new_case(session, requester=502, village="candirenggo")
        await engine.dispose()

    asyncio.run(seed())
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert (
        cli(
            ["cases", "export", "--area", "jogosimo", "--from", "2026-12-01", "--to", "2026-12-01"]
        )
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 1
    assert rows[0]["village_id"] == "jogosimo"
    assert "description" not in rows[0]
    assert "+60123456789" not in json.dumps(rows)
    assert (
        cli(
            [
                "cases",
                "export",
                "--from",
                "2026-12-01",
                "--to",
                "2026-12-01",
                "--format",
                "json",
                "--with-personal-data",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 2
    assert data[0]["contact"] == "+60123456789"
    assert data[0]["reference"].startswith("DM-2026-")
    assert cli(["cases", "export", "--from", "2026-11-01", "--to", "2026-11-30"]) == 0
    assert len(list(csv.DictReader(io.StringIO(capsys.readouterr().out)))) == 0
    assert (
        cli(["cases", "export", "--area", "mars", "--from", "2026-12-01", "--to", "2026-12-01"])
        == 2
    )
