"""The first hour as an operator: commands name their organization, refuse what is ambiguous or taken,
say what they did, and explain themselves in --help."""

from __future__ import annotations

import argparse
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import orjson
import pytest

from api.cli import build_parser
from api.cli.store import demo_key
from db.organizations import ensure_organization
from db.pool import Database
from tests.cli.helpers import clean_env, free_port, mailflow
from tests.factories import with_database


@pytest.fixture
async def fresh_dsn(server_dsn: str) -> AsyncIterator[str]:
    """An empty database of its own (the session's holds many organizations)."""
    name = f"mailflow_op_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(server_dsn)
    await admin.execute(f'create database "{name}"')
    try:
        yield with_database(server_dsn, name)
    finally:
        await admin.execute(f'drop database if exists "{name}" with (force)')
        await admin.close()


def test_migrate_says_what_it_applied(fresh_dsn: str) -> None:
    env = clean_env(DATABASE_URL=fresh_dsn)
    first = mailflow("migrate", env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("applied ")
    assert "0001_init" in first.stdout
    again = mailflow("migrate", env=env)
    assert again.stdout.startswith("nothing to apply: the database is at migration ")


def test_commands_name_their_organization_and_refuse_ambiguity(fresh_dsn: str, tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=fresh_dsn)
    records = tmp_path / "m.ndjson"
    records.write_text('{"message_id": "a", "received_at": "2026-11-27T09:00:00Z", "direction": "inbound", '
                       '"tls_version": "TLSv1.3"}\n')  # fmt: skip
    first = mailflow("ingest", str(records), env=env)  # no organization yet: "default" is made, and said
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("organization 'default' (created)")
    assert mailflow("orgs", "create", "Contoso", env=env).returncode == 0
    several = mailflow("connectors", "list", env=env)
    assert several.returncode == 1
    assert "there are 2 organizations ('Contoso', 'default')" in several.stderr
    assert "--org" in several.stderr
    named = mailflow("connectors", "list", "--org", "Contoso", env=env)
    assert named.stdout.startswith("organization 'Contoso'")
    missing = mailflow("connectors", "list", "--org", "Nope", env=env)
    assert missing.returncode == 1
    assert "there is no organization 'Nope'" in missing.stderr
    # one organization left: it is the default
    assert mailflow("orgs", "remove", "default", env=env).returncode == 1  # needs --yes
    removed = mailflow("orgs", "remove", "default", "--yes", env=env)
    assert removed.returncode == 0, removed.stderr
    assert "1 message(s)" in removed.stdout
    only = mailflow("insights", "list", env=env)
    assert only.returncode == 0, only.stderr
    assert only.stdout.startswith("organization 'Contoso'")


def test_connectors_and_organizations_are_renamed_and_removed(fresh_dsn: str, tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=fresh_dsn, MAILFLOW_ORG="Fabrikam")
    add = ["connectors", "add", "Partner", "--direction", "inbound", "--type", "partner", "--rule", "ip:192.0.2.0/24"]
    assert mailflow(*add, env=env).returncode == 0
    (connector,) = orjson.loads(mailflow("connectors", "list", "--json", env=env).stdout)
    renamed = mailflow("connectors", "rename", str(connector["id"]), "Woodgrove", env=env)
    assert renamed.returncode == 0, renamed.stderr
    assert orjson.loads(mailflow("connectors", "list", "--json", env=env).stdout)[0]["name"] == "Woodgrove"
    records = tmp_path / "m.ndjson"
    records.write_text('{"message_id": "a", "received_at": "2026-11-27T09:00:00Z", "direction": "inbound", '
                       '"tls_version": "TLSv1.3", "remote_ip": "192.0.2.7"}\n')  # fmt: skip
    assert mailflow("ingest", str(records), env=env).returncode == 0  # attributed by the ip rule
    kept = mailflow("connectors", "remove", str(connector["id"]), env=env)
    assert kept.returncode == 1
    assert "carried 1 stored message(s)" in kept.stderr
    assert mailflow(*add[:2], "Idle", *add[3:7], env=env).returncode == 0
    idle = next(
        c for c in orjson.loads(mailflow("connectors", "list", "--json", env=env).stdout) if c["name"] == "Idle"
    )
    gone = mailflow("connectors", "remove", str(idle["id"]), env=env)
    assert gone.returncode == 0, gone.stderr
    assert [c["name"] for c in orjson.loads(mailflow("connectors", "list", "--json", env=env).stdout)] == ["Woodgrove"]
    org = mailflow("orgs", "rename", "Fabrikam", "Fabrikam Ltd", env=env)
    assert org.returncode == 0, org.stderr
    listed = orjson.loads(mailflow("orgs", "list", "--json", env=env).stdout)
    assert [o["name"] for o in listed] == ["Fabrikam Ltd"]


def test_serve_refuses_a_taken_or_impossible_port(dsn: str) -> None:
    env = clean_env(DATABASE_URL=dsn)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", free_port()))
        taken.listen()
        port = taken.getsockname()[1]
        busy = mailflow("serve", "--demo", "--port", str(port), env=env, timeout=60)
    assert busy.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in busy.stderr
    assert "demo data" not in busy.stdout  # refused before loading anything or printing a key
    impossible = mailflow("serve", "--port", "99999", env=env)
    assert impossible.returncode == 1
    assert "1 to 65535" in impossible.stderr
    assert "MAILFLOW_PORT" in mailflow("migrate", env=clean_env(DATABASE_URL=dsn, MAILFLOW_PORT="99999")).stderr


def test_database_errors_are_one_line(server_dsn: str) -> None:
    missing = mailflow("migrate", env=clean_env(DATABASE_URL=with_database(server_dsn, "no_such_db_here")))
    assert missing.returncode == 1
    assert missing.stderr.count("\n") == 1
    assert "does not exist" in missing.stderr


def test_a_mail_log_without_format_gets_a_hint(dsn: str, tmp_path: Path) -> None:
    log = tmp_path / "mail.log"
    log.write_text("Nov 20 10:00:00 mx1 postfix/smtpd[1]: connect from a.example[192.0.2.1]\n")
    result = mailflow("ingest", str(log), env=clean_env(DATABASE_URL=dsn, MAILFLOW_ORG=f"op-{uuid.uuid4().hex[:8]}"))
    assert result.returncode == 1
    assert "--format postfix" in result.stderr


def _parsers(parser: argparse.ArgumentParser, path: str = "mailflow") -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found += _parsers(child, f"{path} {name}")
    return found


def test_every_command_and_argument_explains_itself() -> None:
    parser = build_parser()
    assert "DATABASE_URL" in (parser.epilog or "")
    assert "MAILFLOW_HOME" in (parser.epilog or "")
    assert "MAILFLOW_ORG" in (parser.epilog or "")
    for path, command in _parsers(parser)[1:]:
        assert command.description, f"`{path}` has no description"
        for action in command._actions:
            if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
                continue
            assert action.help, f"`{path}` {action.dest} has no help"


def test_a_dry_run_touches_no_database(tmp_path: Path) -> None:
    log = Path(__file__).parent.parent / "importers" / "real_world" / "submission.log"
    nowhere = clean_env(DATABASE_URL="postgresql://nobody@127.0.0.1:1/none", MAILFLOW_HOME=str(tmp_path / "home"))
    dry = mailflow("ingest", "--format", "postfix", "--year", "2026", "--dry-run", str(log), env=nowhere)
    assert dry.returncode == 0, dry.stderr
    assert "5 records (dry run: nothing stored)" in dry.stdout
    assert "organization" not in dry.stdout
    assert not (tmp_path / "home").exists()


async def test_serving_the_demo_again_says_it_revoked_the_previous_key(database: Database, pool: asyncpg.Pool) -> None:
    org_id = await ensure_organization(pool, f"demo-key-{uuid.uuid4().hex[:8]}")
    first = await demo_key(database, org_id, "http://127.0.0.1:8000")
    assert "revoked" not in first[0]
    second = await demo_key(database, org_id, "http://127.0.0.1:8000")
    assert "(the previous demo key is revoked)" in second[0]
    live = await pool.fetchval("select count(*) from api_keys where org_id = $1 and revoked_at is null", org_id)
    assert live == 1


def test_a_role_that_cannot_log_in_is_one_line(server_dsn: str) -> None:
    parts = urlsplit(server_dsn)
    nobody = urlunsplit(parts._replace(netloc=f"no_such_role_here@{parts.hostname or ''}:{parts.port or 5432}"))
    if parts.hostname is None:  # the embedded server listens on a socket: name the role in the query
        nobody = server_dsn.replace("postgres:@", "no_such_role_here:@", 1)
    result = mailflow("migrate", env=clean_env(DATABASE_URL=nobody))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "no_such_role_here" in result.stderr
