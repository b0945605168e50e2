"""A bounded response cache that is never stale.

Entries are keyed by the organization, the request, the organization's data generation (bumped in the
same transaction as every change: db/migrations/0006) and the current hour (so that "the last 7 days
ending now" rolls forward). Each request reads the generation (one round trip) before looking; a hit
therefore reflects every change committed before the request began, in every process.

An entry is counted at what it really holds (`cost`): its key, its headers and its body with the Python
objects around them, and its slot in the cache's table; and it holds only that: its body is copied out of
the buffer orjson made it in. Counting only the body's length, and keeping orjson's buffer, let the cache
take 2-13 times its setting (bench/cache_memory.py, bench/RESULTS.md).
"""

from __future__ import annotations

import sys
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from db import sql
from db.pool import TenantPool

clock: Callable[[], float] = time.time  # tests move it to show the hour rolling forward


# one entry's share of the cache's table and order links: 120-195 bytes, as entries come, go and move and the
# table grows and resizes (measured with tracemalloc at 10 to 90,000 entries), rounded up
SLOT_BYTES = 200


@dataclass(frozen=True, slots=True)
class Entry:
    status: int
    media_type: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


def _size(value: object) -> int:
    """Bytes `value` takes, a tuple's with what it holds (a key's parts; a header's name and value)."""
    if isinstance(value, tuple):
        return sys.getsizeof(value) + sum(_size(part) for part in value)
    return sys.getsizeof(value)


def cost(key: Hashable, entry: Entry) -> int:
    """What keeping `entry` under `key` takes. Its status and media type are shared constants, not counted;
    the key's literal parts ("rest", a role) are shared too and counted anyway: a few dozen bytes too many
    is the safe side."""
    return SLOT_BYTES + _size(key) + sys.getsizeof(entry) + _size(entry.headers) + sys.getsizeof(entry.body)


class ResponseCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0  # the sum of the entries' costs (computed again when one leaves: keeping it costs more)
        self.entries: OrderedDict[Hashable, Entry] = OrderedDict()
        self.hits = 0  # lookups, for /metrics
        self.misses = 0

    def get(self, key: Hashable) -> Entry | None:
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
            self.hits += 1
        else:
            self.misses += 1
        return entry

    def put(self, key: Hashable, entry: Entry) -> None:
        size = cost(key, entry)
        if size > self.max_bytes // 8:  # one huge answer must not flush everything else
            return
        # an exact copy of the body: orjson's output keeps the buffer it grew into, which no size it reports
        # shows (tracemalloc: 4 KB behind a 300-byte answer, 260 KB behind 34 KB)
        entry = Entry(entry.status, entry.media_type, entry.headers, bytes(memoryview(entry.body)))
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= cost(key, old)
        self.entries[key] = entry
        self.size += size
        while self.size > self.max_bytes and self.entries:
            dropped_key, dropped = self.entries.popitem(last=False)
            self.size -= cost(dropped_key, dropped)


async def cache_key(pool: TenantPool, org_id: int, *request: Hashable) -> tuple[Hashable, ...]:
    generation = await sql.fetchval(pool, "organizations/organization_generation", org_id)
    return (org_id, int(generation), int(clock() // 3600), *request)
