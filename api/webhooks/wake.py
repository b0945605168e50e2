"""Waking this process's delivery worker when this process has queued a delivery, so that it need not wait
for its next poll (deliveries queued by another process are found by the poll, every half second)."""

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
