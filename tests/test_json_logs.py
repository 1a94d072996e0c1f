"""``LOG_FORMAT=json``: one JSON object per line, the same privacy rules as the text
format (:mod:`bot.logs`): no exception message, no library argument that may be data,
no field a library attaches to a record."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest

from bot.config import Settings
from bot.logs import PrivateJsonFormatter

SECRET_WORDS = ("Siti", "081234567890", "dipukul")


def render(record: logging.LogRecord) -> dict[str, object]:
    line = PrivateJsonFormatter().format(record)
    assert "\n" not in line  # one object per line, tracebacks included
    return json.loads(line)


def record(name: str, msg: object, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord(name, logging.ERROR, __file__, 1, msg, args, None)
    made.__dict__.update(extra)
    return made


def test_our_line_has_exactly_its_fields():
    got = render(record("desmigratif.delivery", "delivery %d failed after %d tries", 40, 5))
    assert set(got) == {"time", "level", "logger", "message"}
    assert (got["level"], got["logger"], got["message"]) == (
        "ERROR",
        "desmigratif.delivery",
        "delivery 40 failed after 5 tries",
    )
    assert str(got["time"]).endswith("+00:00")


def test_an_exception_is_its_type_and_frames_never_its_message():
    words = " ".join(SECRET_WORDS)
    try:
        raise ValueError(words)
    except ValueError:
        import sys

        made = logging.LogRecord(
            "desmigratif.x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    got = render(made)
    trace = str(got["exc_info"])
    assert trace.startswith("Traceback (most recent call last):")
    assert trace.endswith("ValueError")
    assert not any(word in json.dumps(got) for word in SECRET_WORDS)


def test_a_librarys_long_argument_and_extra_fields_are_not_copied():
    got = render(
        record(
            "telegram.ext.Application",
            "Error while parsing updates! Received data was %r",
            b'{"message": {"text": "Siti 081234567890 dipukul"}}',
            update={"text": "Siti"},  # extra= of a library
            user="Siti",
        )
    )
    assert set(got) == {"time", "level", "logger", "message"}
    assert got["message"] == "Error while parsing updates! Received data was '<bytes not shown>'"


@pytest.mark.parametrize("msg", [{"text": "Siti dipukul"}, ["081234567890"]])
def test_a_message_that_is_not_text_is_not_shown(msg):
    got = render(record("somelib", msg))
    assert got["message"] == f"<{type(msg).__name__} not shown>"
    assert not any(word in json.dumps(got) for word in SECRET_WORDS)


def test_the_setting(monkeypatch):
    monkeypatch.setenv("LOG_FORMAT", "json")
    assert Settings(_env_file=None).log_format == "json"  # type: ignore[call-arg]
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ValueError, match="log_format"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_setup_writes_json_lines():
    """What the process does with LOG_FORMAT=json: every line on stderr is an object."""
    script = (
        "import logging; from bot import logs; logs.setup(logging.INFO, 'json'); "
        "logging.getLogger('desmigratif.x').info('case %d escalated', 12); "
        "logging.getLogger('httpx').info('HTTP Request: POST https://api/bot123:ABC/x')"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert [(line["logger"], line["message"]) for line in lines] == [
        ("desmigratif.x", "case 12 escalated")  # httpx's INFO line (the token) is muted
    ]
