"""A bounded response cache that is never stale.

Entries are keyed by the organization, the request, the organization's data generation (bumped in the
same transaction as every change: db/migrations/0006) and the current hour (so that "the last 7 days
ending now" rolls forward). Each request reads the generation (one round trip) before looking; a hit
therefore reflects every change committed before the request began, in every process.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from db import sql
from db.pool import TenantPool

clock: Callable[[], float] = time.time  # tests move it to show the hour rolling forward


@dataclass(frozen=True)
class Entry:
    status: int
    media_type: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class ResponseCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
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
        if len(entry.body) > self.max_bytes // 8:  # one huge answer must not flush everything else
            return
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        self.entries[key] = entry
        self.size += len(entry.body)
        while self.size > self.max_bytes and self.entries:
            _, dropped = self.entries.popitem(last=False)
            self.size -= len(dropped.body)


async def cache_key(pool: TenantPool, org_id: int, *request: Hashable) -> tuple[Hashable, ...]:
    generation = await sql.fetchval(pool, "organizations/organization_generation", org_id)
    return (org_id, int(generation), int(clock() // 3600), *request)
