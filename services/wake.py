"""Waking this process's delivery worker when this process has queued a delivery, without a round trip
(deliveries queued by another process wake it through a notification, db/notify.py)."""

from __future__ import annotations

import asyncio

_workers: set[asyncio.Event] = set()


def nudge() -> None:
    """Called after a transaction that may have queued deliveries has committed."""
    for event in _workers:
        event.set()


def register() -> asyncio.Event:
    event = asyncio.Event()
    _workers.add(event)
    return event


def unregister(event: asyncio.Event) -> None:
    _workers.discard(event)
