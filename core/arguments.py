"""The arguments every way in (REST, GraphQL, the CLI) names things by: ids (bigints), free text, a page's
limit. A wrong one is a BadArgument naming the argument as the client called it. Also what JSON Schema
calls an integer, and the pattern of a bounded number (for the OpenAPI document's cursors, api/patterns.py)."""

from __future__ import annotations

from core.errors import BadArgument

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def _id_argument(value: str | int, name: str, what: str) -> int:
    # ASCII digits only: int() also takes " 1", "1_0", and digits of other scripts
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) >= 2**63:  # ids are bigints
        raise BadArgument(name, f"{value!r} is not {what}")
    return int(text)


def text_argument(value: str | None, name: str) -> str | None:
    """A free-text filter: empty is none; a NUL (which PostgreSQL cannot hold) is refused, naming the argument."""
    if value is not None and "\x00" in value:
        raise BadArgument(name, "contains a NUL character")
    return value or None


def connector_id_argument(value: str | int | None, name: str = "connector") -> int | None:
    return None if value is None else _id_argument(value, name, "a connector id")


def insight_id_argument(value: str | int, name: str = "id") -> int:
    return _id_argument(value, name, "an insight id")


def webhook_id_argument(value: str | int, name: str = "id") -> int:
    return _id_argument(value, name, "a webhook id")


def endpoint_id_argument(value: str | int, name: str = "id") -> int:
    return _id_argument(value, name, "a reporting endpoint id")


def mailbox_id_argument(value: str | int, name: str = "id") -> int:
    return _id_argument(value, name, "a mailbox id")


def limit_argument(value: str | int | None) -> int:
    """A page's length: DEFAULT_LIMIT when not given, else 1 to MAX_LIMIT."""
    if value is None:
        return DEFAULT_LIMIT
    text = str(value)
    if not (text.isascii() and text.isdigit() and len(text) <= 4 and 1 <= int(text) <= MAX_LIMIT):
        raise BadArgument("limit", f"must be a whole number from 1 to {MAX_LIMIT}")
    return int(text)


def whole_number(value: object) -> int | None:
    """`value` as JSON Schema's `integer` reads it (2.0 is 2; true is no number); None if it is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) else None


def digits_up_to(limit: int, width: int) -> str:
    """1 to `width` ASCII digits (leading zeros too) whose value is at most `limit`."""
    top = str(limit)
    short = f"[0-9]{{1,{len(top) - 1}}}|" if len(top) > 1 else ""
    below = [
        top[:i] + f"[0-{int(d) - 1}]" + (f"[0-9]{{{len(top) - i - 1}}}" if i < len(top) - 1 else "")
        for i, d in enumerate(top)
        if d != "0"
    ]
    padding = f"0{{0,{width - len(top)}}}" if width > len(top) else ""
    return f"(?:{short}{padding}(?:{'|'.join([*below, top])}))"
