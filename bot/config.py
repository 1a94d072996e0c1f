"""Settings, read once from the environment (and an optional ``.env``) and validated.

A missing or malformed setting stops startup with one line naming it
(:func:`load_settings`); nothing else in the code base reads ``os.environ``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from storage.db import DEFAULT_DATABASE_URL

LOCALES = ("id", "jv", "en")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    telegram_bot_token: SecretStr | None = Field(
        default=None, description="Bot token from @BotFather; needed by `desmigratif run`."
    )
    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy async URL: sqlite+aiosqlite:///path or postgresql+asyncpg://…",
    )
    telegram_api_base_url: str | None = Field(
        default=None,
        description="Base URL of a self-hosted Bot API server, e.g. http://localhost:8081/bot",
    )
    default_locale: str = Field(default="id", description="Language for new users: id, jv or en.")
    timezone: str = Field(default="Asia/Jakarta", description="IANA zone for times shown.")
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(),
        description="Comma-separated Telegram user ids allowed to grant officer roles.",
    )
    officer_groups: Annotated[dict[str, int], NoDecode] = Field(
        default_factory=dict,
        description=(
            "Officers' group chats per area, told of new and escalated help requests "
            "(never phone numbers or descriptions): kebumen=-1001234,jogosimo=-1005678"
        ),
    )
    broadcast_rate: float = Field(
        default=25.0,
        gt=0,
        le=1000,
        description="Messages per second the delivery engine sends at most (all chats).",
    )
    broadcast_paid: bool = Field(
        default=False,
        description="Send announcements as paid broadcasts (allow_paid_broadcast, Stars).",
    )
    delivery_lease_seconds: int = Field(
        default=60, ge=5, description="How long a claimed delivery is reserved for a process."
    )
    delivery_max_attempts: int = Field(
        default=5, ge=1, description="Tries per delivery on 5xx answers and time-outs."
    )
    update_concurrency: int = Field(
        default=64,
        ge=1,
        le=1024,
        description=(
            "Updates handled at the same time (one person's always one after another). "
            "With ~100 ms per Telegram call, one at a time would serve ~6 updates/s."
        ),
    )
    inbox_retention_hours: int = Field(
        default=24,
        ge=1,
        description="How long the key of a handled update is kept to recognise duplicates.",
    )
    inbox_lease_seconds: int = Field(
        default=30,
        ge=2,
        le=3600,
        description=(
            "How long a process keeps a person's line without renewing it; after that "
            "another process takes their waiting updates over (it renews every third)."
        ),
    )
    instance_name: str | None = Field(
        default=None,
        max_length=100,
        description=(
            "This process's name among several sharing the database (default: the host "
            "name and LISTEN, or the process id without a fixed port). A restarted "
            "process with the same name takes its lines back at once instead of waiting "
            "for their lease."
        ),
    )
    auto_migrate: bool = Field(
        default=True, description="Apply database migrations when the bot starts."
    )
    # Limits per person (issue 11): one person must not flood the officers or the bot.
    max_open_requests: int = Field(
        default=3, ge=1, description="Help requests one person may have open at a time."
    )
    max_description_chars: int = Field(
        default=4000,
        ge=100,
        description="Characters a help request's description may have in all while writing.",
    )
    max_files_per_request: int = Field(
        default=10, ge=1, description="Photos, voice notes and documents sent with a request."
    )
    max_files_per_case: int = Field(
        default=30,
        ge=1,
        description="Files a requester may put on one case in all (with the request's own).",
    )
    max_messages_per_hour: int = Field(
        default=20, ge=1, description="Messages a requester may add to their cases per hour."
    )
    rate_limit_updates: int = Field(
        default=20,
        ge=0,
        description="Updates one person may send in RATE_LIMIT_SECONDS (0: no limit).",
    )
    rate_limit_seconds: float = Field(
        default=10.0, gt=0, le=3600, description="The window of RATE_LIMIT_UPDATES."
    )

    # Operation (issue 15): webhook mode, the HTTP endpoints, logs.
    webhook_url: str | None = Field(
        default=None,
        description=(
            "Public https URL Telegram posts updates to (`desmigratif run --webhook`); "
            "its path is the route, e.g. https://bot.example.org/telegram"
        ),
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="Secret Telegram sends with every update (1-256 of A-Z a-z 0-9 _ -).",
    )
    webhook_max_connections: int = Field(
        default=40, ge=1, le=100, description="Connections Telegram opens to the webhook."
    )
    listen: str = Field(
        default="127.0.0.1:8080",
        description=(
            "host:port of the webhook, /healthz, /readyz and /metrics (polling mode: "
            "'off' serves nothing)"
        ),
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="text, or json: one JSON object per line."
    )

    @field_validator("webhook_url")
    @classmethod
    def _https_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        parsed = urlsplit(value)
        if parsed.scheme != "https" or not parsed.hostname:
            raise ValueError("must be an https:// URL, e.g. https://bot.example.org/telegram")
        if (parsed.port or 443) not in (443, 80, 88, 8443):
            raise ValueError("Telegram posts only to ports 443, 80, 88 or 8443")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_alphabet(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()
        ):
            raise ValueError("must be 1-256 characters of A-Z a-z 0-9 _ - (Telegram's rule)")
        return value

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        from bot.http_server import parse_listen

        if value.strip().lower() in ("", "off"):
            return "off"
        parse_listen(value)
        return value

    @property
    def webhook_path(self) -> str:
        """Where Telegram posts: the path of WEBHOOK_URL ("/" when it has none)."""
        return urlsplit(self.webhook_url or "").path or "/"

    @property
    def instance(self) -> str:
        """This process's name in the inbox lines: ``INSTANCE_NAME``, else host:LISTEN
        when that names a fixed port (two processes cannot both listen there), else
        host and process id (a restart is then a stranger: its lines wait their lease)."""
        import os
        import socket

        if self.instance_name:
            return self.instance_name
        if self.listen != "off" and not self.listen.endswith(":0"):
            return f"{socket.gethostname()}:{self.listen}"
        return f"{socket.gethostname()}:pid{os.getpid()}"

    @model_validator(mode="after")
    def _paid_rate(self) -> Settings:
        # Telegram allows ~30 messages/s without paid broadcasts; above that needs them.
        if self.broadcast_rate > 30 and not self.broadcast_paid:
            raise ValueError("BROADCAST_RATE above 30 needs BROADCAST_PAID=true (paid broadcasts)")
        return self

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in LOCALES:
            raise ValueError(f"must be one of {', '.join(LOCALES)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("not an IANA time zone such as Asia/Jakarta") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            try:
                return frozenset(int(part) for part in parts if part)
            except ValueError:
                raise ValueError(
                    "must be comma-separated Telegram user ids, e.g. 123,456"
                ) from None
        return value

    @field_validator("officer_groups", mode="before")
    @classmethod
    def _split_groups(cls, value: object) -> object:
        if isinstance(value, str):
            groups: dict[str, int] = {}
            for part in filter(None, (p.strip() for p in value.replace(";", ",").split(","))):
                area, _, chat = part.partition("=")
                try:
                    groups[area.strip().lower()] = int(chat)
                except ValueError:
                    raise ValueError(
                        "must be area=chat-id pairs, e.g. kebumen=-1001234,jogosimo=-1005678"
                    ) from None
            return groups
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def sqlite_path(self) -> Path | None:
        """The database file for a file-backed SQLite URL, else None."""
        prefix = "sqlite+aiosqlite:///"
        if not self.database_url.startswith(prefix):
            return None
        path = self.database_url.removeprefix(prefix).split("?", 1)[0]
        return None if path in ("", ":memory:") else Path(path)


class SettingsError(SystemExit):
    """Raised with a one-line message when the configuration is unusable."""


def load_settings(**overrides: object) -> Settings:
    """Read the settings or exit with one clear line naming the bad setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "BROADCAST_RATE"
        message = error["msg"].removeprefix("Value error, ")
        raise SettingsError(f"Configuration error: {name}: {message}") from None
