"""Each rule at, just below and just above its threshold and its minimum count."""

from __future__ import annotations

import httpx
import pytest

from core.insights import RULES
from tests.factories import add_connector
from tests.insights.helpers import active, feed, records

TLS_RULES = [name for name in RULES if "_tls1" in name]


def rule_setup(name: str) -> tuple[str, str, str]:
    direction, kind = name.split("_")[0], name.split("_")[1]
    bucket = "TLS1.0" if name.endswith("tls10") else "TLS1.1"
    return direction, {"partner": "partner", "onprem": "on_premises"}[kind], bucket


@pytest.mark.parametrize("name", TLS_RULES)
@pytest.mark.parametrize(
    ("old", "good", "fires"),
    [
        (100, 100, True),  # exactly 50%, exactly the minimum
        (100, 101, False),  # just below 50%
        (101, 99, True),  # just above
        (99, 99, False),  # 50%, but one message short of the minimum
        (99, 0, False),  # 100%, but below the minimum
    ],
)
async def test_tls_rules(client: httpx.AsyncClient, name: str, old: int, good: int, fires: bool) -> None:
    direction, kind, bucket = rule_setup(name)
    await add_connector(client, "Peer", direction, kind)
    other = "on_premises" if kind == "partner" else "partner"
    await add_connector(client, "Other", direction, other)  # the same traffic on the other type never fires it
    for connector in ("Peer", "Other"):
        await feed(client, records({bucket: old, "TLS1.2": good}, direction, connector))
    found = {(i["rule"], i["connector"]["name"]) for i in await active(client)}
    assert ((name, "Peer") in found) is fires
    assert (name, "Other") not in found
    if fires:
        (insight,) = [i for i in await active(client) if i["rule"] == name]
        assert insight["title"] == RULES[name].title
        assert insight["messages"] == old
        assert insight["volume"] == old + good
        assert insight["share"] == round(100 * old / (old + good), 1)
        assert insight["connector"]["type"] == kind
        assert "TLS 1.2" in insight["recommended_action"]


@pytest.mark.parametrize(
    ("none", "good", "fires"),
    [
        (100, 300, False),  # exactly 25%: the rule needs more than 25%
        (101, 300, True),  # just above
        (99, 1, False),  # 99%, below the minimum of 100
        (100, 299, True),
    ],
)
async def test_connector_no_tls(client: httpx.AsyncClient, none: int, good: int, fires: bool) -> None:
    await add_connector(client, "Plain", "outbound", "partner")
    await feed(client, records({"none": none, "TLS1.2": good}, "outbound", "Plain"))
    await feed(client, records({"none": none, "TLS1.2": good}, "inbound"))  # the internet without a connector
    found = {(i["rule"], i["connector"]["name"]) for i in await active(client)}
    assert (("connector_no_tls", "Plain") in found) is fires
    assert (("connector_no_tls", "From the internet without a connector") in found) is fires


@pytest.mark.parametrize(("forced", "none", "fires"), [(True, 1, True), (True, 0, False), (False, 1, False)])
async def test_forced_tls_violated(client: httpx.AsyncClient, forced: bool, none: int, fires: bool) -> None:
    await add_connector(client, "Bank", "outbound", "partner", forced=forced)
    await feed(client, records({"none": none, "TLS1.2": 500}, "outbound", "Bank"))
    found = [i for i in await active(client) if i["rule"] == "forced_tls_violated"]
    assert bool(found) is fires
    if fires:
        assert found[0]["messages"] == 1
        assert "certificate" in found[0]["recommended_action"]
        assert found[0]["connector"]["forced_tls"] is True
