"""Settings from the environment and ``.env`` (bot/config.py)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings, SettingsError, load_settings
from storage.db import DEFAULT_DATABASE_URL

VARIABLES = [name.upper() for name in Settings.model_fields]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No setting from the real environment, and a working directory without a ``.env``."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def config_error(**env: str) -> str:
    """The message ``load_settings`` exits with, given these environment variables."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        with pytest.raises(SettingsError) as caught:
            load_settings()
    return str(caught.value)


class TestDefaults:
    def test_defaults(self) -> None:
        settings = load_settings()
        assert settings.database_url == DEFAULT_DATABASE_URL
        assert settings.database_url.startswith("sqlite+aiosqlite:///data/")
        assert settings.default_locale == "id"
        assert settings.timezone == "Asia/Jakarta"
        assert settings.tz == ZoneInfo("Asia/Jakarta")
        assert settings.admin_ids == frozenset()
        assert settings.telegram_bot_token is None
        assert settings.telegram_api_base_url is None
        assert settings.auto_migrate is True

    def test_settings_are_frozen(self) -> None:
        settings = load_settings()
        with pytest.raises(ValueError, match="frozen"):
            settings.timezone = "UTC"  # type: ignore[misc]


class TestEnvironment:
    def test_values_are_read(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:secret")
        monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u:p@db/desmigratif")
        monkeypatch.setenv("DEFAULT_LOCALE", "jv")
        monkeypatch.setenv("TIMEZONE", "Asia/Makassar")
        monkeypatch.setenv("AUTO_MIGRATE", "false")
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://localhost:8081/bot")
        settings = load_settings()
        assert settings.telegram_bot_token is not None
        assert settings.telegram_bot_token.get_secret_value() == "123:secret"
        assert "123:secret" not in repr(settings)
        assert settings.database_url == "postgresql+asyncpg://u:p@db/desmigratif"
        assert settings.default_locale == "jv"
        assert settings.tz == ZoneInfo("Asia/Makassar")
        assert settings.auto_migrate is False
        assert settings.telegram_api_base_url == "http://localhost:8081/bot"

    @pytest.mark.parametrize(
        ("value", "expected"),
        [("1, 2,3", {1, 2, 3}), ("42", {42}), ("7;8", {7, 8}), ("1,,2,", {1, 2}), ("", set())],
    )
    def test_admin_ids_are_split(
        self, monkeypatch: pytest.MonkeyPatch, value: str, expected: set[int]
    ) -> None:
        monkeypatch.setenv("ADMIN_IDS", value)
        assert load_settings().admin_ids == frozenset(expected)

    def test_overrides_win_over_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("DEFAULT_LOCALE", "jv")
        assert load_settings(default_locale="en").default_locale == "en"


class TestErrors:
    @pytest.mark.parametrize(
        ("name", "value", "reason"),
        [
            ("TIMEZONE", "Mars/Base", "not an IANA time zone"),
            ("TIMEZONE", "", "not an IANA time zone"),
            ("DEFAULT_LOCALE", "fr", "must be one of id, jv, en"),
            ("DATABASE_URL", "mysql://x", "must start with sqlite+aiosqlite://"),
            ("DATABASE_URL", "postgresql://u@db/x", "or postgresql+asyncpg://"),
            ("ADMIN_IDS", "abc", "must be comma-separated Telegram user ids"),
            ("ADMIN_IDS", "1,two", "must be comma-separated Telegram user ids"),
            ("AUTO_MIGRATE", "maybe", "valid boolean"),
        ],
    )
    def test_one_line_naming_the_variable(self, name: str, value: str, reason: str) -> None:
        message = config_error(**{name: value})
        assert message.startswith(f"Configuration error: {name}: ")
        assert reason in message
        assert "\n" not in message
        assert "Value error" not in message  # pydantic's prefix is not shown to the operator

    def test_settings_error_exits(self) -> None:
        assert issubclass(SettingsError, SystemExit)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("DEFAULT_LOCALE", "fr")
            with pytest.raises(SystemExit) as caught:
                load_settings()
        assert (
            caught.value.code == "Configuration error: DEFAULT_LOCALE: must be one of id, jv, en"
        )

    def test_bad_override_is_reported_the_same_way(self) -> None:
        with pytest.raises(SettingsError, match=r"^Configuration error: TIMEZONE: "):
            load_settings(timezone="Mars/Base")

    def test_validation_detail_is_not_chained(self) -> None:
        """The operator sees one line, not pydantic's traceback."""
        with pytest.raises(SettingsError) as caught:
            load_settings(default_locale="fr")
        assert caught.value.__cause__ is None
        assert caught.value.__suppress_context__ is True


class TestDotEnv:
    def test_dotenv_in_the_working_directory_is_read(self, clean_environment: Path) -> None:
        (clean_environment / ".env").write_text(
            "DEFAULT_LOCALE=en\nADMIN_IDS=5, 6\nTIMEZONE=Asia/Jayapura\n", encoding="utf-8"
        )
        settings = load_settings()
        assert settings.default_locale == "en"
        assert settings.admin_ids == frozenset({5, 6})
        assert settings.timezone == "Asia/Jayapura"

    def test_environment_wins_over_dotenv(
        self, clean_environment: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        (clean_environment / ".env").write_text("DEFAULT_LOCALE=en\n", encoding="utf-8")
        monkeypatch.setenv("DEFAULT_LOCALE", "jv")
        assert load_settings().default_locale == "jv"

    def test_bad_value_in_dotenv_is_reported(self, clean_environment: Path) -> None:
        (clean_environment / ".env").write_text("TIMEZONE=Mars/Base\n", encoding="utf-8")
        with pytest.raises(SettingsError, match=r"^Configuration error: TIMEZONE: "):
            load_settings()

    def test_unknown_keys_in_dotenv_are_ignored(self, clean_environment: Path) -> None:
        (clean_environment / ".env").write_text("SOMETHING_ELSE=1\n", encoding="utf-8")
        assert load_settings().default_locale == "id"


class TestSqlitePath:
    @pytest.mark.parametrize(
        ("url", "path"),
        [
            (DEFAULT_DATABASE_URL, Path("data/desmigratif.sqlite3")),
            ("sqlite+aiosqlite:////var/lib/bot.db", Path("/var/lib/bot.db")),
            ("sqlite+aiosqlite:///bot.db?timeout=5", Path("bot.db")),
            ("sqlite+aiosqlite:///:memory:", None),
            ("sqlite+aiosqlite://", None),
            ("postgresql+asyncpg://u@db/x", None),
        ],
    )
    def test_sqlite_path(self, url: str, path: Path | None) -> None:
        assert load_settings(database_url=url).sqlite_path == path


class TestOperation:
    """Webhook, LISTEN and log settings (issue 15)."""

    def test_defaults(self) -> None:
        settings = load_settings()
        assert (settings.webhook_url, settings.webhook_secret) == (None, None)
        assert settings.listen == "127.0.0.1:8080"
        assert settings.webhook_max_connections == 40
        assert settings.log_format == "text"

    @pytest.mark.parametrize(
        ("url", "path"),
        [
            ("https://bot.example.org/telegram", "/telegram"),
            ("https://bot.example.org:8443/a/b", "/a/b"),
            ("https://bot.example.org", "/"),
        ],
    )
    def test_the_webhook_path_is_the_urls(
        self, monkeypatch: pytest.MonkeyPatch, url: str, path: str
    ) -> None:
        monkeypatch.setenv("WEBHOOK_URL", url)
        assert load_settings().webhook_path == path

    @pytest.mark.parametrize(
        ("url", "said"),
        [
            ("http://bot.example.org/t", "must be an https:// URL"),
            ("bot.example.org/t", "must be an https:// URL"),
            ("https://bot.example.org:8080/t", "ports 443, 80, 88 or 8443"),
        ],
    )
    def test_a_webhook_url_telegram_would_refuse(self, url: str, said: str) -> None:
        assert config_error(WEBHOOK_URL=url).startswith("Configuration error: WEBHOOK_URL: ")
        assert said in config_error(WEBHOOK_URL=url)

    @pytest.mark.parametrize("secret", ["a b", "x" * 257, "kunci/rahasia", "é"])
    def test_a_secret_outside_telegrams_alphabet(self, secret: str) -> None:
        assert config_error(WEBHOOK_SECRET=secret) == (
            "Configuration error: WEBHOOK_SECRET: must be 1-256 characters of "
            "A-Z a-z 0-9 _ - (Telegram's rule)"
        )

    def test_the_longest_secret_is_fine(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("WEBHOOK_SECRET", "A_-9" * 64)
        secret = load_settings().webhook_secret
        assert secret is not None
        assert len(secret.get_secret_value()) == 256

    @pytest.mark.parametrize(
        ("listen", "kept"),
        [("0.0.0.0:80", "0.0.0.0:80"), ("[::1]:8080", "[::1]:8080"), ("OFF", "off"), ("", "off")],
    )
    def test_listen(self, monkeypatch: pytest.MonkeyPatch, listen: str, kept: str) -> None:
        monkeypatch.setenv("LISTEN", listen)
        assert load_settings().listen == kept

    @pytest.mark.parametrize("listen", ["8080", "localhost", "host:http", "host:65536"])
    def test_a_listen_that_is_not_host_port(self, listen: str) -> None:
        assert config_error(LISTEN=listen).startswith("Configuration error: LISTEN: ")

    @pytest.mark.parametrize("connections", ["0", "101"])
    def test_max_connections_is_telegrams_range(self, connections: str) -> None:
        said = config_error(WEBHOOK_MAX_CONNECTIONS=connections)
        assert said.startswith("Configuration error: WEBHOOK_MAX_CONNECTIONS: ")
