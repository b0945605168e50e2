"""The window checks and zones where the ingest path and the OpenAPI document import them until their own
moves: report windows live in core/window.py."""

from __future__ import annotations

from core.window import OUT_OF_RANGE, TIME_ZONES, representable

__all__ = ["OUT_OF_RANGE", "TIME_ZONES", "representable"]
