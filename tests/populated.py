"""A database as a village's bot leaves it after some weeks, built through the real
dialogs: for tests of migrations that rewrite rows (keeping every one of them).

:func:`populate` drives the bot: villagers of two villages onboard in three languages;
one declines; a prospective migrant sets up the checklist, ticks an item, plays a quiz
round and checks a job offer; families ask for help (with a photo), an officer claims,
answers and resolves, the requester answers back; the admin grants officers; an officer
announces to the village; the outbox sends (also to the officers' group). The
application must run with :data:`SETTINGS`. :func:`inventory` reads back what is stored
about each person, table by table, in terms a migration must keep (so a test compares
the inventory before and after it, whatever the migration renames).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Announcement,
    Checklist,
    ChecklistMark,
    Delivery,
    HelpEvent,
    HelpMessage,
    HelpRequest,
    JobCheck,
    Officer,
    QuizAnswer,
    QuizRound,
    User,
)
from tests.announcing import announce, officer, villager
from tests.helping import ask_for_help, resolve
from tests.test_checklist import set_up
from tests.test_job_check import answers_for, run_check
from tests.transcript import label


@dataclass(frozen=True)
class Village:
    """Who is who in the populated database (Telegram user ids)."""

    family: int = 7101  # Jogosimo, Indonesian: asks for help with a photo
    migrant: int = 7102  # Jogosimo, Javanese, abroad: asks for help, gets an answer
    prospective: int = 7103  # Tanggulangin, English: checklist, quiz, job check
    declined: int = 7104  # declined data processing: a quiz round without their id
    officer: int = 7180  # Jogosimo's officer
    district: int = 7181  # the kabupaten's officer
    admin: int = 7190
    group: int = -1007100  # Jogosimo's officers' group chat: a recipient, not a person


PEOPLE = Village()
SETTINGS = {"admin_ids": frozenset({PEOPLE.admin}), "officer_groups": {"jogosimo": PEOPLE.group}}


async def populate(app: Any, emulator: Any, person: Any, sweep: Any) -> None:
    emulator.open_chat(PEOPLE.group, chat_type="supergroup", title="Petugas Jogosimo")
    family = await villager(person, PEOPLE.family)
    migrant = await villager(person, PEOPLE.migrant, locale="jv", role="abroad")
    prospective = await villager(
        person, PEOPLE.prospective, locale="en", role="prospective", village="tanggulangin"
    )
    declined = await villager(person, PEOPLE.declined, consent=False)
    await declined.say("/kuis")
    centre = await officer(app, person, PEOPLE.officer, "jogosimo")
    await officer(app, person, PEOPLE.district, "kebumen")

    await set_up(prospective, "en")
    await prospective.say("/persiapan")
    await prospective.press("cl:t:passport")
    await prospective.say("/kuis")
    await prospective.tap(prospective.last_with_buttons().button_labels()[0])
    await run_check(prospective, "en", answers_for("high"))

    await ask_for_help(family, files=("photo",))
    await ask_for_help(migrant, locale="jv", for_whom="self")
    await sweep()
    await centre.press("cs:claim:2")
    await centre.press("cs:w:2")
    await centre.say("Kami sudah menghubungi agensinya.")
    await sweep()
    await migrant.say("/status")
    await migrant.press("hr:add:2")
    await migrant.say("Matur nuwun, kula tengga.")
    await sweep()
    await centre.press("cs:v:2")
    await resolve(centre, locale="id")
    await sweep()

    await announce(centre, "Sosialisasi migrasi aman hari Sabtu di balai desa.")
    await centre.tap(label("id", "button", "Send"))
    await sweep()


async def inventory(db: AsyncSession) -> dict[str, Counter[tuple[Any, ...]]]:
    """What each table holds about whom: the Telegram id of the person a row belongs to
    (or who acted) with the row's own content, counted; of the other rows' ids only the
    cases', which people quote (``DM-2026-000001``)."""
    db.expire_all()

    async def rows(statement: Any) -> Counter[tuple[Any, ...]]:
        return Counter(tuple(row) for row in (await db.execute(statement)).all())

    return {
        "users": await rows(select(User.telegram_id, User.locale, User.consent, User.role)),
        "officers": await rows(select(Officer.telegram_id, Officer.area_id)),
        "checklists": await rows(
            select(Checklist.telegram_id, Checklist.scheme, Checklist.country)
        ),
        "checklist_marks": await rows(select(ChecklistMark.telegram_id, ChecklistMark.item_id)),
        "quiz_rounds": await rows(
            select(QuizRound.telegram_id > 0, func.count(QuizAnswer.question_id))
            .outerjoin(QuizAnswer, QuizAnswer.round_id == QuizRound.id)
            .group_by(QuizRound.id)
        ),
        "job_checks": await rows(select(JobCheck.telegram_id, JobCheck.level)),
        "help_requests": await rows(
            select(
                HelpRequest.id,  # people know their case by it (DM-2026-000001)
                HelpRequest.requester_id,
                HelpRequest.assigned_officer_id,
                HelpRequest.status,
            )
        ),
        "help_messages": await rows(
            select(HelpMessage.author_id, HelpMessage.text, HelpMessage.file_kind)
        ),
        "help_events": await rows(select(HelpEvent.actor_id, HelpEvent.action)),
        "announcements": await rows(select(Announcement.officer_id, Announcement.status)),
        "deliveries": await rows(select(Delivery.chat_id, Delivery.kind, Delivery.status)),
    }
