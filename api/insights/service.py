"""The insight feed's limits where the OpenAPI document (api/rest/openapi.py) imports them until its
replacement: insights are served by services/insights.py."""

from __future__ import annotations

from services.insights import CURSOR, MAX_LIMIT, STATUSES

__all__ = ["CURSOR", "MAX_LIMIT", "STATUSES"]
