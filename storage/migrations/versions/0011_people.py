"""People: an internal id for each person, and their channel identities.

Until now every person-keyed column held a Telegram user id. This revision gives every
Telegram id that stands for a person (positive ids only: Telegram's group chats are
negative, and so are the aliases an erasure leaves in quiz rounds and job checks) a
``people`` row, numbered in the order of those ids, with a ``telegram`` identity; then
it rewrites every column, and the JSON keys that name an officer, to the person id.
Deliveries keep their chat id (where they went) and gain the person's id.

The downgrade maps every person id back to their Telegram id. Rows of a person with no
Telegram identity (none exist until WhatsApp comes) cannot go back and are removed.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# (table, column, whether the column is (part of) the primary key)
KEYED = (
    ("users", "telegram_id", True),
    ("officers", "telegram_id", True),
    ("checklists", "telegram_id", True),
    ("checklist_marks", "telegram_id", True),
    ("quiz_rounds", "telegram_id", False),
    ("job_checks", "telegram_id", False),
)
# Columns that keep their name and now hold a person id.
NAMING = (
    ("officers", "granted_by"),
    ("help_requests", "requester_id"),
    ("help_requests", "assigned_officer_id"),
    ("help_messages", "author_id"),
    ("help_events", "actor_id"),
    ("announcements", "officer_id"),
)
# JSON keys that name an officer: a case history's reassignment and routing (a release's
# "before" is the status it had), an admin's handover notice.
DETAIL_KEYS = {"reassigned": ("before", "after"), "routed": ("officer",)}
ADMIN_NOTICE = "admin_notice"
MAP = "_person_map"


def upgrade() -> None:
    bind = op.get_bind()
    now = datetime.now(UTC)
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "identities",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("channel", "address"),
    )
    op.create_index("ix_identities_person_id", "identities", ["person_id"])

    telegram_ids = sorted(_telegram_ids(bind))
    mapping = {telegram_id: person for person, telegram_id in enumerate(telegram_ids, 1)}
    people = sa.table("people", sa.column("id"), sa.column("created_at", UTCDateTime()))
    identities = sa.table(
        "identities",
        sa.column("channel"),
        sa.column("address"),
        sa.column("person_id"),
        sa.column("created_at", UTCDateTime()),
    )
    if mapping:
        op.bulk_insert(people, [{"id": p, "created_at": now} for p in mapping.values()])
        op.bulk_insert(
            identities,
            [
                {"channel": "telegram", "address": str(t), "person_id": p, "created_at": now}
                for t, p in mapping.items()
            ],
        )
    if bind.dialect.name == "postgresql" and mapping:
        bind.execute(sa.text("SELECT setval('people_id_seq', :last)"), {"last": len(mapping)})

    _remap(mapping)
    _remap_json(bind, mapping.get)
    op.add_column("deliveries", sa.Column("person_id", sa.BigInteger(), nullable=True))
    op.create_index("ix_deliveries_person_id", "deliveries", ["person_id"])
    op.execute(
        "UPDATE deliveries SET person_id = "
        f"(SELECT person_id FROM {MAP} WHERE {MAP}.old = deliveries.chat_id) "
        "WHERE chat_id > 0"
    )
    op.drop_table(MAP)
    _rename("telegram_id", "person_id")
    for table in ("users", "officers"):
        with op.batch_alter_table(table) as batch:
            batch.create_foreign_key(
                f"fk_{table}_person_id_people", "people", ["person_id"], ["id"], ondelete="CASCADE"
            )


def downgrade() -> None:
    bind = op.get_bind()
    for table in ("users", "officers"):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"fk_{table}_person_id_people", type_="foreignkey")
    _rename("person_id", "telegram_id")
    rows = bind.execute(
        sa.text("SELECT person_id, address FROM identities WHERE channel = 'telegram'")
    ).all()
    mapping = {person: int(address) for person, address in rows}
    named = sa.table("identities", sa.column("person_id"), sa.column("channel"))
    known = sa.select(named.c.person_id).where(named.c.channel == "telegram")
    for table, _column, key in KEYED:
        rows_of = sa.table(table, sa.column("telegram_id"))
        nameless = (rows_of.c.telegram_id > 0) & rows_of.c.telegram_id.not_in(known)
        if key:  # a person Telegram cannot name: their own rows would mean nobody
            bind.execute(sa.delete(rows_of).where(nameless))
        else:  # a round or a check still counts, under an alias as after an erasure
            bind.execute(
                sa.update(rows_of).where(nameless).values(telegram_id=-rows_of.c.telegram_id)
            )
    _remap(mapping, column="telegram_id")
    _remap_json(bind, mapping.get)
    op.drop_table(MAP)
    op.drop_index("ix_deliveries_person_id", table_name="deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("person_id")
    op.drop_index("ix_identities_person_id", table_name="identities")
    op.drop_table("identities")
    op.drop_table("people")


def _telegram_ids(bind: sa.Connection) -> set[int]:
    """Every positive id that stands for a person, from every column that names one."""
    columns = [(t, c) for t, c, _key in KEYED] + list(NAMING) + [("deliveries", "chat_id")]
    found: set[int] = set()
    for table, column in columns:
        rows = bind.execute(sa.text(f"SELECT DISTINCT {column} FROM {table} WHERE {column} > 0"))
        found.update(int(value) for (value,) in rows)
    for _id, action, detail in _details(bind):
        found.update(p for k in DETAIL_KEYS[action] if (p := _person(detail.get(k))))
    for _id, payload in _admin_payloads(bind):
        if officer := _person(payload["officer"]):
            found.add(officer)
    return found


def _remap(mapping: dict[int, int], *, column: str = "") -> None:
    """Rewrite every person column through ``mapping`` (old → new), leaving the mapping
    table for the deliveries. Keys go through their negative first: an old id may equal
    another row's new one, and PostgreSQL checks uniqueness row by row."""
    op.create_table(
        MAP,
        sa.Column("old", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
    )
    table = sa.table(MAP, sa.column("old"), sa.column("person_id"))
    if mapping:
        op.bulk_insert(table, [{"old": o, "person_id": n} for o, n in mapping.items()])
    lookup = f"(SELECT person_id FROM {MAP} WHERE {MAP}.old = {{col}})"
    for name, keyed_column, key in KEYED:
        col = column or keyed_column
        if key:
            op.execute(f"UPDATE {name} SET {col} = -{lookup.format(col=col)} WHERE {col} > 0")
            op.execute(f"UPDATE {name} SET {col} = -{col} WHERE {col} < 0")
        else:
            op.execute(f"UPDATE {name} SET {col} = {lookup.format(col=col)} WHERE {col} > 0")
    for name, col in NAMING:
        op.execute(f"UPDATE {name} SET {col} = {lookup.format(col=col)} WHERE {col} > 0")


def _rename(old: str, new: str) -> None:
    for table, _column, key in KEYED:
        if not key:
            op.drop_index(f"ix_{table}_{old}", table_name=table)
        # Both databases rename a column in place (SQLite since 3.25); a batch copy of
        # the table would be slower and nothing else about it changes.
        op.execute(f"ALTER TABLE {table} RENAME COLUMN {old} TO {new}")
        if not key:
            op.create_index(f"ix_{table}_{new}", table, [new])


def _remap_json(bind: sa.Connection, new: Callable[[int], int | None]) -> None:
    """The officer named in case histories and in the admins' handover notices."""
    for row_id, action, detail in _details(bind):
        keys = DETAIL_KEYS[action]
        changed = {k: _mapped(v, new) if k in keys else v for k, v in detail.items()}
        _store(bind, "help_events", "detail", row_id, changed)
    for row_id, payload in _admin_payloads(bind):
        changed = {**payload, "officer": _mapped(payload["officer"], new)}
        _store(bind, "deliveries", "payload", row_id, changed)


def _person(value: Any) -> int | None:
    """``value`` if it is a positive id (not a flag, not the bot, not a former officer)."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def _mapped(value: Any, new: Callable[[int], int | None]) -> Any:
    person = _person(value)
    return value if person is None else new(person)


def _details(bind: sa.Connection) -> Iterable[tuple[int, str, dict[str, Any]]]:
    events = sa.table(
        "help_events", sa.column("id"), sa.column("action"), sa.column("detail", sa.JSON())
    )
    rows = bind.execute(
        sa.select(events.c.id, events.c.action, events.c.detail)
        .where(events.c.action.in_(list(DETAIL_KEYS)))
        .order_by(events.c.id)
    )
    for row_id, action, detail in rows.all():
        yield row_id, action, dict(detail or {})


def _admin_payloads(bind: sa.Connection) -> Iterable[tuple[int, dict[str, Any]]]:
    rows = sa.table(
        "deliveries", sa.column("id"), sa.column("kind"), sa.column("payload", sa.JSON())
    )
    found = bind.execute(
        sa.select(rows.c.id, rows.c.payload).where(rows.c.kind == ADMIN_NOTICE).order_by(rows.c.id)
    )
    for row_id, payload in found.all():
        if isinstance(payload, dict) and "officer" in payload:
            yield row_id, dict(payload)


def _store(bind: sa.Connection, table: str, column: str, row_id: int, value: Any) -> None:
    target = sa.table(table, sa.column("id"), sa.column(column, sa.JSON()))
    bind.execute(sa.update(target).where(target.c.id == row_id).values({column: value}))
