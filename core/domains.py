"""Domain names as the remote-party rollups key them, and a host's registrable domain.

The registrable domain comes from the Public Suffix List that the `publicsuffixlist` package bundles (its
version names the list's date); nothing is fetched at run time. Only the list's ICANN section is used: a
hosting platform's private suffixes (compute-1.amazonaws.com, blogspot.com) would give every customer
host its own "domain", where the admin's question is which operator to call.

Mail logs repeat a few thousand peers, so both functions keep their answers (bounded).
"""

from __future__ import annotations

import contextlib
import functools

from publicsuffixlist import PublicSuffixList

MAX_LENGTH = 253  # the longest domain name DNS can carry


@functools.cache
def _suffixes() -> PublicSuffixList:
    # loaded on first use (about 0.1 s), not when a command that never ingests starts
    return PublicSuffixList(only_icann=True)


@functools.lru_cache(maxsize=65_536)
def domain_name(text: str) -> str | None:
    """`text` as one spelling: lower case, no trailing dot, an internationalized name in ASCII (its
    A-labels, IDNA 2003 mapping as Python's codec does it), so `Bücher.de.` and `xn--bcher-kva.de` are one
    domain. Text that cannot be encoded stays as given (lower case); None when nothing is left."""
    name = text.strip().rstrip(".").lower()
    if not name:
        return None
    if not name.isascii():
        with contextlib.suppress(UnicodeError):
            name = name.encode("idna").decode("ascii")
    return name


def _is_address(name: str) -> bool:
    return ":" in name or name.replace(".", "").isdigit()


@functools.lru_cache(maxsize=65_536)
def registrable_domain(host: str) -> str | None:
    """The domain an organization registered for `host` (mx1.mail.example.co.uk: example.co.uk); None for
    an address, a name with no registrable part (`unknown`, `localhost`, a public suffix itself) or no
    name at all."""
    name = domain_name(host.strip().strip("[]"))
    if name is None or _is_address(name) or len(name) > MAX_LENGTH:
        return None
    found: str | None = _suffixes().privatesuffix(name)
    return found
