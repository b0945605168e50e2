from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import pytest

from core import domains
from core.domains import domain_name, registrable_domain


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("mx1.mail.example.co.uk", "example.co.uk"),
        ("MX2.Example.COM.", "example.com"),
        ("mail-db3eur04on0101.outbound.protection.outlook.com", "outlook.com"),
        # only the ICANN section: a hosting platform's customers fold into its operator
        ("ec2-192-0-2-1.compute-1.amazonaws.com", "amazonaws.com"),
        ("mx.bücher.de", "xn--bcher-kva.de"),
        ("mx.xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("почта.рф", "xn--80a1acny.xn--p1ai"),
        ("[192.0.2.1]", None),
        ("192.0.2.1", None),
        ("2001:db8::1", None),
        ("unknown", None),
        ("localhost", None),
        ("co.uk", None),
        ("", None),
        ("x" * 300 + ".com", None),
    ],
)
def test_registrable_domain(host: str, expected: str | None) -> None:
    assert registrable_domain(host) == expected


def test_domain_names_are_spelled_one_way() -> None:
    assert domain_name(" Bücher.DE. ") == "xn--bcher-kva.de" == domain_name("xn--bcher-kva.de")
    assert domain_name("Example.ORG") == "example.org"
    assert domain_name(".") is None
    assert domain_name("a\udcffb.example") == "a\udcffb.example"  # cannot be encoded: kept as given


def test_the_bundled_list_is_read_without_network_or_home_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the Public Suffix List must not be fetched")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    domains._suffixes.cache_clear()
    registrable_domain.cache_clear()
    assert registrable_domain("mx.never-seen-before.example.net") == "example.net"
    assert os.listdir(tmp_path) == []
