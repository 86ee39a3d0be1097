"""Settings from KUULOLLA_* variables, and the refusals that keep production safe."""

from __future__ import annotations

from pathlib import Path

import pytest

from kuulolla.core.settings import DEVELOPMENT_SECRET, Settings, SettingsError

SECRET = "s" * 40


def test_reads_prefixed_variables() -> None:
    """Typed values come from KUULOLLA_* variables."""
    settings = Settings.from_env(
        {
            "KUULOLLA_SECRET_KEY": SECRET,
            "KUULOLLA_PORT": "9000",
            "KUULOLLA_SEND_RATE": "1.5",
            "KUULOLLA_ALLOWED_ORIGINS": "https://a.fi, https://b.fi",
            "KUULOLLA_DATA_DIR": "/tmp/k",
        }
    )
    assert settings.port == 9000
    assert settings.send_rate == 1.5
    assert settings.allowed_origins == ("https://a.fi", "https://b.fi")
    assert settings.data_dir == Path("/tmp/k")


def test_default_secret_refused_in_production() -> None:
    """Production refuses to start with the built-in development secret."""
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        Settings.from_env({})


def test_default_secret_allowed_in_development() -> None:
    """Development mode runs with the built-in secret."""
    settings = Settings.from_env({"KUULOLLA_ENV": "development"})
    assert settings.secret_key == DEVELOPMENT_SECRET


def test_several_workers_need_redis() -> None:
    """More than one worker without Redis is refused with a message naming the variable."""
    with pytest.raises(SettingsError, match="KUULOLLA_REDIS_URL"):
        Settings.from_env({"KUULOLLA_SECRET_KEY": SECRET, "KUULOLLA_WORKERS": "2"})


def test_bad_number_names_variable() -> None:
    """An unparsable value is reported with the variable's name."""
    with pytest.raises(SettingsError, match="KUULOLLA_PORT"):
        Settings.from_env({"KUULOLLA_SECRET_KEY": SECRET, "KUULOLLA_PORT": "eighty"})


def test_default_database_is_sqlite_in_data_dir() -> None:
    """Without a database URL the service uses a SQLite file in the data directory."""
    settings = Settings.from_env({"KUULOLLA_SECRET_KEY": SECRET, "KUULOLLA_DATA_DIR": "/srv/k"})
    assert settings.effective_database_url == "sqlite+aiosqlite:////srv/k/kuulolla.sqlite3"


@pytest.mark.parametrize(
    ("url", "size"),
    [("", 2), ("postgresql+asyncpg://k@db/k", 10)],
)
def test_pool_size_defaults_to_the_database(url: str, size: int) -> None:
    """Without a pool size, SQLite gets 2 connections per process and PostgreSQL 10."""
    settings = Settings.from_env({"KUULOLLA_SECRET_KEY": SECRET, "KUULOLLA_DATABASE_URL": url})
    assert settings.effective_db_pool_size == size


def test_pool_size_set_is_kept() -> None:
    """A pool size that is set applies on either database."""
    settings = Settings.from_env({"KUULOLLA_SECRET_KEY": SECRET, "KUULOLLA_DB_POOL_SIZE": "6"})
    assert settings.effective_db_pool_size == 6


def test_negative_pool_size_refused() -> None:
    """A negative pool size is refused with the variable's name."""
    with pytest.raises(SettingsError, match="KUULOLLA_DB_POOL_SIZE"):
        Settings.from_env({"KUULOLLA_SECRET_KEY": SECRET, "KUULOLLA_DB_POOL_SIZE": "-1"})


def test_to_env_round_trips() -> None:
    """Settings exported for worker processes read back the same."""
    settings = Settings.from_env(
        {"KUULOLLA_SECRET_KEY": SECRET, "KUULOLLA_ALLOWED_ORIGINS": "https://a.fi"}
    )
    assert Settings.from_env(settings.to_env()) == settings


def test_switch_interval_out_of_range_refused() -> None:
    """A GIL switch interval outside 0.1 ms–100 ms is refused with the variable's name."""
    with pytest.raises(SettingsError, match="SWITCH_INTERVAL"):
        Settings.from_env({"KUULOLLA_ENV": "development", "KUULOLLA_SWITCH_INTERVAL": "0"})
