"""The webhook target checks, where api/tlsrpt/mailboxes.py imports `why_refused` until its own move: they
live in core/targets.py."""

from __future__ import annotations

from core.targets import why_refused

__all__ = ["why_refused"]
