"""The declarations of every setting: its variable, the attribute of `Settings` it fills, its default, what it
does and how its text is read. Only declared here: api/settings.py reads the environment, once, by this
table, which also drives `.env.example` and the README table (a test keeps the three in agreement)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


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


def _port(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 65535:
        raise ValueError("must be a TCP port, 1 to 65535")
    return value


def _database_url(text: str) -> str:
    if text and not text.startswith(("postgresql://", "postgres://")):
        raise ValueError("must start with postgresql://")
    return text


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError("must be a whole number, 0 or more")
    return value


def _on_off(text: str) -> bool:
    value = text.lower()
    if value not in ("on", "off", "true", "false", "1", "0"):
        raise ValueError("must be on or off")
    return value in ("on", "true", "1")


def _seconds_schedule(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise ValueError("must be seconds separated by commas, e.g. 5,30,120") from None
    if not values or any(not 0 < v < 10**7 for v in values):
        raise ValueError("every delay must be more than 0 seconds")
    return values


def _secret_key(text: str) -> str:
    if text and len(text) < 32:
        raise ValueError("must be 32 characters or more (e.g. `openssl rand -base64 32`)")
    return text


def _public_url(text: str) -> str:
    if text and not text.startswith(("https://", "http://")):
        raise ValueError("must start with https:// (or http://)")
    return text.rstrip("/")


def _positive_seconds(text: str) -> float:
    value = float(text)
    if not 0 < value < 10**7:
        raise ValueError("must be a number of seconds above 0")
    return value


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
        "Where the embedded PostgreSQL keeps its data (as root: its locks; the data goes under /var/lib/mailflow).",
        lambda t: Path(t).expanduser(),
    ),
    Setting("MAILFLOW_HOST", "host", "127.0.0.1", "Address `mailflow serve` listens on."),
    Setting("MAILFLOW_PORT", "port", "8000", "Port `mailflow serve` listens on.", _port),
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
        "MAILFLOW_HEADER_TIMEOUT_SECONDS",
        "header_timeout_seconds",
        "10",
        "Longest a client may take to send a request's headers, counted from connecting (on a reused connection, "
        "from the request's first byte); then 408 and the connection is closed.",
        _positive_int,
    ),
    Setting(
        "MAILFLOW_BODY_TIMEOUT_SECONDS",
        "body_timeout_seconds",
        "60",
        "Longest a client may take to send a request's body, counted from its headers; then 408 and the "
        "connection is closed (a slow link sending a large ingest needs more, or smaller requests).",
        _positive_int,
    ),
    Setting(
        "MAILFLOW_CONNECTIONS_PER_CLIENT",
        "connections_per_client",
        "100",
        "Most connections one client address (IPv6: one /64) may hold open at once, per process; another is "
        "answered 429 with Retry-After and closed. It counts the address that connects: behind a proxy, the "
        "proxy (raise it, or 0: no limit).",
        _non_negative_int,
    ),
    Setting(
        "MAILFLOW_RETENTION_DAYS",
        "retention_days",
        "90",
        "Messages, rollups, TLS reports and insight events older than this (whole UTC days) are removed by "
        "`mailflow prune` and daily by the server; records older than this are not stored when ingested "
        "(the answer and the import summary say how many).",
        _positive_int,
    ),
    Setting(
        "MAILFLOW_INSIGHTS_EVERY_SECONDS",
        "insights_every_seconds",
        "300",
        "How often the server re-evaluates every insight, so that windows slide with time.",
        _positive_int,
    ),
    Setting(
        "MAILFLOW_AUTH",
        "auth",
        "on",
        "on: every endpoint but the health checks needs an API key. off: no keys, acting as admin of MAILFLOW_ORG "
        "(allowed only on a loopback address).",
        _on_off,
    ),
    Setting("MAILFLOW_RATE_LIMIT", "rate_limit", "100", "Requests per second allowed per API key.", _positive_int),
    Setting(
        "MAILFLOW_RATE_BURST", "rate_burst", "200", "Requests a key may send at once above its rate.", _positive_int
    ),
    Setting(
        "MAILFLOW_AUTH_FAILURES_PER_MINUTE",
        "auth_failures_per_minute",
        "60",
        "Failed authentications allowed per client address (IPv6: per /64) per minute, at most this many at once; "
        "above it, 429 with Retry-After and no database lookup for unknown tokens.",
        _positive_int,
    ),
    Setting(
        "MAILFLOW_KEY_CACHE_SECONDS",
        "key_cache_seconds",
        "5",
        "How long a checked API key is remembered (a revocation takes effect within this time; 0: never).",
        _non_negative_int,
    ),
    Setting(
        "MAILFLOW_STATEMENT_TIMEOUT_MS",
        "statement_timeout_ms",
        "10000",
        "Longest any SQL statement may run (a request that hits it answers 503).",
        _positive_int,
    ),
    Setting("MAILFLOW_GRAPHQL_MAX_DEPTH", "graphql_max_depth", "10", "Deepest GraphQL query accepted.", _positive_int),
    Setting(
        "MAILFLOW_GRAPHQL_MAX_ALIASES", "graphql_max_aliases", "15", "Most aliases in one GraphQL query.", _positive_int
    ),
    Setting(
        "MAILFLOW_GRAPHQL_MAX_FIELDS", "graphql_max_fields", "300", "Most fields in one GraphQL query.", _positive_int
    ),
    Setting(
        "MAILFLOW_GRAPHQL_MAX_QUERY_BYTES",
        "graphql_max_query_bytes",
        "20000",
        "Largest GraphQL request body accepted (413 above it).",
        _positive_int,
    ),
    Setting(
        "MAILFLOW_GRAPHQL_INTROSPECTION",
        "graphql_introspection",
        "on",
        "off: GraphQL introspection queries are refused.",
        _on_off,
    ),
    Setting(
        "MAILFLOW_CACHE_BYTES",
        "cache_bytes",
        str(64 * 1024 * 1024),
        "Memory for cached responses per process, each counted with its key, headers and Python objects (never "
        "stale: keyed by each organization's data generation); 0 turns the cache off.",
        _non_negative_int,
    ),
    Setting(
        "MAILFLOW_SECRET_KEY",
        "secret_key",
        "",
        "Key that encrypts the webhook signing secrets and mailbox passwords in the database (any text of 32 "
        "characters or more, e.g. `openssl rand -base64 32`). Empty: a random key kept in MAILFLOW_HOME/secret.key, "
        "made on first use (servers on several machines must share one: set it).",
        _secret_key,
    ),
    Setting(
        "MAILFLOW_WEBHOOK_ALLOW_PRIVATE",
        "webhook_allow_private",
        "off",
        "on: webhooks may target loopback and private addresses, and plain http:// (tests, on-premises receivers).",
        _on_off,
    ),
    Setting(
        "MAILFLOW_WEBHOOK_TIMEOUT_SECONDS",
        "webhook_timeout_seconds",
        "10",
        "Longest a webhook delivery attempt may take, connecting included (then it counts as failed).",
        _positive_seconds,
    ),
    Setting(
        "MAILFLOW_WEBHOOK_RETRY_SECONDS",
        "webhook_retry_seconds",
        "5,30,120,600,3600,10800",
        "Delays between the attempts of a failing webhook delivery, each with ±20% jitter; the last repeats.",
        _seconds_schedule,
    ),
    Setting(
        "MAILFLOW_WEBHOOK_GIVE_UP_SECONDS",
        "webhook_give_up_seconds",
        "86400",
        "After this long failing (from its first attempt), a webhook delivery is marked failed, its subscription "
        "disabled and an insight says so.",
        _positive_seconds,
    ),
    Setting(
        "MAILFLOW_POLL_SECONDS",
        "poll_seconds",
        "0.5",
        "How often a server process looks for what no notification told it: webhook retries coming due, and "
        "changes for its GraphQL subscribers (writes notify every process at once; this is the fallback).",
        _positive_seconds,
    ),
    Setting(
        "MAILFLOW_PUBLIC_URL",
        "public_url",
        "",
        "The server's address as reporters on the internet reach it (https://mailflow.example.com), for the TLS "
        "reporting URLs it hands out. Empty: the address of the request that makes one (the CLI: MAILFLOW_HOST and "
        "MAILFLOW_PORT).",
        _public_url,
    ),
    Setting(
        "MAILFLOW_TLSRPT_MAX_BYTES",
        "tlsrpt_max_bytes",
        str(1024 * 1024),
        "Largest TLS report body a reporting URL (/tlsrpt/<token>) accepts as sent (413 above it).",
        _positive_int,
    ),
    Setting(
        "MAILFLOW_TLSRPT_MAX_REPORT_BYTES",
        "tlsrpt_max_report_bytes",
        str(5 * 1024 * 1024),
        "Largest a report POSTed to a reporting URL may decompress to (413 above it; decompression stops there).",
        _positive_int,
    ),
    Setting(
        "MAILFLOW_TLSRPT_PER_MINUTE",
        "tlsrpt_per_minute",
        "60",
        "Reports one reporting URL accepts per minute, at most this many at once (429 with Retry-After above it; "
        "other URLs are not affected).",
        _positive_int,
    ),
    Setting(
        "MAILFLOW_TLSRPT_CLIENT_PER_MINUTE",
        "tlsrpt_client_per_minute",
        "30",
        "POSTs to reporting URLs one client address (IPv6: one /64) may send per minute, at most this many at "
        "once, to any URL, known or not (429 with Retry-After above it).",
        _positive_int,
    ),
    Setting(
        "MAILFLOW_MAILBOX_POLL_SECONDS",
        "mailbox_poll_seconds",
        "60",
        "How often the server polls each mailbox for TLS reports; where the IMAP server offers IDLE, a session "
        "waits for new mail that long and reports arrive within seconds.",
        _positive_seconds,
    ),
    Setting(
        "MAILFLOW_MAILBOX_TIMEOUT_SECONDS",
        "mailbox_timeout_seconds",
        "30",
        "Longest an IMAP server may take to answer (connecting included) before a poll counts as failed.",
        _positive_seconds,
    ),
    Setting(
        "MAILFLOW_MAILBOX_ALLOW_PRIVATE",
        "mailbox_allow_private",
        "off",
        "on: mailboxes may be on loopback and private addresses, and without TLS (on-premises servers, tests).",
        _on_off,
    ),
    Setting(
        "MAILFLOW_MAILBOX_CA_FILE",
        "mailbox_ca_file",
        "",
        "A PEM file of the certificate authorities to trust for IMAP servers (an on-premises CA). Empty: the system's.",
    ),
    Setting("MAILFLOW_POOL_SIZE", "pool_size", "10", "Most database connections per process.", _positive_int),
    Setting(
        "MAILFLOW_METRICS",
        "metrics",
        "off",
        "on: GET /metrics answers in the Prometheus text format (each server process its own figures).",
        _on_off,
    ),
    Setting(
        "MAILFLOW_METRICS_TOKEN",
        "metrics_token",
        "",
        "When set, GET /metrics needs `Authorization: Bearer <token>` (API keys do not open it).",
    ),
    Setting("MAILFLOW_LOG_LEVEL", "log_level", "INFO", "DEBUG, INFO, WARNING or ERROR.", _log_level),
)
