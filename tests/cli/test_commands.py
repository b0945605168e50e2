"""The short commands, run as a user would, against the test database."""

from __future__ import annotations

import gzip
import uuid
from pathlib import Path

import asyncpg
import orjson

from db.messages import count_messages_by_tls_bucket
from db.organizations import ensure_organization
from tests.cli.helpers import clean_env, mailflow
from tests.factories import message


def env_for(dsn: str, org: str) -> dict[str, str]:
    return clean_env(DATABASE_URL=dsn, MAILFLOW_ORG=org)


async def test_ingest_files_gzip_and_stdin_without_double_counting(
    dsn: str, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    org = f"cli-{uuid.uuid4().hex[:8]}"
    env = env_for(dsn, org)
    plain = tmp_path / "a.ndjson"
    plain.write_bytes(b"\n".join(orjson.dumps(message(n)) for n in range(25)) + b"\n")
    zipped = tmp_path / "b.json.gz"
    zipped.write_bytes(gzip.compress(orjson.dumps([message(n, direction="outbound") for n in range(10)])))
    result = mailflow("ingest", "--batch-size", "7", str(plain), str(zipped), env=env)
    assert result.returncode == 0, result.stderr
    assert "25 records: 25 stored, 0 already stored" in result.stdout
    assert "10 records: 10 stored" in result.stdout
    again = mailflow("ingest", "-", env=env, stdin=plain.read_bytes())
    assert again.returncode == 0, again.stderr
    assert "25 records: 0 stored, 25 already stored" in again.stdout
    org_id = await ensure_organization(pool, org)
    assert await count_messages_by_tls_bucket(pool, org_id) == {
        ("inbound", "TLS1.2"): 25,
        ("outbound", "TLS1.2"): 10,
    }


async def test_ingest_stops_at_an_invalid_batch_naming_the_line(dsn: str, pool: asyncpg.Pool, tmp_path: Path) -> None:
    org = f"cli-{uuid.uuid4().hex[:8]}"
    lines = [orjson.dumps(message(n)) for n in range(10)]
    lines[7] = orjson.dumps(message(7, tls_version="TLSv7"))
    bad = tmp_path / "bad.ndjson"
    bad.write_bytes(b"\n".join(lines))
    result = mailflow("ingest", "--batch-size", "5", str(bad), env=env_for(dsn, org))
    assert result.returncode == 1
    assert f"{bad}:8: tls_version:" in result.stderr
    assert "mailflow: error:" in result.stderr
    assert "Traceback" not in result.stderr
    org_id = await ensure_organization(pool, org)
    # the first batch (lines 1-5) was stored, the batch with the bad line was not
    assert await count_messages_by_tls_bucket(pool, org_id) == {("inbound", "TLS1.2"): 5}


def test_errors_are_one_line(dsn: str, tmp_path: Path) -> None:
    result = mailflow("ingest", str(tmp_path / "missing.ndjson"), env=env_for(dsn, "cli-missing"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"mailflow: error: {tmp_path / 'missing.ndjson'}: No such file or directory"
    ]
    broken = tmp_path / "broken.json"
    broken.write_text('[{"a": 1},\n{oops}]')
    result = mailflow("ingest", str(broken), env=env_for(dsn, "cli-missing"))
    assert result.stderr.strip().startswith(f"mailflow: error: {broken}:2: malformed JSON: ")
    result = mailflow("migrate", env=clean_env(MAILFLOW_PORT="eighty"))
    assert result.returncode == 1
    assert "MAILFLOW_PORT" in result.stderr


async def test_connectors_add_and_list(dsn: str) -> None:
    env = env_for(dsn, f"cli-{uuid.uuid4().hex[:8]}")
    added = mailflow("connectors", "add", "Fabrikam", "--direction", "inbound", "--type", "partner", env=env)
    assert added.returncode == 0, added.stderr
    again = mailflow("connectors", "add", "Fabrikam", "--direction", "inbound", "--type", "partner", env=env)
    assert again.returncode == 1
    assert "already exists" in again.stderr
    listed = mailflow("connectors", "list", env=env)
    header, row = listed.stdout.splitlines()[1:]  # after the line naming the organization
    assert header.split() == ["ID", "DIRECTION", "TYPE", "FORCED_TLS", "NAME", "RULES"]
    assert row.split()[1:] == ["inbound", "partner", "False", "Fabrikam", "0"]
    as_json = mailflow("connectors", "list", "--json", env=env)
    (connector,) = orjson.loads(as_json.stdout)
    assert (connector["name"], connector["direction"], connector["forced_tls"]) == ("Fabrikam", "inbound", False)
    assert "organization 'cli-" in as_json.stderr


async def test_connectors_add_and_rename_refuse_look_alikes_and_invisible_characters(dsn: str) -> None:
    env = env_for(dsn, f"cli-{uuid.uuid4().hex[:8]}")
    add = ["connectors", "add", "--direction", "inbound", "--type", "partner"]
    assert mailflow(*add, "Contoso", env=env).returncode == 0
    assert mailflow(*add, "Fabrikam", env=env).returncode == 0
    ids = {c["name"]: c["id"] for c in orjson.loads(mailflow("connectors", "list", "--json", env=env).stdout)}
    looks = f"looks like the inbound connector 'Contoso' (id {ids['Contoso']})"
    for args in ([*add, "\u0421ontoso"], ["connectors", "rename", str(ids["Fabrikam"]), "contoso"]):
        refused = mailflow(*args, env=env)
        assert refused.returncode == 1
        [line] = refused.stderr.strip().splitlines()
        assert line.startswith("mailflow: error: ")
        assert looks in line, line
    where = "name: contains U+000A LINE FEED (a control character) at position 4"
    for args in ([*add, "Fab\nrikam 2"], ["connectors", "rename", str(ids["Fabrikam"]), "Fab\nrikam 2"]):
        refused = mailflow(*args, env=env)
        assert refused.returncode == 1
        [line] = refused.stderr.strip().splitlines()
        assert where in line, line
    undecodable = mailflow("connectors", "rename", str(ids["Fabrikam"]), "Fab\udcffrikam", env=env)  # byte 0xff
    assert undecodable.returncode == 1
    assert "U+DCFF (a lone surrogate) at position 4" in undecodable.stderr
    fullwidth = mailflow("connectors", "rename", str(ids["Contoso"]), "\uff23ONTOSO", env=env)  # itself, recased
    assert fullwidth.returncode == 0, fullwidth.stderr
    assert "to 'CONTOSO'" in fullwidth.stdout
    names = [c["name"] for c in orjson.loads(mailflow("connectors", "list", "--json", env=env).stdout)]
    assert names == ["CONTOSO", "Fabrikam"]


async def test_demo_loads_about_100k_messages_once(dsn: str, pool: asyncpg.Pool) -> None:
    org = f"demo-{uuid.uuid4().hex[:8]}"
    first = mailflow("demo", "--org", org, env=env_for(dsn, org))
    assert first.returncode == 0, first.stderr
    org_id = await ensure_organization(pool, org)
    counts = await count_messages_by_tls_bucket(pool, org_id)
    total = sum(counts.values())
    assert 90_000 <= total <= 130_000
    second = mailflow("demo", "--org", org, env=env_for(dsn, org))
    assert second.returncode == 0
    assert sum((await count_messages_by_tls_bucket(pool, org_id)).values()) <= total + 2_000  # only the newest hour
    rollup = await pool.fetchval("select sum(messages) from hourly_rollups where org_id = $1", org_id)
    assert rollup == sum((await count_messages_by_tls_bucket(pool, org_id)).values())
    connectors = await pool.fetch("select name, direction, type, forced_tls from connectors where org_id = $1", org_id)
    assert {(r["direction"], r["type"]) for r in connectors} == {
        ("inbound", "partner"),
        ("inbound", "on_premises"),
        ("outbound", "partner"),
    }
    assert counts[("inbound", "TLS1.0")] > 0
    assert counts[("submission", "TLS1.3")] > 0  # users' mail clients, apart from inbound mail
    # a TLS report per reporter per whole day, stored once however often the demo is loaded
    assert await pool.fetchval("select count(*) from tls_reports where org_id = $1", org_id) == 14
    # the demo raises the two TLS 1.0 insights that Microsoft shows
    rules = {
        r["rule"] for r in await pool.fetch("select rule from insights where org_id = $1 and status = 'active'", org_id)
    }
    assert {"inbound_partner_tls10", "inbound_onprem_tls10"} <= rules
    listed = mailflow("insights", "list", env=env_for(dsn, org))
    assert "Inbound partner connector seeing significant TLS1.0 mail flow" in listed.stdout
    evaluated = mailflow("insights", "evaluate", env=env_for(dsn, org))
    assert evaluated.returncode == 0
    assert evaluated.stdout.startswith("insights evaluated for every organization")


async def test_tls_reports_list_and_show(dsn: str, tmp_path: Path) -> None:
    from tests.rest.test_tls_report_reads import FULL

    env = env_for(dsn, f"cli-{uuid.uuid4().hex[:8]}")
    report = tmp_path / "report.json"
    report.write_bytes(orjson.dumps(FULL))
    assert mailflow("ingest", "--format", "tlsrpt", str(report), env=env).returncode == 0
    listed = mailflow("tls-reports", "list", "--from", "2026-11-19", "--to", "2026-11-22", env=env)
    assert listed.returncode == 0, listed.stderr
    named, line, summary = listed.stdout.splitlines()
    assert named.startswith("organization 'cli-")
    report_id, *rest = line.split("\t")
    assert rest == ["2026-11-20", "Company-X", "full-1", "contoso.com", "120 ok", "5 failed"]
    assert summary == "1 of 1 report(s) starting 2026-11-19 00:00 to 2026-11-22 00:00 UTC"
    shown = mailflow("tls-reports", "show", report_id, env=env)
    assert shown.returncode == 0, shown.stderr
    full = orjson.loads(shown.stdout)
    assert full["policies"][1]["mx_host"] == ["mx1.mail.contoso.com", "mx2.mail.contoso.com"]
    assert full["policies"][0]["failures"][0]["receiving_mx_helo"] == "mx1.contoso.com"
    missing = mailflow("tls-reports", "show", "9223372036854775807", env=env)
    assert (missing.returncode, missing.stderr) == (1, "mailflow: error: there is no TLS report 9223372036854775807\n")
    bad = mailflow("tls-reports", "show", "x", env=env)
    assert bad.returncode == 1
    assert bad.stderr.startswith("mailflow: error: ID: 'x' is not a TLS report id")
