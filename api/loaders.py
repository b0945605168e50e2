"""Per-request DataLoaders, so nested fields cost one statement per request, not one per parent."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from api.context import AppState
from core.window import Window
from db.traffic_counts import Counts, traffic_by_connector

TrafficKey = tuple[int, str]  # (connector_id, direction); 0 is the internet without a connector


class Loaders:
    def __init__(self, app: AppState) -> None:
        self.app = app
        self._traffic: dict[Window, DataLoader[TrafficKey, Counts]] = {}

    def traffic(self, window: Window) -> DataLoader[TrafficKey, Counts]:
        loader = self._traffic.get(window)
        if loader is None:
            app = self.app  # not `self`: the loader must not reach back to what holds it (a reference cycle)

            async def load(keys: list[TrafficKey]) -> list[Counts]:
                return await traffic_by_connector(app.pool, app.org_id, window, keys)

            loader = self._traffic[window] = DataLoader(load_fn=load)
        return loader
