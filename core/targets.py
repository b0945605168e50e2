"""Safe webhook targets: https only, and never an address inside the server's own networks.

A URL is checked when a subscription is made or changed, and again before every attempt (DNS can change):
every address the host resolves to must be a public one (not loopback, private, link-local, shared, reserved,
multicast, nor a cloud metadata address). The attempt then connects to the address that was checked, with
the URL's host name in the Host header and TLS SNI (and the certificate checked against that name), so a
DNS answer that changes between the check and the connection (DNS rebinding) cannot steer it elsewhere.
MAILFLOW_WEBHOOK_ALLOW_PRIVATE=on allows private and loopback targets and plain http://.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_URL = 2000
# metadata services that some clouds serve at addresses `is_global` would not catch on its own
METADATA = frozenset(ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200"))


class TargetRefused(ValueError):
    """A webhook URL that may not be used; the message says why."""


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str  # as written in the URL (lower case, no brackets)
    port: int
    path: str  # with the query


def parse_target(url: object, allow_private: bool) -> Target:
    """The URL's parts, or TargetRefused: https (http too when private targets are allowed), a host, no
    credentials or fragment."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL:
        raise TargetRefused(f"must be an https:// URL of at most {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(f"is not a URL: {exc}") from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme.lower() not in schemes:
        hint = "" if allow_private else " (plain http:// only with MAILFLOW_WEBHOOK_ALLOW_PRIVATE=on)"
        raise TargetRefused(f"must start with https://{hint}")
    if not parts.hostname:
        raise TargetRefused("has no host")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("must not hold a user name or password (the signature authenticates the sender)")
    if parts.fragment:
        raise TargetRefused("must not have a #fragment")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise TargetRefused("must not hold spaces or control characters")
    scheme = parts.scheme.lower()
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(url, scheme, parts.hostname.lower(), port or (443 if scheme == "https" else 80), path)


def why_refused(address: Address) -> str | None:
    """Why an address is no webhook target unless private targets are allowed, or None if it is public."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA:
        return "a cloud metadata address"
    for what, test in (
        ("a loopback address", address.is_loopback),
        ("an unspecified address", address.is_unspecified),
        ("a link-local address", address.is_link_local),
        ("a private address", address.is_private),
        ("a multicast address", address.is_multicast),
        ("a reserved address", address.is_reserved),
        ("not a public address", not address.is_global),
    ):
        if test:
            return what
    return None


async def _lookup(target: Target) -> list[Address]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetRefused(f"{target.host} does not resolve ({exc})") from None
    addresses: list[Address] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise TargetRefused(f"{target.host} does not resolve")
    return addresses


async def resolve(target: Target, allow_private: bool) -> Address:
    """The address to connect to: the first the host resolves to, once every one is allowed (a host with
    one private address among public ones is refused: which one is used is not ours to choose)."""
    try:
        addresses = [ipaddress.ip_address(target.host)]
    except ValueError:
        addresses = await _lookup(target)
    if not allow_private:
        for address in addresses:
            reason = why_refused(address)
            if reason:
                shown = f"{target.host} is" if str(address) == target.host else f"{target.host} resolves to {address},"
                raise TargetRefused(
                    f"{shown} {reason}: webhooks go to public addresses only "
                    "(MAILFLOW_WEBHOOK_ALLOW_PRIVATE=on allows others)"
                )
    return addresses[0]


async def check_target(url: object, allow_private: bool) -> Target:
    """A URL that may be subscribed to now (parsed and resolved), or TargetRefused."""
    target = parse_target(url, allow_private)
    await resolve(target, allow_private)
    return target
