"""No personal data in the log: a database error during a help request's Send, a failing
deadline of a case and a Bot API call Telegram refuses are logged with the error's type
and the ids only, never the requester's words, at any level, nor the bot token.

Everything every logger emits is captured at DEBUG (with the library levels that the
bot's logging setup pins, ``bot.logs.quiet_libraries``) and rendered with the bot's own
formatter, tracebacks included.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from telegram import Update

from bot import logs
from bot.config import Settings
from bot.services import case_alerts
from storage.models import Delivery
from tests.announcing import villager
from tests.helping import FAMILY, ask_for_help, cases_of
from tests.people import person as person_id
from tests.transcript import first_line, label

TOKEN = "123456:SECRET-token-never-logged"
DESCRIPTION = "Majikan mengunci dia di rumah dan mengambil paspornya."
PRIVATE = (
    FAMILY["name"],
    FAMILY["contact"],
    FAMILY["employer"],
    FAMILY["city"],
    FAMILY["last_contact"],
    "mengunci",
    "paspornya",
    TOKEN,
    TOKEN.split(":")[1],
)
# What a database error message quoting a row looks like ("Key (x)=(…)", a trigger's
# RAISE, "invalid input syntax: …"): the test's faults quote the person's data.
QUOTED = f"refused value: {FAMILY['name']}, {FAMILY['contact']}, {DESCRIPTION}"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The usual test settings with a bot token, which must never reach the log."""
    return settings.model_copy(update={"telegram_bot_token": SecretStr(TOKEN)})


@pytest.fixture
def everything(caplog: pytest.LogCaptureFixture):
    """Every record of every logger at DEBUG, with the bot's library levels."""
    levels = {name: logging.getLogger(name).level for name in logs.LIBRARY_LEVELS}
    logs.quiet_libraries()
    caplog.set_level(logging.DEBUG)
    yield caplog
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """All records as the bot's formatter writes them (with tracebacks), and their raw
    arguments."""
    formatter = logs.PrivateFormatter(logs.FORMAT)
    return "\n".join(
        f"{formatter.format(record)}\n{record.getMessage()}\n{record.args!r}"
        for record in caplog.records
    )


def assert_private(text_logged: str) -> None:
    found = [word for word in PRIVATE if word.lower() in text_logged.lower()]
    assert found == [], f"personal data in the log: {found}\n{text_logged}"


async def refuse(db, table: str, operation: str) -> None:
    """A database fault: every ``operation`` on ``table`` fails with a message quoting
    the person's data."""
    message = QUOTED.replace("'", "''")
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(
            text(
                "CREATE OR REPLACE FUNCTION refuse_row() RETURNS trigger AS $$ BEGIN "
                f"RAISE EXCEPTION '{message}'; END $$ LANGUAGE plpgsql"
            )
        )
        await db.execute(
            text(
                f"CREATE TRIGGER refuse_row BEFORE {operation} ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_row()"
            )
        )
    else:
        await db.execute(
            text(
                f"CREATE TRIGGER refuse_row BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
        )
    await db.commit()


async def heal(db, table: str) -> None:
    on_table = f" ON {table}" if db.get_bind().dialect.name == "postgresql" else ""
    await db.execute(text(f"DROP TRIGGER IF EXISTS refuse_row{on_table}"))
    await db.commit()


def error_type(db) -> str:
    """How SQLAlchemy reports the trigger's refusal on this database."""
    if db.get_bind().dialect.name == "postgresql":
        return "sqlalchemy.exc.DBAPIError [P0001]"  # asyncpg's RaiseError (raise_exception)
    return "sqlalchemy.exc.IntegrityError [SQLITE_CONSTRAINT_TRIGGER]"


async def test_a_database_error_at_send_logs_the_ids_not_the_request(
    app, person, emulator, db, everything
):
    p = await villager(person, 701)
    review = await ask_for_help(
        p, details={"city": FAMILY["city"]}, description=DESCRIPTION, send=False
    )
    assert FAMILY["name"] in review.text  # the review shows what must not be logged
    send = p.last_with_buttons()
    data = send.find_button(label("id", "button", "✅ Send to the officers")).callback_data
    tap = emulator.callback_update(701, send.message_id, data)
    await refuse(db, "help_requests", "INSERT")
    everything.clear()
    try:
        await app.process_update(Update.de_json(tap, app.bot))
    finally:
        await heal(db, "help_requests")

    answer = emulator.bot_messages(701)[-1].text
    assert answer.startswith(first_line("id", "Sorry, something went wrong on our side"))
    assert await cases_of(db, await person_id(db, 701)) == []
    text_logged = logged(everything)
    assert_private(text_logged)
    assert (
        f"error handling callback_query: {error_type(db)} "
        f"(update {tap['update_id']}, user 701, chat 701)"
    ) in text_logged
    assert "Traceback (most recent call last):" in text_logged
    assert 'handlers/help_review.py", line' in text_logged
    errors = [r for r in everything.records if r.levelno >= logging.ERROR]
    assert [r.name for r in errors] == ["desmigratif.errors"]
    assert all(record.exc_info is None for record in everything.records)


async def test_a_failing_deadline_logs_the_case_and_delivery_not_the_request(
    app, person, db, clock, sweep, everything
):
    p = await villager(person, 702)
    await ask_for_help(p, details={"city": FAMILY["city"]}, description=DESCRIPTION)
    [case] = await cases_of(db, await person_id(db, 702))
    await sweep()  # the notices of the new request
    deadlines = (
        await db.execute(
            select(Delivery.id, Delivery.payload).where(Delivery.kind == case_alerts.DEADLINE)
        )
    ).all()
    [escalation] = [row.id for row in deadlines if row.payload["check"] == "escalate"]
    clock.advance(timedelta(hours=25))  # a normal request escalates after 24 hours
    await refuse(db, "help_requests", "UPDATE")
    everything.clear()
    try:
        await sweep()
    finally:
        await heal(db, "help_requests")

    text_logged = logged(everything)
    assert_private(text_logged)
    assert (
        f"deadline failed: {error_type(db)} (delivery {escalation}, case {case.id})"
    ) in text_logged
    assert "bot/delivery/cases.py" in text_logged
    assert all(record.exc_info is None for record in everything.records)


async def test_a_refused_bot_api_call_logs_the_method_not_the_text(person, emulator, everything):
    p = await villager(person, 703)
    await ask_for_help(p, description=DESCRIPTION, send=False)
    await p.tap(label("id", "button", "✏️ Edit"))
    # Back to the review (name, phone, description): Telegram refuses it, and its
    # description quotes what it could not parse.
    emulator.inject(
        "bad_request",
        chat_id=703,
        methods=["sendMessage", "editMessageText"],
        description=(
            "Bad Request: can't parse entities: Unsupported start tag "
            f'"{FAMILY["name"]} {FAMILY["contact"]}" at byte offset 12'
        ),
    )
    everything.clear()
    reply = await p.tap(label("id", "button", "« Back to the request"))
    emulator.clear_faults()

    assert reply.messages == []  # refused: nothing reached the chat
    text_logged = logged(everything)
    assert_private(text_logged)
    assert (
        "Telegram refused edit_message_text to chat 703: "
        "telegram.error.BadRequest [Can't parse entities]"
    ) in text_logged


async def test_a_database_error_message_never_carries_the_parameters(db):
    """``storage.db`` hides statement parameters: an error quotes the SQL, not the values."""
    await db.execute(text("CREATE TABLE refused_notes (note TEXT)"))
    await db.commit()
    await refuse(db, "refused_notes", "INSERT")
    try:
        with pytest.raises(DBAPIError) as failure:
            await db.execute(
                text("INSERT INTO refused_notes (note) VALUES (:note)"), {"note": DESCRIPTION}
            )
        await db.rollback()
    finally:
        await heal(db, "refused_notes")
        await db.execute(text("DROP TABLE refused_notes"))
        await db.commit()
    message = str(failure.value)
    assert "INSERT INTO refused_notes (note) VALUES" in message
    assert "[SQL parameters hidden due to hide_parameters=True]" in message
    assert DESCRIPTION not in message.replace(QUOTED, "")  # only the trigger's own words


def test_the_formatter_hides_what_a_library_quotes():
    """PTB's rare error lines quote a whole update, and exceptions their messages."""
    formatter = logs.PrivateFormatter("%(name)s: %(message)s")
    update = {"message": {"text": DESCRIPTION, "from": {"first_name": FAMILY["name"]}}}
    try:
        raise ValueError(QUOTED)
    except ValueError as exc:
        error = exc
    records = [
        logging.makeLogRecord(
            {
                "name": "telegram.Bot",
                "levelno": logging.CRITICAL,
                "msg": "Error while parsing updates! Received data was %r",
                "args": ([update],),
                "exc_info": (ValueError, error, error.__traceback__),
            }
        ),
        logging.makeLogRecord(
            {
                "name": "telegram.ext.Application",
                "msg": "%s Failed run number %s of %s: %r",
                "args": ("Polling Updates", 3, 5, error),
            }
        ),
    ]
    assert [formatter.format(record).splitlines()[0] for record in records] == [
        "telegram.Bot: Error while parsing updates! Received data was '<list not shown>'",
        "telegram.ext.Application: Polling Updates Failed run number 3 of 5: 'ValueError'",
    ]
    shown = formatter.format(records[0])
    assert shown.endswith("\nValueError")
    assert "test_log_privacy.py" in shown
    assert_private(shown)
