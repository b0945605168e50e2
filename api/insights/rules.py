"""The insight rules' limits where the OpenAPI document (api/rest/openapi.py) imports them until its
replacement: the rules live in core/insights.py."""

from __future__ import annotations

from core.insights import MAX_MIN_MESSAGES, MAX_WINDOW_DAYS, RULES

__all__ = ["MAX_MIN_MESSAGES", "MAX_WINDOW_DAYS", "RULES"]
