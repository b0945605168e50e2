"""What every request handler and resolver needs: the database, the organization, the role, the settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from api.settings import Settings
from db.pool import Database, TenantPool

ROLES = ("reader", "ingest", "admin")


@dataclass
class AppState:
    settings: Settings
    db: Database
    org_id: int
    role: str = "admin"
    pool: TenantPool = field(init=False)

    def __post_init__(self) -> None:
        self.pool = self.db.for_org(self.org_id)

    def for_key(self, org_id: int, role: str) -> AppState:
        """The state of one request, acting for the organization and role of its API key."""
        return AppState(self.settings, self.db, org_id, role)

    def may(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)
