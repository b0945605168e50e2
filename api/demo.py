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
    # users' mail clients handing mail over (submission and smtps listeners, SMTP AUTH)
    ("submission", None, "internet", False, 0.04, {"TLS1.3": 0.7, "TLS1.2": 0.27, "TLS1.0": 0.02, "none": 0.01}),
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
    ("submission", None): ["contoso.com"],
}
# how the big providers' and the forced-TLS partner's servers are reached over TLS 1.2 or newer (outbound
# transit security): their published policies, as a Postfix with DANE and an MTA-STS resolver logs them
_SECURED = {"gmail.com": "mta_sts", "outlook.com": "dane", "woodgrovebank.com": "verified"}
# (reporting organization, failed sessions per 1,000, result types of the failures)
REPORTERS = (
    ("Google LLC", 2, ("certificate-expired",)),
    ("Microsoft Corporation", 12, ("starttls-not-supported", "validation-failure")),
)


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
        local, remote = ("contoso.com", peer) if direction != "inbound" else (peer, "contoso.com")
        yield {
            "message_id": f"<demo.{stamp}.{i}@contoso.com>",
            "received_at": received.isoformat(),
            "direction": direction,
            "tls_version": _PROTOCOL.get(bucket, "TLS"),
            "connector": connector,
            "cipher": _CIPHER.get(bucket),
            "sender": f"user{rng.randrange(400)}@{local if direction != 'inbound' else remote}",
            "recipient": f"user{rng.randrange(400)}@{remote if direction != 'inbound' else local}",
            "remote_host": f"laptop{rng.randrange(1, 60)}.{peer}"
            if direction == "submission"
            else f"mx{rng.randrange(1, 4)}.{peer}",
            "size_bytes": int(rng.lognormvariate(10, 1.2)),
            "status": "sent" if direction == "outbound" else "received",
            "tls_security": _SECURED.get(peer) if direction == "outbound" and bucket in ("TLS1.2", "TLS1.3") else None,
        }


def demo_records(now: datetime | None = None) -> Iterator[dict[str, Any]]:
    now = now or datetime.now(UTC)
    last = now.replace(minute=0, second=0, microsecond=0)
    hour = last - timedelta(hours=DAYS * 24 - 1)
    while hour <= last:
        yield from _hour_records(hour, now)
        hour += timedelta(hours=1)


def demo_tls_reports(now: datetime | None = None) -> list[dict[str, Any]]:
    """A TLS report (RFC 8460) per reporter per whole UTC day of the last 7, about mail to contoso.com, as
    Google and Microsoft send them; the same report ids every load, so loading again stores nothing new."""
    now = now or datetime.now(UTC)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    reports = []
    for days_ago in range(DAYS, 0, -1):
        start = today - timedelta(days=days_ago)
        for name, failed_per_mille, results in REPORTERS:
            rng = random.Random(f"{name}{start:%Y%m%d}")
            total = rng.randrange(800, 1600)
            failed = total * failed_per_mille // 1000 + rng.randrange(0, 3)
            shares = [failed // len(results)] * len(results)
            shares[0] += failed - sum(shares)
            reports.append(
                {
                    "organization-name": name,
                    "date-range": {
                        "start-datetime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "end-datetime": (start + timedelta(days=1, seconds=-1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    },
                    "contact-info": f"smtp-tls-reporting@{name.split()[0].lower()}.example",
                    "report-id": f"demo-{name.split()[0].lower()}-{start:%Y%m%d}",
                    "policies": [
                        {
                            "policy": {
                                "policy-type": "sts",
                                "policy-string": [
                                    "version: STSv1",
                                    "mode: enforce",
                                    "mx: mx1.contoso.com",
                                    "max_age: 604800",
                                ],
                                "policy-domain": "contoso.com",
                                "mx-host": ["mx1.contoso.com"],
                            },
                            "summary": {
                                "total-successful-session-count": total - failed,
                                "total-failure-session-count": failed,
                            },
                            "failure-details": [
                                {
                                    "result-type": result,
                                    "sending-mta-ip": f"203.0.113.{10 + n}",
                                    "receiving-mx-hostname": "mx1.contoso.com",
                                    "receiving-ip": "192.0.2.25",
                                    "failed-session-count": count,
                                }
                                for n, (result, count) in enumerate(zip(results, shares, strict=True))
                                if count
                            ],
                        }
                    ],
                }
            )
    return reports
