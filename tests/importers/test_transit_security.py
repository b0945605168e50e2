"""Transit security from mail logs: each outbound delivery's level and the deliveries blocked because TLS was
required (Postfix and Exim)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from api.importers.exim import EximParser, parse_exim
from api.importers.postfix import PostfixParser, parse_postfix
from api.importers.syslog import YearGuess
from api.ingest import validate

POSTFIX = """\
Jan  1 00:04:00 mx1 postfix/smtp[500]: Verified TLS connection established to mx.sts.example[192.0.2.25]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)
Jan  1 00:04:01 mx1 postfix/smtp[500]: 6C3D4E5F6A: to=<a@sts.example>, relay=mx.sts.example[192.0.2.25]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=2.0.0, status=sent (250 2.0.0 Ok)
Jan  1 00:04:02 mx1 postfix/smtp[501]: Trusted TLS connection established to mx.t.example[192.0.2.26]:25: TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)
Jan  1 00:04:03 mx1 postfix/smtp[501]: 6C3D4E5F6A: to=<b@t.example>, relay=mx.t.example[192.0.2.26]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=2.0.0, status=sent (250 2.0.0 Ok)
Jan  1 00:04:04 mx1 postfix/smtp[502]: Anonymous TLS connection established to mx.a.example[192.0.2.27]:25: TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)
Jan  1 00:04:05 mx1 postfix/smtp[502]: 6C3D4E5F6A: to=<c@a.example>, relay=mx.a.example[192.0.2.27]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=2.0.0, status=sent (250 2.0.0 Ok)
Jan  1 00:04:06 mx1 postfix/smtp[503]: 6C3D4E5F6A: to=<d@plain.example>, relay=mx.plain.example[192.0.2.28]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=4.7.4, status=deferred (TLS is required, but was not offered by host mx.plain.example[192.0.2.28])
Jan  1 00:04:07 mx1 postfix/smtp[504]: Untrusted TLS connection established to mx.self.example[192.0.2.29]:25: TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)
Jan  1 00:04:08 mx1 postfix/smtp[504]: 6C3D4E5F6A: to=<e@self.example>, relay=mx.self.example[192.0.2.29]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=4.7.5, status=deferred (Server certificate not verified)
Jan  1 00:04:09 mx1 postfix/smtp[505]: 6C3D4E5F6A: to=<f@open.example>, relay=mx.open.example[192.0.2.30]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=2.0.0, status=sent (250 2.0.0 Ok)
"""  # noqa: E501

EXIM = """\
2026-11-20 10:00:04 1vABCG-000004-AB => a@dane.example R=dnslookup T=remote_smtp H=mx.dane.example [192.0.2.25]:25 X=TLS1.3:ECDHE_SECP256R1__RSA_PSS_RSAE_SHA256__AES_256_GCM:256 CV=dane C="250 OK"
2026-11-20 10:00:05 1vABCG-000004-AB => b@v.example R=dnslookup T=remote_smtp H=mx.v.example [192.0.2.26]:25 X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=yes C="250 OK"
2026-11-20 10:00:06 1vABCG-000004-AB => c@o.example R=dnslookup T=remote_smtp H=mx.o.example [192.0.2.27]:25 X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=no C="250 OK"
2026-11-20 10:00:07 1vABCG-000004-AB == d@plain.example R=dnslookup T=remote_smtp defer (-1) H=mx.plain.example [192.0.2.28]:25: a TLS session is required, but the server did not offer TLS support
2026-11-20 10:00:08 1vABCG-000004-AB == e@self.example R=dnslookup T=remote_smtp defer (-37) H=mx.self.example [192.0.2.29]:25: TLS session: (SSL_connect): certificate verify failed
"""  # noqa: E501


def levels(records: list[dict[str, Any]]) -> dict[str, tuple[str, str | None]]:
    """Per recipient: the level stored (after validation, which fills the default) and the blocked reason."""
    batch, problems = validate(records, {}, now=datetime(2027, 1, 1, tzinfo=UTC))
    assert not problems, problems.items
    return {
        r["recipient"].split("@")[1]: (level, reason)
        for r, level, reason in zip(records, batch.tls_securities, batch.blocked_reasons, strict=True)
    }


def test_postfix_levels_and_blocked_deliveries() -> None:
    parser = PostfixParser(YearGuess(2026, datetime(2026, 12, 31, tzinfo=UTC)), datetime(2026, 6, 1, tzinfo=UTC))
    records = [r for _, r in parse_postfix(enumerate(POSTFIX.splitlines(), start=1), parser)]
    assert levels(records) == {
        "sts.example": ("verified", None),
        "t.example": ("opportunistic", None),
        "a.example": ("opportunistic", None),
        "plain.example": ("none", "TLS is required, but was not offered"),
        "self.example": ("opportunistic", "Server certificate not verified"),
        "open.example": ("none", None),  # the log shows TLS lines for smtp: a delivery without one had none
    }


def test_exim_levels_and_blocked_deliveries() -> None:
    parser = EximParser(YearGuess(2026, datetime(2026, 12, 31, tzinfo=UTC)), datetime(2026, 6, 1, tzinfo=UTC))
    records = [r for _, r in parse_exim(enumerate(EXIM.splitlines(), start=1), parser)]
    assert levels(records) == {
        "dane.example": ("dane", None),
        "v.example": ("verified", None),
        "o.example": ("opportunistic", None),
        # Exim states no TLS on a failure: the session is `unknown`, the reason is known
        "plain.example": ("unknown", "TLS is required, but was not offered"),
        "self.example": ("unknown", "Server certificate not verified"),
    }
