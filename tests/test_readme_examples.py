"""Every example of the README runs as written on a machine that ran `mailflow serve --demo`: each ```bash
block in order, in one working directory, with `$KEY` set to the admin key the demo printed (as a reader
follows along), and each ```graphql block against /graphql. A block that cannot run in a test by nature is
named in NOT_RUN with the reason; any other block that fails, or a block in a language this test does not
know, fails the test."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import orjson
import pytest

from tests.cli.helpers import clean_env, free_port, mailflow, wait_ready
from tests.factories import with_database

README = Path(__file__).resolve().parent.parent / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.DOTALL | re.MULTILINE)

# A line of the block -> why that block is not run.
NOT_RUN = {
    "pip install -e . && mailflow serve --demo": "installs the package and starts the server this test starts itself",
    "pip install -e '.[test]' && pytest": "runs the test suite, this test included",
    'mv "$home/pgdata" "$target"': "moves data an earlier mailflow left as root: needs root and such data",
    "python -m bench.ingest": "the benchmarks: minutes each, on scratch databases, with wrk and Node.js",
    "mailflow ingest --format postfix --follow": "never ends (tests/cli/test_follow.py covers --follow)",
    "mailflow mailboxes add imap.example.com": "adds a mailbox on a public IMAP server: needs DNS and the mailbox "
    "(tests/tlsrpt/ poll a real Dovecot)",
    "https://alerts.example.net/mailflow": "subscribes a public receiver: needs DNS (tests/webhooks/ cover webhooks)",
    "uvicorn --factory api.app:from_env --workers 4": "a server that never ends (tests/security/test_slow_clients.py "
    "runs it)",
}
# Blocks that are not run because they are not commands: output (json), configuration (the systemd units
# in ini), directory trees (no language), a Prometheus scrape config (yaml), a WebSocket exchange (text). The
# python block, a webhook receiver's check, is what the tests' receiver verifies every delivery with
# (tests/webhooks/receiver.py).
NOT_COMMANDS = {"json", "ini", "yaml", "text", "", "python"}


@dataclass(frozen=True)
class Block:
    language: str
    text: str
    line: int  # of the opening fence

    def __str__(self) -> str:
        return f"README.md line {self.line}"


def readme_blocks() -> list[Block]:
    text = README.read_text()
    return [Block(m[1], m[2], text.count("\n", 0, m.start()) + 1) for m in FENCE.finditer(text)]


def not_run(block: Block) -> bool:
    return any(line in block.text for line in NOT_RUN)


BASH = [b for b in readme_blocks() if b.language == "bash" and not not_run(b)]
GRAPHQL = [b for b in readme_blocks() if b.language == "graphql"]


def test_every_block_is_run_or_not_a_command() -> None:
    languages = {b.language for b in readme_blocks()}
    assert languages <= {"bash", "graphql", *NOT_COMMANDS}, "a README block in a language this test does not run"


@pytest.mark.parametrize("line", NOT_RUN)
def test_each_block_not_run_is_in_the_readme_once(line: str) -> None:
    assert sum(line in b.text for b in readme_blocks() if b.language == "bash") == 1, line


@dataclass(frozen=True)
class Demo:
    port: int
    key: str
    env: dict[str, str]  # what the examples run with
    workdir: Path


def _on_server(server_dsn: str, statement: str) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(server_dsn)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run())


@pytest.fixture(scope="module")
def demo(server_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """`mailflow serve --demo` on a database of its own, for the whole module."""
    name = f"mailflow_readme_{uuid.uuid4().hex[:10]}"
    _on_server(server_dsn, f'create database "{name}"')
    home = tmp_path_factory.mktemp("readme-home")
    port = free_port()
    # the settings a reader has (the examples use recent dates: the default retention keeps them), except
    # the database and the port
    env = clean_env(DATABASE_URL=with_database(server_dsn, name), MAILFLOW_HOME=str(home))
    del env["MAILFLOW_RETENTION_DAYS"]
    log = home / "serve.log"
    with log.open("wb") as out:
        serve = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--demo"],
            env={**env, "MAILFLOW_PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_ready(port, serve, seconds=180)
        key = re.search(r"^  (mf_\S+)$", log.read_text(), re.MULTILINE)
        assert key is not None, log.read_text()
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # `mailflow`: this venv's
        examples_env = {**env, "KEY": key[1], "PATH": path}
        yield Demo(port, key[1], examples_env, tmp_path_factory.mktemp("readme-examples"))
    finally:
        serve.terminate()
        serve.wait(timeout=60)
        _on_server(server_dsn, f'drop database if exists "{name}" with (force)')


def test_the_demo_makes_one_organization(demo: Demo) -> None:
    """The examples' commands act on "the only organization there is": the server must not add one."""
    listed = mailflow("orgs", "list", "--json", env=demo.env)
    assert [org["name"] for org in orjson.loads(listed.stdout)] == ["Contoso"], listed.stderr


def as_the_test_runs_it(script: str, port: int) -> str:
    # curl exits non-zero on a 4xx or 5xx, printing the error body, instead of printing it and going on
    script = re.sub(r"(?<![\w-])curl ", "curl --fail-with-body -sS ", script)
    return "set -euo pipefail\n" + script.replace("localhost:8000", f"localhost:{port}")


@pytest.mark.parametrize("block", BASH, ids=str)
def test_bash_example_runs(demo: Demo, block: Block) -> None:
    script = as_the_test_runs_it(block.text, demo.port)
    done = subprocess.run(
        ["bash", "-c", script], cwd=demo.workdir, env=demo.env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{block} failed ({done.returncode}):\n{block.text}\n{done.stdout}\n{done.stderr}"


@pytest.mark.parametrize("block", GRAPHQL, ids=str)
def test_graphql_example_runs(demo: Demo, block: Block) -> None:
    answer = httpx.post(
        f"http://127.0.0.1:{demo.port}/graphql",
        json={"query": block.text},
        headers={"authorization": f"Bearer {demo.key}"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "errors" not in body, body["errors"]
    assert body["data"], body
