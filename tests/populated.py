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

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from tests.announcing import announce, officer, villager
from tests.helping import ask_for_help, resolve
from tests.people import telegram_ids
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
    question = prospective.last_with_buttons()
    answers = [question.find_button(label) for label in question.button_labels()]
    await prospective.press(
        next(
            b.callback_data for b in answers if b and (b.callback_data or "").startswith("qz:a:")
        ),
        question.message_id,
    )
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


def _tables(key: str) -> dict[str, Any]:
    """The tables as plain Core tables, with their person column named ``key``
    (``person_id`` at head, ``telegram_id`` before migration 0011): one inventory reads
    both schemas."""
    t = sa.table
    c = sa.column
    return {
        "users": t("users", c(key), c("locale"), c("consent"), c("role")),
        "officers": t("officers", c(key), c("area_id")),
        "checklists": t("checklists", c(key), c("scheme"), c("country")),
        "checklist_marks": t("checklist_marks", c(key), c("item_id")),
        "quiz_rounds": t("quiz_rounds", c("id"), c(key)),
        "quiz_answers": t("quiz_answers", c("round_id"), c("question_id")),
        "job_checks": t("job_checks", c(key), c("level")),
        "help_requests": t(
            "help_requests", c("id"), c("requester_id"), c("assigned_officer_id"), c("status")
        ),
        "help_messages": t("help_messages", c("author_id"), c("text"), c("file_kind")),
        "help_events": t("help_events", c("actor_id"), c("action")),
        "announcements": t("announcements", c("officer_id"), c("status")),
        "deliveries": t("deliveries", c("chat_id"), c("kind"), c("status")),
    }


async def inventory(db: AsyncSession, *, before_people: bool = False) -> dict[str, Counter]:
    """What each table holds about whom: the Telegram id of the person a row belongs to
    (or who acted) with the row's own content, counted; of the other rows' ids only the
    cases', which people quote (``DM-2026-000001``).

    At head a person column holds a person id, read here through the person's Telegram
    identity; ``before_people``: the schema before migration 0011, where it held the
    Telegram id itself. Both read the same, so a test compares them directly."""
    db.expire_all()
    tables = _tables("telegram_id" if before_people else "person_id")
    key = "telegram_id" if before_people else "person_id"
    telegram = {} if before_people else await telegram_ids(db)

    def who(value: Any) -> Any:
        """A person column's value as a Telegram id (0, None and aliases stay)."""
        if before_people or not isinstance(value, int) or value <= 0:
            return value
        return telegram.get(value, ("no identity", value))

    async def rows(statement: Any, people: tuple[int, ...] = (0,)) -> Counter[tuple[Any, ...]]:
        found = (await db.execute(statement)).all()
        return Counter(
            tuple(who(v) if i in people else v for i, v in enumerate(row)) for row in found
        )

    def columns(name: str, *names: str) -> list[Any]:
        return [tables[name].c[n] for n in names]

    rounds, answers = tables["quiz_rounds"], tables["quiz_answers"]
    return {
        "users": await rows(sa.select(*columns("users", key, "locale", "consent", "role"))),
        "officers": await rows(sa.select(*columns("officers", key, "area_id"))),
        "checklists": await rows(sa.select(*columns("checklists", key, "scheme", "country"))),
        "checklist_marks": await rows(sa.select(*columns("checklist_marks", key, "item_id"))),
        "quiz_rounds": await rows(
            sa.select(rounds.c[key] > 0, sa.func.count(answers.c.question_id))
            .select_from(rounds.outerjoin(answers, answers.c.round_id == rounds.c.id))
            .group_by(rounds.c.id),
            people=(),
        ),
        "job_checks": await rows(sa.select(*columns("job_checks", key, "level"))),
        "help_requests": await rows(
            sa.select(
                *columns("help_requests", "id", "requester_id", "assigned_officer_id", "status")
            ),
            people=(1, 2),
        ),
        "help_messages": await rows(
            sa.select(*columns("help_messages", "author_id", "text", "file_kind"))
        ),
        "help_events": await rows(sa.select(*columns("help_events", "actor_id", "action"))),
        "announcements": await rows(sa.select(*columns("announcements", "officer_id", "status"))),
        "deliveries": await rows(
            sa.select(*columns("deliveries", "chat_id", "kind", "status")), people=()
        ),
    }
