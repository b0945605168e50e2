"""The Exim importer on a fixture of our own and on public real-world logs (../shared/samples)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from api.importers.exim import EximParser, parse_exim
from api.importers.run import tls_lines_in
from api.importers.syslog import YearGuess
from api.tls import tls_bucket

HERE = Path(__file__).parent
SAMPLES = HERE.parent.parent.parent / "shared" / "samples" / "exim"


def parse(path: Path, keep_local: bool = False) -> tuple[list[dict[str, Any]], EximParser]:
    """As `mailflow ingest` parses a file: the whole file is looked through for TLS lines first."""
    parser = EximParser(
        YearGuess(2026, datetime(2026, 12, 31, tzinfo=UTC)),
        datetime(2026, 6, 1, tzinfo=UTC),
        keep_local,
        tls_lines_in("exim", str(path)),
    )
    lines = enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1)
    return [r for _, r in parse_exim(lines, parser)], parser


def tally(records: list[dict[str, Any]]) -> dict[tuple[str, str | None], int]:
    return dict(Counter((r["direction"], tls_bucket(r["tls_version"])) for r in records))


def test_fixture() -> None:
    records, parser = parse(HERE / "exim_fixture.log")
    by_id = {r["message_id"]: r for r in records}
    one = by_id["one@fabrikam.com"]
    assert one["tls_version"] == "TLS1.2"
    assert one["cipher"] == "ECDHE-RSA-AES256-GCM-SHA384"
    assert one["received_at"].isoformat() == "2026-11-20T10:00:00.123000+01:00"  # fractional seconds and a zone
    assert one["size_bytes"] == 2048  # read past the quoted DN with its commas and X=
    assert one["remote_host"] == "mail.fabrikam.com"
    assert by_id["two@old.example"]["tls_version"] == "none"
    assert by_id["two@old.example"]["remote_host"] == "old"  # only the HELO name
    assert by_id["three@new.example"]["tls_version"] == "TLS"  # esmtps without X=
    assert by_id["three@new.example"]["remote_ip"] == "2001:db8::9"
    assert by_id["six@partner.example"]["tls_version"] == "TLS1.3"  # wrapped in syslog
    sent = by_id["four@contoso.com to erin@woodgrovebank.com"]
    assert sent["tls_version"] == "TLS1.3"
    assert sent["cipher"] == "ECDHE_SECP256R1__RSA_PSS_RSAE_SHA256__AES_256_GCM"  # a GnuTLS name
    assert sent["status"] == "sent"
    assert by_id["four@contoso.com to frank@woodgrovebank.com"]["status"] == "sent"
    deferred = by_id["four@contoso.com to gina@plain.example"]
    assert (deferred["status"], deferred["tls_version"]) == ("deferred", "unknown")  # Exim states no TLS there
    bounced = by_id["four@contoso.com to nobody@tls10.example"]
    assert (bounced["status"], bounced["tls_version"]) == ("bounced", "TLS1.0")
    assert tally(records) == {
        ("inbound", "TLS1.2"): 1,
        ("inbound", "TLS1.3"): 1,
        ("inbound", "none"): 1,
        ("inbound", "unknown"): 1,
        ("outbound", "TLS1.3"): 2,
        ("outbound", "TLS1.0"): 1,
        ("outbound", "unknown"): 1,
    }
    assert parser.skipped["local submission (no network arrival)"] == 1
    assert parser.skipped["delivery without a remote host (local, unrouteable, retry time-out, DANE lookup)"] == 1
    assert parser.skipped["loopback host"] == 1
    assert parser.skipped["not an Exim line"] == 1


needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is not here")


@needs_samples
@pytest.mark.parametrize("name", ["crowdsec-hub__tests-exim-logs.log", "crowdsec-hub__tests-exim-syslog-logs.log"])
def test_crowdsec_samples_hold_no_message(name: str) -> None:
    # Read from the files: only rejected RCPTs, refused connections and failed logins: no `<=` or `=>`.
    records, parser = parse(SAMPLES / name)
    assert records == []
    assert parser.lines == len((SAMPLES / name).read_text().splitlines())


@needs_samples
def test_exim_testsuite_2149() -> None:
    # Read from the file: the client half submits locally (7 `<= ... P=local`) and delivers over TLS to
    # 127.0.0.1 (6 `=>` with a munged X=TLS1.x, 1 `==` deferral with H= and no X=: Exim states no TLS
    # on deferrals, so unknown; 1 `**` without H=);
    # the server half receives those 6 over esmtps from localhost and blackholes them. Everything is on
    # loopback: nothing counts unless local hops are kept.
    path = SAMPLES / "exim-testsuite__test-log-2149__munged.log"
    assert parse(path)[0] == []
    records, _ = parse(path, keep_local=True)
    assert tally(records) == {("inbound", "unknown"): 6, ("outbound", "unknown"): 7}


@needs_samples
def test_exim_testsuite_5820() -> None:
    # Read from the file: three deliveries to DANE hosts at a munged address `ip4.ip4.ip4.ip4` with
    # X=TLS1.x (lines 4, 6, 10) and the three matching arrivals over esmtps (84, 88, 94): TLS of a munged,
    # so unknown, version; the address is not one, so none is stored. Every other delivery and arrival is
    # on 127.0.0.1 or has no remote host (DANE lookup failures).
    records, _ = parse(SAMPLES / "exim-testsuite__test-log-5820__munged-dane.log")
    assert tally(records) == {("outbound", "unknown"): 3, ("inbound", "unknown"): 3}
    assert {r["remote_ip"] for r in records} == {None}
