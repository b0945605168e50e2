"""ArcSight Common Event Format lines for insight events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from api import __version__


def header(value: object) -> str:
    """CEF header fields escape backslashes and pipes."""
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def extension(value: object) -> str:
    """CEF extension values escape backslashes and equals signs, and write line breaks as \\n or \\r."""
    return str(value).replace("\\", "\\\\").replace("=", "\\=").replace("\r", "\\r").replace("\n", "\\n")


REMOTE_CHARACTERS = 255  # a short extension field: as many of the top remote domains as fit


def remote_list(entries: list[dict[str, Any]] | None) -> str:
    """`domain:messages` pairs, most first, comma-separated, cut at a pair that would pass the limit."""
    text = ""
    for entry in entries or []:
        pair = f"{entry['domain'] or '(unknown)'}:{entry['messages']}"
        if len(text) + len(pair) + 1 > REMOTE_CHARACTERS:
            break
        text = f"{text},{pair}" if text else pair
    return text


def cef_line(event: dict[str, Any]) -> str:
    insight = event["insight"]
    connector = insight["connector"]
    at = datetime.fromisoformat(event["at"]) if isinstance(event["at"], str) else event["at"]
    fields = [
        ("rt", int(at.timestamp() * 1000)),
        ("act", event["type"]),
        ("externalId", event["event_id"]),
        ("deviceExternalId", insight["id"]),
        ("cs1Label", "status"),
        ("cs1", insight["status"]),
        ("cs2Label", "connector"),
        ("cs2", connector["name"]),
        ("cs3Label", "direction"),
        ("cs3", connector["direction"]),
        ("cs4Label", "cursor"),
        ("cs4", event["cursor"]),
        ("cn1Label", "messages"),
        ("cn1", insight["messages"]),
        ("cn2Label", "volume"),
        ("cn2", insight["volume"]),
        ("cfp1Label", "share"),
        ("cfp1", insight["share"]),
        ("cs5Label", "remoteDomains"),
        ("cs5", remote_list(insight.get("remote_domains"))),
        ("cs6Label", "remoteServers"),
        ("cs6", remote_list(insight.get("remote_servers"))),
        ("msg", insight["description"]),
    ]
    head = "|".join(
        header(v)
        for v in (
            "CEF:0",
            "mailflow",
            "mailflow",
            __version__,
            insight["rule"],
            insight["title"],
            insight["severity"],
        )
    )
    return head + "|" + " ".join(f"{k}={extension(v)}" for k, v in fields)
