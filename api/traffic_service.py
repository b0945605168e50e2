"""The id arguments of the TLS-RPT endpoints and mailboxes, where api/tlsrpt/graphql.py imports them until
its own move: they live in core/arguments.py, the traffic reports in services/reports.py."""

from __future__ import annotations

from core.arguments import endpoint_id_argument, mailbox_id_argument

__all__ = ["endpoint_id_argument", "mailbox_id_argument"]
