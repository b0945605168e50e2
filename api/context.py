"""What every request handler and resolver needs: the pool, the organization, the settings."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from api.settings import Settings


@dataclass
class AppState:
    settings: Settings
    pool: asyncpg.Pool
    org_id: int
