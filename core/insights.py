"""The insight rules, their documented defaults, an organization's settings of them (checked), and the texts
an insight carries (api/insights/evaluate.py fires them).

A rule fires for a connector when, over the window (default 7 days), the share of the connector's
volume in the rule's TLS bucket reaches the threshold (`above`: exceeds it) and the window holds at
least `min_messages` messages in that bucket.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from core.arguments import whole_number
from core.errors import Invalid

DEFAULT_WINDOW_DAYS = 7
MAX_WINDOW_DAYS = 90
MAX_MIN_MESSAGES = 2**63 - 1  # a bigint


@dataclass(frozen=True)
class Rule:
    name: str
    title: str
    direction: str | None  # None: both
    connector_type: str | None  # partner, on_premises; None: every connector and the internet
    bucket: str  # the TLS bucket it counts
    threshold: float  # percent
    min_messages: int
    above: bool = False  # True: the share must exceed the threshold
    forced_only: bool = False  # only connectors with forced TLS
    severity: int = 5
    enabled: bool = True
    family: str = "connector"  # connector: from the rollups; tlsrpt: from TLS reports, per policy domain


def _tls_rule(direction: str, kind: str, version: str) -> Rule:
    label = {"partner": "partner", "on_premises": "on-premises"}[kind]
    short = {"partner": "partner", "on_premises": "onprem"}[kind]
    bucket = f"TLS{version}"
    return Rule(
        name=f"{direction}_{short}_tls{version.replace('.', '')}",
        title=f"{direction.capitalize()} {label} connector seeing significant {bucket} mail flow",
        direction=direction,
        connector_type=kind,
        bucket=bucket,
        threshold=50.0,
        min_messages=100,
        severity=6 if version == "1.0" else 5,
    )


RULES: dict[str, Rule] = {
    r.name: r
    for r in [
        *(
            _tls_rule(d, k, v)
            for v in ("1.0", "1.1")
            for d in ("inbound", "outbound")
            for k in ("partner", "on_premises")
        ),
        Rule(
            name="connector_no_tls",
            title="Connector seeing mail without TLS",
            direction=None,
            connector_type=None,
            bucket="none",
            threshold=25.0,
            min_messages=100,
            above=True,
            severity=7,
        ),
        Rule(
            name="forced_tls_violated",
            title="Connector with forced TLS is receiving or sending mail without TLS",
            direction=None,
            connector_type=None,
            bucket="none",
            threshold=0.0,
            min_messages=1,
            above=True,
            forced_only=True,
            severity=8,
        ),
        Rule(
            name="tlsrpt_failures",
            title="Receiving MTAs report TLS failures for a domain",
            direction="inbound",
            connector_type=None,
            bucket="failed sessions",
            threshold=5.0,
            min_messages=10,
            severity=6,
            family="tlsrpt",
        ),
    ]
}
FAMILIES = ("connector", "tlsrpt")


@dataclass(frozen=True)
class InsightSettings:
    window_days: int
    rules: dict[str, Rule]

    def json(self) -> dict[str, Any]:
        return {
            "window_days": self.window_days,
            "rules": {
                r.name: {
                    "title": r.title,
                    "threshold": r.threshold,
                    "min_messages": r.min_messages,
                    "enabled": r.enabled,
                    "comparison": "above" if r.above else "at_least",
                }
                for r in self.rules.values()
            },
        }


@dataclass(frozen=True)
class Override:
    """An organization's stored setting of a rule (None: the default stays), or of the window (rule `*`)."""

    rule: str
    threshold: float | None
    min_messages: int | None
    enabled: bool | None
    window_days: int | None


def merge_settings(overrides: list[Override]) -> InsightSettings:
    """Defaults overlaid with an organization's stored overrides."""
    rules = dict(RULES)
    window = DEFAULT_WINDOW_DAYS
    for o in overrides:
        if o.rule == "*":
            window = o.window_days or window
            continue
        rule = rules.get(o.rule)
        if rule is None:
            continue
        rules[rule.name] = replace(
            rule,
            threshold=o.threshold if o.threshold is not None else rule.threshold,
            min_messages=o.min_messages if o.min_messages is not None else rule.min_messages,
            enabled=o.enabled if o.enabled is not None else rule.enabled,
        )
    return InsightSettings(window, rules)


def check_update(body: Any) -> tuple[int | None, list[tuple[str, float | None, int | None, bool | None]]]:
    """Validate a settings update: `{"window_days"?, "rules"?: {name: {threshold?, min_messages?, enabled?}}}`."""
    problems: list[dict[str, Any]] = []
    if not isinstance(body, dict):
        raise Invalid("the settings must be a JSON object", [{"field": None, "message": "not an object"}])
    for key in sorted(set(body) - {"window_days", "rules"}):
        problems.append({"field": key, "message": "unknown setting"})
    window = whole_number(body.get("window_days"))
    if "window_days" in body and (window is None or not 1 <= window <= MAX_WINDOW_DAYS):
        problems.append(
            {"field": "window_days", "message": f"must be a whole number of days from 1 to {MAX_WINDOW_DAYS}"}
        )
    updates = []
    rules = body.get("rules", {})
    if not isinstance(rules, dict):
        problems.append({"field": "rules", "message": "must be an object keyed by rule name"})
        rules = {}
    for name, change in rules.items():
        where = f"rules.{name}"
        if name not in RULES:
            problems.append({"field": where, "message": f"no such rule (rules: {', '.join(RULES)})"})
            continue
        if not isinstance(change, dict):
            problems.append({"field": where, "message": "must be an object"})
            continue
        for key in sorted(set(change) - {"threshold", "min_messages", "enabled"}):
            problems.append({"field": f"{where}.{key}", "message": "unknown field"})
        threshold = change.get("threshold")
        if "threshold" in change and (
            isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 <= threshold <= 100
        ):
            problems.append({"field": f"{where}.threshold", "message": "must be a percentage from 0 to 100"})
        minimum = whole_number(change.get("min_messages"))
        if "min_messages" in change and (minimum is None or not 1 <= minimum <= MAX_MIN_MESSAGES):
            problems.append(
                {"field": f"{where}.min_messages", "message": f"must be a whole number from 1 to {MAX_MIN_MESSAGES}"}
            )
        enabled = change.get("enabled")
        if "enabled" in change and not isinstance(enabled, bool):
            problems.append({"field": f"{where}.enabled", "message": "must be true or false"})
        if not problems:  # any problem refuses the whole update: build it only while it is well formed
            updates.append((name, float(threshold) if threshold is not None else None, minimum, enabled))
    if problems:
        raise Invalid("the insight settings are not valid; nothing was changed", problems)
    return window, updates


def _pct(value: float) -> str:
    return f"{value:.1f}%"


def texts(
    rule: Rule, connector: str, direction: str, share: float, messages: int, volume: int, days: int
) -> tuple[str, str]:
    """The description (with the measured figures) and the recommended action."""
    if rule.family == "tlsrpt":
        description = (
            f"Sending providers' TLS reports of the last {days} days count {messages:,} failed of {volume:,} "
            f"sessions to {connector} ({_pct(share)}), at or above the threshold of {_pct(rule.threshold)}."
        )
        action = (
            f"Look at the failure types in the TLS reports for {connector} (GET /api/v1/tls-reports): renew an "
            "expired or mismatched certificate, offer STARTTLS on every MX, and keep the MTA-STS policy and "
            "DNS records in step with the MX hosts."
        )
        return description, action
    what = "no TLS" if rule.bucket == "none" else rule.bucket.replace("TLS", "TLS ")
    flow = "received over" if direction == "inbound" else "sent over"
    comparison = "above" if rule.above else "at or above"
    description = (
        f"{_pct(share)} of the {volume:,} messages {flow} {connector} in the last {days} days "
        f"({messages:,} messages) used {what}, {comparison} the threshold of {_pct(rule.threshold)}."
    )
    if rule.forced_only:
        action = (
            f"{connector} requires TLS, yet {messages:,} messages went without it: check the connector's TLS "
            "settings and the peer's certificate (expired, untrusted or a name mismatch makes the peer fall back)."
        )
    elif rule.bucket == "none":
        action = (
            f"Ask the peers behind {connector} to offer STARTTLS, or require TLS on the connector so that mail "
            "is never sent in the clear."
        )
    elif rule.connector_type == "on_premises":
        action = (
            f"Upgrade or reconfigure your own mail server behind {connector} to use TLS 1.2 or later; "
            f"{rule.bucket} is deprecated and will be refused."
        )
    else:
        action = (
            f"Ask the partner behind {connector} to upgrade their mail server to TLS 1.2 or later; "
            f"{rule.bucket} is deprecated and will be refused."
        )
    return description, action
