from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from api.context import AppState
from api.settings import Settings
from api.webhooks import worker
from db.pool import Database
from tests.conftest import suite_settings


def webhook_settings() -> Settings:
    """The suite's settings, with webhooks allowed to loopback and quick retries."""
    return dataclasses.replace(
        suite_settings(), webhook_allow_private=True, webhook_timeout_seconds=2, webhook_retry_seconds=(0.2,)
    )


@pytest.fixture
def settings() -> Settings:
    return webhook_settings()


@asynccontextmanager
async def running(db: Database, settings: Settings) -> AsyncIterator[None]:
    """A delivery worker, as a server process runs it, with these settings."""
    task = asyncio.create_task(worker.run(db, settings))
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.fixture
async def deliveries(state: AppState) -> AsyncIterator[None]:
    async with running(state.db, state.settings):
        yield
