"""The spellings of TLS versions seen in real logs and reports, and the bucket each goes to (core/tls.py).

SSL 2.0 and 3.0 go to the `TLS1.0` bucket ("TLS 1.0 or older"): they are older and weaker than TLS 1.0,
so they must weigh on the same insights. The raw string is always kept beside the bucket.
"""

from __future__ import annotations

import re

from api.patterns import SPACE

_NONE = frozenset({"", "none", "no tls", "notls", "no_tls", "no-tls"})
_UNKNOWN = frozenset({"unknown", "tls"})
_TLS = re.compile(r"^tls\s*v?\s*1(?:[._ ]?([0-3]))?$")
_BARE = re.compile(r"^1\.([0-3])$")
_SSL = re.compile(r"^ssl\s*v?\s*([23])(?:[._]0)?$")

_cache: dict[str, str | None] = {}


def _any_case(text: str) -> str:
    """`text` (letters, ' ', '-', '_') in any case, as `.lower()` reads it: the Kelvin sign lowers to k."""
    extra = {"k": "\\u212a"}
    return "".join(f"[{c}{c.upper()}{extra.get(c, '')}]" if c.isalpha() else c for c in text)


_WORDS = "|".join(_any_case(word) for word in sorted(_NONE | _UNKNOWN) if word)
_V = f"{SPACE}*[vV]?{SPACE}*"
# What tls_bucket reads as a version, for the OpenAPI document (tests/test_tls.py checks that they agree)
PATTERN = (
    f"^{SPACE}*(?:{_WORDS}|{_any_case('tls')}{_V}1(?:[._ ]?[0-3])?|1\\.[0-3]|{_any_case('ssl')}{_V}[23](?:[._]0)?)?"
    f"{SPACE}*$"
)


def _parse(text: str) -> str | None:
    s = text.strip().lower()
    if s in _NONE:
        return "none"
    if s in _UNKNOWN:
        return "unknown"
    match = _TLS.match(s) or _BARE.match(s)
    if match:
        return f"TLS1.{match.group(1) or '0'}"
    if _SSL.match(s):
        return "TLS1.0"
    return None


def tls_bucket(value: str | None) -> str | None:
    """The bucket for a version string, or None when the string is not a TLS version."""
    if value is None:
        return "none"
    try:
        return _cache[value]
    except KeyError:
        bucket = _parse(value)
        if len(_cache) < 10_000:
            _cache[value] = bucket
        return bucket
