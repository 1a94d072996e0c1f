"""Logs without people's data.

The people who write to this bot describe someone in danger: a name, a phone number, an
employer, a city. None of it may reach a log line, at any level. Two places let it slip:

- An exception's message. SQLAlchemy's ``StatementError`` quotes the statement's
  parameters (hidden by ``storage.db``, but the database's own message may still quote a
  value), a Telegram ``BadRequest`` may quote the text it refused, and ``InvalidToken``
  quotes the bot token. :func:`log_failure` therefore records the exception's *type*, the
  ids it concerns and the traceback's frames (file, line, function, the line of code),
  never the message; :class:`PrivateFormatter` renders the exceptions that libraries log
  (PTB, APScheduler, asyncio) the same way.
- Libraries' own lines. httpx logs every request URL at INFO, and the bot token is part
  of it; PTB's DEBUG lines dump whole updates, the parameters of every Bot API call and
  the base URL with the token; SQLAlchemy logs every statement at INFO and the rows read
  at DEBUG. :func:`quiet_libraries` pins those loggers above those levels, whatever level
  the bot itself runs at.

What is kept of a message is only what is known to be ours, not the person's: the
phrase a Telegram error starts with (``Message is not modified``), a database error's
code (``SQLITE_BUSY``, SQLSTATE ``40P01``), and a few fixed database messages.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.json import JsonFormatter

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LIBRARY_LEVELS = {
    "httpx": logging.WARNING,  # INFO: "HTTP Request: POST https://…/bot<TOKEN>/sendMessage"
    "httpcore": logging.WARNING,
    "telegram": logging.INFO,  # DEBUG: updates, call parameters, the base URL with the token
    "sqlalchemy": logging.WARNING,  # INFO: every statement; DEBUG: the rows read
    "aiosqlite": logging.WARNING,  # DEBUG: each call with its parameters
    "alembic": logging.WARNING,
    "apscheduler": logging.WARNING,  # INFO: a line per sweep, every second
}
# Messages that are the database's own words, never a value (``sqlite3``'s fixed texts).
SAFE_DATABASE_MESSAGES = frozenset({"database is locked", "database table is locked"})
OWN_LOGGERS = "desmigratif"  # whose arguments are ids and counts, written for the log
LIBRARY_TEXT = 40  # a library's string argument longer than this may be data


def setup(level: int, log_format: str = "text") -> None:
    """The process's logging: one stream handler with :class:`PrivateFormatter`, or with
    :class:`PrivateJsonFormatter` for ``json`` (one object per line, for log shippers)."""
    handler = logging.StreamHandler()
    formatter = PrivateJsonFormatter() if log_format == "json" else PrivateFormatter(FORMAT)
    handler.setFormatter(formatter)
    logging.basicConfig(level=level, handlers=[handler])
    quiet_libraries()


def quiet_libraries() -> None:
    for name, level in LIBRARY_LEVELS.items():
        logging.getLogger(name).setLevel(level)


def log_failure(
    logger: logging.Logger,
    what: str,
    exc: BaseException,
    *,
    level: int = logging.ERROR,
    **ids: int | str | None,
) -> None:
    """Log ``what: <exception type> (case 12, delivery 40)`` and the traceback's frames.

    ``ids`` are row and update ids and Telegram ids only, never a text.
    """
    if not logger.isEnabledFor(level):
        return
    about = ", ".join(f"{name} {'-' if value is None else value}" for name, value in ids.items())
    line = f"{what}: {describe(exc)}" + (f" ({about})" if about else "")
    logger.log(level, "%s\n%s", line, traceback_text(exc))


def describe(exc: BaseException) -> str:
    """The exception's type, with what of its message is known to carry no data."""
    cls = type(exc)
    name = (
        cls.__qualname__
        if cls.__module__ == "builtins"
        else f"{cls.__module__}.{cls.__qualname__}"
    )
    detail = _safe_detail(exc)
    return f"{name} [{detail}]" if detail else name


def traceback_text(exc: BaseException) -> str:
    """The traceback as Python prints it, each exception shown by :func:`describe`."""
    chain: list[tuple[BaseException, str | None]] = []
    current: BaseException | None = exc
    link: str | None = None
    while current is not None and all(current is not seen for seen, _link in chain):
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, _CAUSE
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, _CONTEXT
        else:
            current = None
    parts: list[str] = []
    for item, _link in reversed(chain):
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(item.__traceback__))
        parts.append(describe(item) + "\n")
        if _link is not None:
            parts.append(_link)
    return "".join(parts).rstrip("\n")


_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


class PrivateFormatter(logging.Formatter):
    """A formatter that never prints an exception's message.

    Exceptions attached to a record (``exc_info``) are rendered by :func:`traceback_text`;
    exceptions passed as arguments (``log.warning("failed: %s", exc)``) by :func:`describe`.
    A library's arguments that may be data are not shown either: PTB's rare error lines
    quote a whole update or response ("Error while parsing updates! Received data was %r").
    """

    def format(self, record: logging.LogRecord) -> str:
        private = logging.makeLogRecord(record.__dict__)
        private.exc_text = None  # another handler may have cached the full text
        if not isinstance(private.msg, str):  # a dict or an object: may be anything
            private.msg, private.args = f"<{type(private.msg).__name__} not shown>", ()
        library = not record.name.startswith(OWN_LOGGERS)
        if isinstance(private.args, tuple):
            private.args = tuple(_shown(arg, library) for arg in private.args)
        elif isinstance(private.args, dict):
            private.args = {key: _shown(arg, library) for key, arg in private.args.items()}
        return super().format(private)

    def formatException(self, ei: Any) -> str:
        exc = ei[1] if ei else None
        return traceback_text(exc) if isinstance(exc, BaseException) else ""


class PrivateJsonFormatter(PrivateFormatter, JsonFormatter):
    """:class:`PrivateFormatter`'s rules, written as one JSON object per line:
    ``{"time", "level", "logger", "message"[, "exc_info"]}`` and nothing else: fields a
    library attaches to a record (``extra=``) may be data, so none is copied."""

    def __init__(self) -> None:
        JsonFormatter.__init__(self)

    def add_fields(
        self,
        log_data: dict[str, Any],
        record: logging.LogRecord,
        message_dict: dict[str, Any],
    ) -> None:
        log_data["time"] = datetime.fromtimestamp(record.created, UTC).isoformat(
            timespec="milliseconds"
        )
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["message"] = record.message
        if message_dict.get("exc_info"):
            log_data["exc_info"] = message_dict["exc_info"]


def _shown(arg: object, library: bool) -> object:
    if isinstance(arg, BaseException):
        return describe(arg)
    if not library or arg is None or isinstance(arg, int | float):
        return arg
    if isinstance(arg, str) and len(arg) <= LIBRARY_TEXT:
        return arg  # a job's name, a log prefix
    return f"<{type(arg).__name__} not shown>"


# A channel adapter registers what of its library's errors is safe to log (Telegram's:
# bot.channels.telegram.errors): the detail, or None when the error is not its library's.
DETAILS: list[Callable[[BaseException], str | None]] = []


def _safe_detail(exc: BaseException) -> str:
    for detail in DETAILS:
        if (found := detail(exc)) is not None:
            return found
    cause = getattr(exc, "orig", None)  # SQLAlchemy's DBAPIError: the driver's error
    details = []
    for error in (exc, cause, getattr(cause, "__cause__", None)):
        if error is None:
            continue
        code = getattr(error, "sqlite_errorname", None) or getattr(error, "sqlstate", None)
        if isinstance(code, str) and code not in details:
            details.append(code)
        message = str(error.args[0]) if error.args else ""
        if message in SAFE_DATABASE_MESSAGES and message not in details:
            details.append(message)
    return ", ".join(details)
