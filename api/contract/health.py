"""Whether the process answers and the database is ready (no API key)."""

from __future__ import annotations

from typing import Any

from api.contract.common import Operation, json

TAG = "health"
OPERATIONS = [
    Operation("GET", "/healthz", "the process answers", {200: json(dict[str, Any], "ok")}),
    Operation(
        "GET",
        "/readyz",
        "the database is reachable and migrations are current",
        {200: json(dict[str, Any], "ready"), 503: json(dict[str, Any], "not ready")},
    ),
]
