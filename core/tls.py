"""The TLS buckets a message is counted in, in report order (api/tls.py reads the spellings logs use)."""

from __future__ import annotations

BUCKETS: tuple[str, ...] = ("none", "TLS1.0", "TLS1.1", "TLS1.2", "TLS1.3", "unknown")
