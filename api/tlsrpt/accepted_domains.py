"""What REST, GraphQL and the CLI share about accepted domains: the domains an organization owns.

A TLS report's policy for a domain that is neither one of them nor a subdomain of one is stored and shown,
flagged with the reason, but not counted in the organization's TLS report figures (days, sessions) or insights.
An organization that lists no domain counts every report, as before the list existed. The figures compare
with the list when they are read, so adding a domain later counts the reports already stored for it."""

from __future__ import annotations

import logging
import re
from typing import Any

from api.context import AppState
from api.errors import NotFound, ValidationFailed, bad_argument
from api.insights.evaluate import evaluate
from core.domains import MAX_LENGTH, domain_name
from db import accepted_domains as store
from db.accepted_domains import AcceptedDomain

log = logging.getLogger("mailflow.insights")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")  # matched whole (fullmatch: `$` would take a final newline)
FIELDS = ("domain",)


def normalised(text: Any) -> str | None:
    """`text` as one spelling (lower case, A-labels, no trailing dot), or None when it is not a domain name of
    two labels or more."""
    if not isinstance(text, str) or "\x00" in text or len(text) > 4 * MAX_LENGTH:
        return None
    name = domain_name(text)
    if name is None or len(name) > MAX_LENGTH or not name.isascii():
        return None
    labels = name.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels) or labels[-1].isdigit():
        return None
    return name


def _problem(message: str) -> ValidationFailed:
    return ValidationFailed(
        f"the accepted domain is not valid: domain: {message}", [{"field": "domain", "message": message}]
    )


def checked(body: Any) -> str:
    """The normalised domain of `{"domain": ...}`, or a 422 naming what is wrong."""
    if not isinstance(body, dict):
        raise ValidationFailed(
            "the accepted domain is not valid: must be a JSON object",
            [{"field": None, "message": "must be a JSON object"}],
        )
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        problems = [{"field": k, "message": "unknown field"} for k in unknown]
        raise ValidationFailed(f"the accepted domain is not valid: {', '.join(unknown)}: unknown field", problems)
    if body.get("domain") is None:
        raise _problem("is required")
    name = normalised(body["domain"])
    if name is None:
        raise _problem("must be a domain name such as example.com (an internationalized name is taken too)")
    return name


async def list_all(app: AppState) -> list[AcceptedDomain]:
    return await store.list_accepted_domains(app.pool, app.org_id)


async def add(app: AppState, body: Any) -> tuple[AcceptedDomain, bool]:
    """The domain and whether it is new (adding one that is listed already changes nothing)."""
    name = checked(body)
    made = await store.insert_accepted_domain(app.pool, app.org_id, name)
    if made is not None:
        await _reevaluate(app)
        return made, True
    found = [d for d in await list_all(app) if d.domain == name]
    return found[0], False


async def remove(app: AppState, text: str) -> str:
    name = normalised(text)
    if name is None:
        raise bad_argument("domain", f"{text[:260]!r} is not a domain name")
    if not await store.delete_accepted_domain(app.pool, app.org_id, name):
        raise NotFound(f"{text[:260]!r} is not an accepted domain of this organization")
    await _reevaluate(app)
    return name


async def _reevaluate(app: AppState) -> None:
    """The TLS report insights count what the list now says (an insight for a domain left out resolves). The
    change is committed already: a failure here is logged, and the periodic evaluation catches up."""
    try:
        await evaluate(app.pool, app.org_id, None, families=("tlsrpt",))
    except Exception:
        log.warning("insight evaluation after an accepted domain change failed", exc_info=True,
                    extra={"fields": {"org_id": app.org_id}})  # fmt: skip
