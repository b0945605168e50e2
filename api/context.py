"""What every request handler and resolver needs: the database, the organization, the role, the settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from api.cache import ResponseCache
from api.settings import Settings
from api.watcher import Watcher
from db.pool import Database, TenantPool
from services.keys import ROLES


@dataclass
class AppState:
    settings: Settings
    db: Database
    org_id: int
    role: str = "admin"
    cache: ResponseCache | None = None  # one per process, shared by its requests
    watcher: Watcher | None = None  # one per process, shared by its subscriptions
    pool: TenantPool = field(init=False)

    def __post_init__(self) -> None:
        self.pool = self.db.for_org(self.org_id)
        if self.cache is None and self.settings.cache_bytes:
            self.cache = ResponseCache(self.settings.cache_bytes)
        if self.watcher is None:
            self.watcher = Watcher(self.db, self.settings.poll_seconds)

    def for_key(self, org_id: int, role: str) -> AppState:
        """The state of one request, acting for the organization and role of its API key."""
        return AppState(self.settings, self.db, org_id, role, self.cache, self.watcher)

    def may(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)
