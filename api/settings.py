"""Every setting, read once from the environment.

`SETTINGS` is the one list that drives `Settings.from_env`, `.env.example` and the README table
(a test keeps the three in agreement).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class SettingsError(ValueError):
    """A setting in the environment is missing or malformed."""


@dataclass(frozen=True)
class Setting:
    env: str
    attr: str
    default: str
    help: str
    parse: Callable[[str], Any] = str


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError("must be a positive whole number")
    return value


def _database_url(text: str) -> str:
    if text and not text.startswith(("postgresql://", "postgres://")):
        raise ValueError("must start with postgresql://")
    return text


def _log_level(text: str) -> str:
    level = text.upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
    return level


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        "database_url",
        "",
        "PostgreSQL server to use (postgresql://…). Empty: start the embedded server under MAILFLOW_HOME.",
        _database_url,
    ),
    Setting(
        "MAILFLOW_HOME",
        "home",
        "~/.local/share/mailflow",
        "Where the embedded PostgreSQL keeps its data.",
        lambda t: Path(t).expanduser(),
    ),
    Setting("MAILFLOW_HOST", "host", "127.0.0.1", "Address `mailflow serve` listens on."),
    Setting("MAILFLOW_PORT", "port", "8000", "Port `mailflow serve` listens on.", _positive_int),
    Setting(
        "MAILFLOW_ORG",
        "org_name",
        "default",
        "The organization the API acts on (until API keys pick it).",
    ),
    Setting(
        "MAILFLOW_MAX_BODY_BYTES",
        "max_body_bytes",
        str(32 * 1024 * 1024),
        "Largest request body accepted, counted after gzip decompression (413 above it).",
        _positive_int,
    ),
    Setting(
        "MAILFLOW_RETENTION_DAYS",
        "retention_days",
        "90",
        "Messages and rollups older than this are removed by `mailflow prune` and daily by the server.",
        _positive_int,
    ),
    Setting(
        "MAILFLOW_INSIGHTS_EVERY_SECONDS",
        "insights_every_seconds",
        "300",
        "How often the server re-evaluates every insight, so that windows slide with time.",
        _positive_int,
    ),
    Setting("MAILFLOW_POOL_SIZE", "pool_size", "10", "Most database connections per process.", _positive_int),
    Setting("MAILFLOW_LOG_LEVEL", "log_level", "INFO", "DEBUG, INFO, WARNING or ERROR.", _log_level),
)


@dataclass(frozen=True)
class Settings:
    database_url: str = ""
    home: Path = field(default_factory=lambda: Path("~/.local/share/mailflow").expanduser())
    host: str = "127.0.0.1"
    port: int = 8000
    org_name: str = "default"
    max_body_bytes: int = 32 * 1024 * 1024
    retention_days: int = 90
    insights_every_seconds: int = 300
    pool_size: int = 10
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            raw = env.get(setting.env, setting.default)
            try:
                values[setting.attr] = setting.parse(raw.strip())
            except ValueError as exc:
                raise SettingsError(f"{setting.env}={raw!r}: {exc}") from None
        return cls(**values)
