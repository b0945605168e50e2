"""The Postfix importer on a fixture of our own and on public real-world logs (../shared/samples)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from api.importers.postfix import PostfixParser, parse_postfix
from api.importers.run import tls_servers_in
from api.importers.syslog import YearGuess
from api.tls import tls_bucket

HERE = Path(__file__).parent
SAMPLES = HERE.parent.parent.parent / "shared" / "samples" / "postfix"


def parse(path: Path, year: int = 2025, keep_local: bool = False) -> tuple[list[dict[str, Any]], PostfixParser]:
    """As `mailflow ingest` parses a file: the whole file is looked through for TLS lines first."""
    parser = PostfixParser(
        YearGuess(year, datetime(year, 12, 31, tzinfo=UTC)),
        datetime(year, 6, 1, tzinfo=UTC),
        keep_local,
        tls_servers=tls_servers_in(str(path)),
    )
    lines = enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1)
    return [r for _, r in parse_postfix(lines, parser)], parser


def tally(records: list[dict[str, Any]]) -> dict[tuple[str, str | None], int]:
    return dict(Counter((r["direction"], tls_bucket(r["tls_version"])) for r in records))


def test_fixture() -> None:
    records, parser = parse(HERE / "postfix_fixture.log")
    by_id = {r["message_id"]: r for r in records}
    # inbound: TLS line of the connection; both messages of one connection; the year turns at midnight
    one = by_id["one@fabrikam.com"]
    assert one["tls_version"] == "TLSv1"
    assert one["sender"] == "alice@fabrikam.com"
    assert one["size_bytes"] == 2048
    assert one["received_at"].isoformat() == "2025-12-31T23:59:59+00:00"
    assert by_id["5B2C3D4E5F"]["tls_version"] == "TLSv1"
    assert by_id["5B2C3D4E5F"]["received_at"].isoformat().startswith("2026-01-01")
    # RFC 3339 header, a submission/smtpd program name (client submission), IPv6, starttls counter
    # without a TLS line
    assert by_id["6C3D4E5F6A"]["tls_version"] == "TLS"
    assert by_id["6C3D4E5F6A"]["direction"] == "submission"
    assert by_id["6C3D4E5F6A"]["remote_ip"] == "2001:db8::7"
    assert by_id["7D4E5F6A7B"]["tls_version"] == "none"  # no STARTTLS
    assert by_id["9A6B7C8D9E"]["tls_version"] == "TLS"  # `setting up TLS`, no version logged
    assert by_id["AB7C8D9EAF"]["tls_version"] == "TLSv1.2"  # CRLF line endings
    # outbound: the process's TLS session, a reused connection (conn_use=2) from another process, plain
    assert by_id["6C3D4E5F6A to carol@woodgrove.com"]["tls_version"] == "TLSv1.3"
    assert by_id["6C3D4E5F6A to dave@woodgrove.com"]["tls_version"] == "TLSv1.3"
    plain = by_id["6C3D4E5F6A to erin@plain.example"]
    assert plain["tls_version"] == "none"
    assert plain["status"] == "deferred"
    assert tally(records) == {
        ("inbound", "TLS1.0"): 2,
        ("inbound", "TLS1.2"): 1,
        ("inbound", "unknown"): 1,
        ("submission", "unknown"): 1,
        ("inbound", "none"): 1,
        ("outbound", "TLS1.3"): 2,
        ("outbound", "none"): 1,
    }
    assert parser.skipped["loopback client (content filter or local submission)"] == 1
    assert parser.skipped["local delivery (local, virtual, lmtp, pipe, loopback)"] == 2
    assert parser.skipped["delivery attempt without a connection (relay=none)"] == 1
    assert parser.skipped["not a Postfix line"] == 1


def test_keep_local_counts_the_local_hops() -> None:
    records, _ = parse(HERE / "postfix_fixture.log", keep_local=True)
    assert len([r for r in records if r["direction"] == "outbound"]) == 5
    assert len([r for r in records if r["direction"] == "inbound"]) == 6
    assert len([r for r in records if r["direction"] == "submission"]) == 1


needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is not here")


@needs_samples
def test_zentyal_sample() -> None:
    # Counted by reading the file: 17 `client=` lines from 192.168.9.1; 11 of those connections logged
    # "Anonymous TLS connection established ... TLSv1" first, 6 did not (no STARTTLS). 3 of the 11 carry
    # `sasl_username=` (lines 4, 135, 175): client submissions. 12 smtp deliveries to remote relays
    # (two lines appear twice in the source), and not one "TLS ... to" line in the file: the log does
    # not show TLS for deliveries, so they are `unknown`, not `none`.
    # 7 pipe/dovecot deliveries are local; 2 deliveries with relay=none.
    records, parser = parse(SAMPLES / "zentyal__MailLogHelper.t__extracted-lines.log")
    assert tally(records) == {
        ("inbound", "TLS1.0"): 8,
        ("submission", "TLS1.0"): 3,
        ("inbound", "none"): 6,
        ("outbound", "unknown"): 12,
    }
    assert parser.unlogged == {"outbound": 12}
    assert len({(r["message_id"], r["received_at"]) for r in records if r["direction"] == "outbound"}) == 10
    assert parser.skipped["local delivery (local, virtual, lmtp, pipe, loopback)"] == 7
    assert parser.skipped["delivery attempt without a connection (relay=none)"] == 2


@needs_samples
def test_kumina_sample() -> None:
    # Read from the file: 2 `client=` lines (43 with `sasl_username=`: a client submission; 44), no
    # disconnect counters for them and not one "TLS connection established from" line in the file: TLS
    # is not logged for smtpd, so both are `unknown`. Deliveries: 3 by host `letterman` (47-49), which
    # logs no TLS line anywhere in the file (the TLS lines are other servers'): unknown; CA1AD20189 over
    # smtp[156]'s TLSv1.2 session to
    # mta5 [67.195.228.106] and 973D120142 over smtp[158]'s TLSv1.2 session to mta6 [67.195.204.77];
    # 3 relay=none. The tlsproxy handshakes have no delivery of their own.
    records, parser = parse(SAMPLES / "kumina-postfix_exporter-pr52__logCollector_test.go__extracted-lines.log")
    assert tally(records) == {
        ("inbound", "unknown"): 1,
        ("submission", "unknown"): 1,
        ("outbound", "unknown"): 3,
        ("outbound", "TLS1.2"): 2,
    }
    assert parser.skipped["delivery attempt without a connection (relay=none)"] == 3


@needs_samples
@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*")) if SAMPLES.is_dir() else [], ids=lambda p: p.name)
def test_every_sample_parses_without_error(path: Path) -> None:
    records, parser = parse(path)
    assert parser.lines == len(path.read_text(encoding="utf-8", errors="replace").splitlines())
    for record in records:
        assert tls_bucket(record["tls_version"]) is not None


@needs_samples
def test_crowdsec_sample_holds_no_message() -> None:
    # Read from the file: SASL failures, NOQUEUE rejects and non-SMTP commands; no client= or relay= line.
    records, parser = parse(SAMPLES / "crowdsec-hub__tests-postfix-logs.log")
    assert records == []
    assert parser.lines == 7


@needs_samples
def test_digineo_sample() -> None:
    # Read from the file: client= at line 38 (inbound) and 41 (`sasl_username=`: a client submission),
    # with no TLS line for their process and none from any smtpd in the file (TLS not logged: unknown);
    # the submission/smtpd client= at line 47 from fe80::1:2:3:4 whose disconnect (line 50) counts
    # starttls=1 (TLS, version unknown). Deliveries: 5270320179 (line 37) by host `letterman`, which logs
    # no smtp TLS line anywhere in this stitched file (host `mail` does): unknown; 838FC8A5F (line 52)
    # over smtp[3646046]'s TLSv1.3 session to gmail-smtp-in [173.194.76.27] (line 51).
    records, parser = parse(SAMPLES / "digineo-postfix_exporter__testdata-mail.log")
    assert tally(records) == {("inbound", "unknown"): 1, ("submission", "unknown"): 2, ("outbound", "unknown"): 1,
                              ("outbound", "TLS1.3"): 1}  # fmt: skip
    assert parser.unlogged == {"inbound": 2, "outbound": 1}
    submission = next(r for r in records if r["direction"] == "submission" and r["tls_version"] == "TLS")
    assert submission["message_id"] == "341d97ec-c42a-6b0d-a49d-00d44a4f9753@example.org"
    assert submission["sender"] == "out@example.org"


@needs_samples
def test_modoboa_sample(tmp_path: Path) -> None:
    # The file is a template: every line starts with `%(day)s` where a date belongs; a day is put there.
    # Read from the file: a before-queue filter (amavis) sees 17 `NOQUEUE: client=` from remote hosts,
    # each accepted (`proxy-accept: ... queued as ID`); 13 of their connections logged a TLSv1.2
    # handshake first (lines 84, 98, 128, 197, 221, 241, 283, 307, 344, 404, 418, 450, 483), 4 did not
    # (19, 175, 247, 506). The filter's re-injections come from 127.0.0.1 and are skipped. One remote
    # delivery (line 32) over smtp[30648]'s TLSv1.2 session (line 31); line 29 is an address probe.
    text = (SAMPLES / "modoboa__maillog-tests-mail.log").read_text().replace("%(day)s", "Oct 10")
    dated = tmp_path / "mail.log"
    dated.write_text(text)
    records, parser = parse(dated)
    assert tally(records) == {("inbound", "TLS1.2"): 13, ("inbound", "none"): 4, ("outbound", "TLS1.2"): 1}
    inbound = [r for r in records if r["direction"] == "inbound"]
    assert len({r["message_id"] for r in inbound}) == 17  # each named by the queue ID the filter gave it
    first = next(r for r in inbound if r["remote_host"] == "misas5.babino.pl")
    assert first["sender"] == "zwroty@babino.pl"  # qmgr's from= for 1FEB7E00C4
    assert parser.skipped["address verification probe"] >= 1


@needs_samples
def test_whyscream_sample() -> None:
    # Message-only lines (no header, no process id) from unrelated test cases: the importer reads them as
    # one stream. Read from the file: remote deliveries at lines 105, 114, 122 and six variants of one
    # delivery (172-177, `tls=` policy notes but no TLS line for that relay [1.2.3.4]): 9 records of
    # 4 distinct deliveries, all without a TLS session of their relay; relay=none (32, 36), an address
    # verification result (37, `undeliverable-but-not-cached`), loopback,
    # local, dovecot, lmtp and virtual hops are skipped. The one client= (line 135) is followed in the
    # stream by a disconnect whose counters say DATA failed (line 160, `data=0/1`): no message was
    # received, so it makes no record.
    records, parser = parse(SAMPLES / "whyscream-postfix-grok-patterns__test-yaml-data__message-only.txt")
    assert tally(records) == {("outbound", "none"): 9}
    assert parser.not_received == 1
    outbound = {(r["message_id"], r["received_at"]) for r in records if r["direction"] == "outbound"}
    assert len(outbound) == 4
    assert parser.skipped["delivery attempt without a connection (relay=none)"] == 2
    assert parser.skipped["address verification probe"] == 1
