"""Seeded, realistic demo data for "Contoso": the last 7 days ending now.

Each hour's messages come from a generator seeded with that hour, so loading twice stores nothing new
(the ids repeat) and loading later only adds the hours since.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

DAYS = 7
ORGANIZATION = "Contoso"
MESSAGES_PER_HOUR = 750  # about 100,000 over 7 days with the daily rhythm below

# (direction, connector name or None, type, forced_tls, share of all mail, TLS mix)
PATHS: tuple[tuple[str, str | None, str, bool, float, dict[str, float]], ...] = (
    (
        "inbound",
        None,
        "internet",
        False,
        0.45,
        {"TLS1.3": 0.55, "TLS1.2": 0.35, "none": 0.07, "TLS1.1": 0.01, "TLS1.0": 0.015, "unknown": 0.005},
    ),
    ("inbound", "Fabrikam partner", "partner", False, 0.08, {"TLS1.0": 0.62, "TLS1.2": 0.33, "TLS1.1": 0.05}),
    (
        "inbound",
        "Contoso on-premises Exchange",
        "on_premises",
        False,
        0.10,
        {"TLS1.0": 0.56, "TLS1.2": 0.44},
    ),
    (
        "outbound",
        None,
        "internet",
        False,
        0.30,
        {"TLS1.3": 0.60, "TLS1.2": 0.34, "none": 0.05, "TLS1.0": 0.01},
    ),
    ("outbound", "Woodgrove Bank", "partner", True, 0.07, {"TLS1.2": 0.7, "TLS1.3": 0.2995, "none": 0.0005}),
)
CONNECTORS = [(name, d, t, f) for d, name, t, f, _, _ in PATHS if name is not None]

_PROTOCOL = {"TLS1.0": "TLSv1", "TLS1.1": "TLSv1.1", "TLS1.2": "TLSv1.2", "TLS1.3": "TLSv1.3", "none": "none"}
_CIPHER = {
    "TLS1.0": "ECDHE-RSA-AES256-SHA",
    "TLS1.1": "ECDHE-RSA-AES256-SHA",
    "TLS1.2": "ECDHE-RSA-AES256-GCM-SHA384",
    "TLS1.3": "TLS_AES_256_GCM_SHA384",
}
_PEERS = {
    ("inbound", None): ["gmail.com", "outlook.com", "yahoo.com", "example.org", "proton.me", "icloud.com"],
    ("inbound", "Fabrikam partner"): ["fabrikam.com"],
    ("inbound", "Contoso on-premises Exchange"): ["contoso.com"],
    ("outbound", None): ["gmail.com", "outlook.com", "example.net", "tailspintoys.com", "adatum.com"],
    ("outbound", "Woodgrove Bank"): ["woodgrovebank.com"],
}


def _rhythm(hour: datetime) -> float:
    """Busy in working hours, quiet at night and at weekends."""
    daily = 0.35 + 0.65 * max(0.0, math.sin(math.pi * (hour.hour - 6) / 14)) if 6 <= hour.hour <= 20 else 0.35
    return daily * (0.45 if hour.weekday() >= 5 else 1.0) * 1.6


def _hour_records(hour: datetime, now: datetime) -> Iterator[dict[str, Any]]:
    stamp = int(hour.timestamp())
    rng = random.Random(stamp)
    count = int(MESSAGES_PER_HOUR * _rhythm(hour))
    shares = [p[4] for p in PATHS]
    for i in range(count):
        direction, connector, _type, _forced, _share, mix = rng.choices(PATHS, shares)[0]
        bucket = rng.choices(list(mix), list(mix.values()))[0]
        received = hour + timedelta(seconds=rng.random() * 3600)
        if received > now:
            continue
        peer = rng.choice(_PEERS[(direction, connector)])
        local, remote = ("contoso.com", peer) if direction == "outbound" else (peer, "contoso.com")
        yield {
            "message_id": f"<demo.{stamp}.{i}@contoso.com>",
            "received_at": received.isoformat(),
            "direction": direction,
            "tls_version": _PROTOCOL.get(bucket, "TLS"),
            "connector": connector,
            "cipher": _CIPHER.get(bucket),
            "sender": f"user{rng.randrange(400)}@{local if direction == 'outbound' else remote}",
            "recipient": f"user{rng.randrange(400)}@{remote if direction == 'outbound' else local}",
            "remote_host": f"mx{rng.randrange(1, 4)}.{peer}",
            "size_bytes": int(rng.lognormvariate(10, 1.2)),
            "status": "delivered" if direction == "inbound" else "sent",
        }


def demo_records(now: datetime | None = None) -> Iterator[dict[str, Any]]:
    now = now or datetime.now(UTC)
    last = now.replace(minute=0, second=0, microsecond=0)
    hour = last - timedelta(hours=DAYS * 24 - 1)
    while hour <= last:
        yield from _hour_records(hour, now)
        hour += timedelta(hours=1)
