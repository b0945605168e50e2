"""Classes of real-world input, each in a fixture crafted the way real servers (and spreadsheets) write
it, with counts derived by hand beside it; and the summary's reconciliation on every shared sample."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from api.importers.lines import ParseError
from api.importers.run import Tally, log_records, open_input
from api.tls import tls_bucket

HERE = Path(__file__).parent / "real_world"
SAMPLES = Path(__file__).parent.parent.parent.parent / "shared" / "samples"


def run(path: Path, fmt: str = "postfix", **options: Any) -> tuple[list[dict[str, Any]], Tally]:
    """What `mailflow ingest --format FMT` reads from the file: its records and its summary."""
    options = {"year": None, "time_zone": "UTC", "keep_local": False, **options}
    tally = Tally(fmt)
    with open_input(str(path)) as stream:
        records = [r for _, r in log_records(fmt, stream, str(path), tally, **options)]
    return records, tally


def buckets(records: list[dict[str, Any]]) -> dict[tuple[str, str | None], int]:
    out: dict[tuple[str, str | None], int] = {}
    for r in records:
        key = (r["direction"], tls_bucket(r["tls_version"]))
        out[key] = out.get(key, 0) + 1
    return out


def reconciles(tally: Tally) -> bool:
    return tally.lines == tally.used + sum(tally.skipped.values())


def test_a_log_that_went_through_a_spreadsheet() -> None:
    # CRLF, trailing commas on every line, lines 5, 8 and 9 quoted as CSV fields, recipients and the
    # sender without angle brackets (8, 9, 11), orig_to= without them (9), an empty row (14).
    # By hand: one inbound message over TLSv1.2 (lines 1-6); deliveries over smtp[2004]'s TLSv1.3
    # session (8, 9); smtp[2005] had no TLS session (10, 11): none, since this log shows smtp TLS lines.
    # Line 12 has a queue ID and status= but its fields are split by `;`: not understood.
    records, tally = run(HERE / "spreadsheet.log", year=2026)
    assert buckets(records) == {("inbound", "TLS1.2"): 1, ("outbound", "TLS1.3"): 2, ("outbound", "none"): 2}
    by_recipient = {r.get("recipient"): r for r in records}
    assert set(by_recipient) == {None, "carol@woodgrove.com", "dave@woodgrove.com", "erin@plain.example",
                                 "frank@plain.example"}  # fmt: skip
    assert by_recipient[None]["sender"] == "alice@fabrikam.com"
    assert by_recipient[None]["size_bytes"] == 4096
    assert by_recipient["frank@plain.example"]["status"] == "bounced"
    assert tally.lines == 14
    assert tally.used == 12
    assert tally.skipped == {"delivery lines not understood": 1, "empty line": 1}
    assert tally.not_understood == [12]
    report = "\n".join(tally.report())
    assert "lines read: 14 = 12 used + 2 skipped" in report
    assert "1 delivery line(s) not understood made no record (line 12)" in report


def test_strict_refuses_a_delivery_line_it_does_not_understand() -> None:
    with pytest.raises(ParseError, match="line 12"):
        run(HERE / "spreadsheet.log", year=2026, strict=True)


def test_deliveries_are_unknown_where_the_log_does_not_show_their_tls() -> None:
    # smtp_tls_loglevel = 0: the smtpd side logs its handshake (line 2), the smtp side logs none.
    # By hand: inbound quiet-1 over TLSv1.3; 3C4D5E6F7A without STARTTLS (its disconnect counters have
    # no starttls=): none. The three deliveries (10-12) cannot be told: unknown, and the summary says
    # which setting logs it.
    records, tally = run(HERE / "no_smtp_tls_logged.log", year=2026)
    assert buckets(records) == {("inbound", "TLS1.3"): 1, ("inbound", "none"): 1, ("outbound", "unknown"): 3}
    assert {r["tls_version"] for r in records if r["direction"] == "outbound"} == {"unknown"}
    assert tally.unlogged == {"outbound": 3}
    assert (tally.lines, tally.used, sum(tally.skipped.values())) == (13, 13, 0)
    warning = next(w for w in tally.warnings() if "deliveries" in w)
    assert "3 deliveries are counted as `unknown`" in warning
    assert "smtp_tls_loglevel = 1" in warning


def test_an_admin_who_knows_there_is_no_tls_says_so() -> None:
    records, tally = run(HERE / "no_smtp_tls_logged.log", year=2026, assume_no_tls=True)
    assert buckets(records) == {("inbound", "TLS1.3"): 1, ("inbound", "none"): 1, ("outbound", "none"): 3}
    assert tally.unlogged == {}
    assert tally.warnings() == []


def test_streams_apply_the_rule_to_what_they_have_read_so_far() -> None:
    # stdin cannot be looked through first: a delivery before the first smtp TLS line is unknown, the
    # ones after it none.
    from api.importers.lines import TlsServers
    from api.importers.postfix import PostfixParser
    from api.importers.syslog import YearGuess

    parser = PostfixParser(YearGuess(2026, None), datetime(2026, 11, 20, tzinfo=UTC), tls_servers=TlsServers())
    lines = (HERE / "no_smtp_tls_logged.log").read_text().splitlines()
    tls = "Nov 20 10:01:59 mx1 postfix/smtp[3009]: Trusted TLS connection established to x.example[192.0.2.9]:25: "
    tls += "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)"
    lines.insert(10, tls)  # after the first delivery (line 10), before the other two
    records = [r for n, text in enumerate(lines, 1) for _, r in parser.feed(n, text)]
    outbound = [r["tls_version"] for r in records if r["direction"] == "outbound"]
    assert outbound == ["unknown", "none", "none"]


def test_client_submissions_are_apart_from_inbound_mail() -> None:
    # By hand: 4D5E6F7A8B over the submission listener with TLSv1.3 (lines 1-6); 5E6F7A8B9C over the
    # smtps listener, whose TLS is implicit (no STARTTLS, no TLS line): TLS of unknown version;
    # 6F7A8B9CAD on port 25 but authenticated (sasl_username=): a submission over TLSv1.2; 7A8B9CADBE
    # from a partner's server over TLSv1.3: the one inbound message. The submitted message's onward
    # delivery (line 19) is outbound mail.
    records, tally = run(HERE / "submission.log", year=2026)
    assert buckets(records) == {
        ("submission", "TLS1.3"): 1,
        ("submission", "unknown"): 1,
        ("submission", "TLS1.2"): 1,
        ("inbound", "TLS1.3"): 1,
        ("outbound", "TLS1.3"): 1,
    }
    assert next(r for r in records if r["direction"] == "inbound")["remote_host"] == "mail.fabrikam.com"
    assert reconciles(tally)
    assert "submission TLS1.3   1" in "\n".join(tally.report())


def test_tlsproxy_handshakes_have_their_own_category() -> None:
    # By hand: tlsproxy's inbound handshake (line 3, `from [ip]:port`, no host name) is counted with the
    # smtpd session (5-8, TLSv1.3); its CONNECT/DISCONNECT lines and postscreen's are other lines; its
    # outbound handshake (10) carries the delivery over the reused connection (11, TLSv1.2).
    records, tally = run(HERE / "tlsproxy.log")
    assert buckets(records) == {("inbound", "TLS1.3"): 1, ("outbound", "TLS1.2"): 1}
    assert tally.skipped == {
        "other Postfix line": 4,
        "TLS handshake logged by tlsproxy/postscreen (counted with smtpd)": 1,
    }
    assert tally.used == 6


def test_a_year_is_never_guessed_into_the_future(tmp_path: Path) -> None:
    # The file was last modified on 1 December 2026; its first line says Dec 11: that is 2025's, and the
    # year turns at the January line. Nov 30 after it is 2026's.
    log = tmp_path / "mail.log"
    shutil.copy(HERE / "future_year.log", log)
    modified = datetime(2026, 12, 1, 10, tzinfo=UTC).timestamp()
    os.utime(log, (modified, modified))
    records, tally = run(log)
    assert [r["received_at"].isoformat() for r in records] == [
        "2025-12-11T08:00:01+00:00",
        "2026-01-01T00:00:01+00:00",
        "2026-11-30T12:00:01+00:00",
    ]
    assert "dates: 2025-12-11 to 2026-11-30" in "\n".join(tally.report())


def test_exim_submissions_and_failures_named_only_in_the_error_text() -> None:
    # By hand: P=esmtpsa with A= (1) and P=esmtpa with A= (2) are client submissions, over TLS1.3 and
    # without TLS; esmtps (3) and esmtp (4) arrivals are inbound. The => delivery (5) states TLS1.3;
    # the ** failure (6) names its host only in the error text; the == deferral (7) has H= but Exim
    # states no TLS on failures and deferrals: both unknown. Line 8 fails without a host, 9 is
    # bookkeeping, 10 is a delivery whose id Exim never writes: not understood.
    records, tally = run(HERE / "exim_submission_failures.log", fmt="exim")
    assert buckets(records) == {
        ("submission", "TLS1.3"): 1,
        ("submission", "none"): 1,
        ("inbound", "TLS1.2"): 1,
        ("inbound", "none"): 1,
        ("outbound", "TLS1.3"): 1,
        ("outbound", "unknown"): 2,
    }
    failed = next(r for r in records if r.get("recipient") == "frank@plain.example")
    assert (failed["status"], failed["remote_host"], failed["remote_ip"]) == (
        "bounced",
        "mx.plain.example",
        "198.51.100.25",
    )
    assert tally.not_understood == [10]
    assert (tally.lines, tally.used) == (10, 7)
    assert reconciles(tally)


SAMPLE_LOGS = (
    [(p, "postfix") for p in sorted((SAMPLES / "postfix").glob("*"))]
    + [(p, "exim") for p in sorted((SAMPLES / "exim").glob("*"))]
    if SAMPLES.is_dir()
    else []
)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is not here")
@pytest.mark.parametrize(("path", "fmt"), SAMPLE_LOGS, ids=lambda v: v.name if isinstance(v, Path) else v)
def test_every_shared_sample_reconciles(path: Path, fmt: str) -> None:
    """lines read = lines used + lines skipped, every skipped line under a named reason."""
    records, tally = run(path, fmt=fmt, year=2025)
    assert tally.lines == len(path.read_bytes().splitlines())
    assert reconciles(tally)
    assert all(reason and n > 0 for reason, n in tally.skipped.items())
    assert sum(tally.messages.values()) == len(records)


def test_sessions_as_busy_servers_log_them() -> None:
    # By hand: smtpd[7001] took the client's SNI (line 2, `... to mail.hosted.example: TLSv1.3`): its
    # first message (3A1B2C3D4E) is TLSv1.3 and keeps its Message-ID, sender and size although qmgr
    # logged `removed` (6) before the session ended (9); its second (4B2C3D4E5F) was refused by a milter
    # (8): never received, no record. smtpd[7004] began a transaction but the counters show no DATA (12):
    # a recipient probe, no record. Deliveries: the relay's name in another case than the TLS line's
    # (13, 14): TLSv1.3; a reused TLS connection (15, 16): TLSv1.3.
    records, tally = run(HERE / "sessions.log", year=2026)
    assert buckets(records) == {("inbound", "TLS1.3"): 1, ("outbound", "TLS1.3"): 2}
    (inbound,) = (r for r in records if r["direction"] == "inbound")
    assert (inbound["message_id"], inbound["sender"], inbound["size_bytes"]) == (
        "first@other.example.org",
        "ann@other.example.org",
        3000,
    )
    assert tally.not_received == 2
    assert tally.skipped == {"message refused before queueing (milter, header or body check)": 1}
    assert reconciles(tally)
    assert "not received (refused before queueing, or no DATA accepted): 2" in "\n".join(tally.report())


def test_a_late_line_at_the_turn_of_the_year_does_not_move_the_rest() -> None:
    # With --year 2023: the year turns at the first January line (3); a December line logged after it
    # (4, one second before) is a late line of 2023, and does not turn the year again for the next
    # January line (5) and the March one (6).
    records, _ = run(HERE / "late_line.log", year=2023)
    assert [r["received_at"].isoformat() for r in records] == [
        "2023-12-31T23:59:59+00:00",
        "2024-01-01T00:00:01+00:00",
        "2024-03-03T10:00:01+00:00",
    ]


def test_february_29_takes_the_last_leap_year() -> None:
    from api.importers.syslog import YearGuess

    years = YearGuess(None, datetime(2029, 1, 10, tzinfo=UTC))
    moment = years.stamp(2, 29, 10, 0, 0)
    assert moment is not None
    assert moment.date().isoformat() == "2028-02-29"


def test_a_central_syslog_judges_each_server_apart() -> None:
    # Host mx1's default instance logs its smtp TLS (line 1): its delivery over that session is TLSv1.3,
    # its plain one (3) none. Host mx2 (4) and mx1's second instance postfix-out (5) log no TLS line in
    # the file: whether they used TLS cannot be told, so unknown, not none.
    records, tally = run(HERE / "central_syslog.log", year=2026)
    by_recipient = {r["recipient"]: r["tls_version"] for r in records}
    assert by_recipient == {
        "a@other.example": "TLSv1.3",
        "b@plain.example": "none",
        "c@gmail.com": "unknown",
        "d@yahoo.com": "unknown",
    }
    assert tally.unlogged == {"outbound": 2}


def test_the_tls_scan_reads_the_file_only_as_far_as_a_question_needs(tmp_path: Path) -> None:
    # Three MiB of mx1 deliveries over TLS, then (last line) mx2's only TLS line. mx2's plain delivery at
    # the top is `none` only because the scan went on to the end; a server never seen is `unknown` after a
    # scan of the whole file; mx1 is answered from the first part, the rest left unread.
    from api.importers.run import tls_servers_in

    lines = (HERE / "central_syslog.log").read_text().splitlines()
    filler = [lines[0], lines[1]] * (3 * 1024 * 1024 // (len(lines[0]) + len(lines[1])))
    late_tls = lines[0].replace(" mx1 ", " mx2 ")
    log = tmp_path / "mail.log"
    log.write_text("\n".join([lines[3], *filler, late_tls]) + "\n")

    records, tally = run(log, year=2026)
    assert {r["recipient"]: r["tls_version"] for r in records if r["recipient"] != "a@other.example"} == {
        "c@gmail.com": "none"
    }
    assert tally.unlogged == {}

    servers = tls_servers_in(str(log))
    assert servers.shows("outbound", ("mx1", "postfix"))
    assert servers.ahead is not None  # answered without reading the file to its end
    assert servers.shows("outbound", ("mx2", "postfix"))
    assert not servers.shows("outbound", ("mx3", "postfix"))
    assert servers.ahead is None
    assert not servers.shows("inbound", ("mx1", "postfix"))
