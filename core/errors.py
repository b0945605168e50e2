"""Refusals that arise below the API, without an HTTP status: the API layer says how each one answers."""

from __future__ import annotations


class UnknownTimeZone(ValueError):
    """A time zone Python knows but the database does not."""
