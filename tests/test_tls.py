from __future__ import annotations

import pytest

from api.tls import tls_bucket
from core.tls import BUCKETS


@pytest.mark.parametrize(
    ("raw", "bucket"),
    [
        ("TLSv1.2", "TLS1.2"),
        ("TLS1.2", "TLS1.2"),
        ("TLS 1.2", "TLS1.2"),
        ("TLS1_2", "TLS1.2"),
        ("1.2", "TLS1.2"),
        ("tls12", "TLS1.2"),
        ("tlsv1.3", "TLS1.3"),
        ("TLS 1.3", "TLS1.3"),
        ("TLSv1.1", "TLS1.1"),
        ("TLSv1", "TLS1.0"),
        ("TLS1", "TLS1.0"),
        ("TLSv1.0", "TLS1.0"),
        ("1.0", "TLS1.0"),
        ("SSLv3", "TLS1.0"),
        ("sslv2", "TLS1.0"),
        ("none", "none"),
        ("no tls", "none"),
        ("No Tls", "none"),
        ("", "none"),
        ("  ", "none"),
        ("unknown", "unknown"),
        ("TLS", "unknown"),
    ],
)
def test_spellings(raw: str, bucket: str) -> None:
    assert tls_bucket(raw) == bucket


@pytest.mark.parametrize("raw", ["TLSv1.4", "TLSv2", "1", "12", "1.5", "yes", "tls 1.2.3", "ssl", "SSLv4", "TLSv1.2x"])
def test_anything_else_is_invalid(raw: str) -> None:
    assert tls_bucket(raw) is None


def test_bucket_order_is_the_contract() -> None:
    assert BUCKETS == ("none", "TLS1.0", "TLS1.1", "TLS1.2", "TLS1.3", "unknown")
