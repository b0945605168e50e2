"""Every setting, read once from the environment: the one place that reads it.

`SETTINGS` (declared in api/setting_declarations.py) is the one list that drives `Settings.from_env`,
`.env.example` and the README table (a test keeps the three in agreement).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api.setting_declarations import SETTINGS as SETTINGS  # the one list, read here; its readers import it here


class SettingsError(ValueError):
    """A setting in the environment is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    database_url: str = ""
    home: Path = field(default_factory=lambda: Path("~/.local/share/mailflow").expanduser())
    host: str = "127.0.0.1"
    port: int = 8000
    org_name: str = "default"
    org_chosen: bool = False  # MAILFLOW_ORG is set: the CLI acts on it instead of asking which organization
    max_body_bytes: int = 32 * 1024 * 1024
    header_timeout_seconds: int = 10
    body_timeout_seconds: int = 60
    connections_per_client: int = 100
    retention_days: int = 90
    insights_every_seconds: int = 300
    auth: bool = True
    rate_limit: int = 100
    rate_burst: int = 200
    auth_failures_per_minute: int = 60
    key_cache_seconds: int = 5
    statement_timeout_ms: int = 10000
    graphql_max_depth: int = 10
    graphql_max_aliases: int = 15
    graphql_max_fields: int = 300
    graphql_max_query_bytes: int = 20000
    graphql_introspection: bool = True
    cache_bytes: int = 64 * 1024 * 1024
    secret_key: str = ""
    webhook_allow_private: bool = False
    webhook_timeout_seconds: float = 10.0
    webhook_retry_seconds: tuple[float, ...] = (5, 30, 120, 600, 3600, 10800)
    webhook_give_up_seconds: float = 86400.0
    poll_seconds: float = 0.5
    public_url: str = ""
    tlsrpt_max_bytes: int = 1024 * 1024
    tlsrpt_max_report_bytes: int = 5 * 1024 * 1024
    tlsrpt_per_minute: int = 60
    tlsrpt_client_per_minute: int = 30
    mailbox_poll_seconds: float = 60.0
    mailbox_timeout_seconds: float = 30.0
    mailbox_allow_private: bool = False
    mailbox_ca_file: str = ""
    pool_size: int = 10
    metrics: bool = False
    metrics_token: str = ""
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
        values["org_chosen"] = bool(env.get("MAILFLOW_ORG", "").strip())
        return cls(**values)
