"""Real `mailflow serve` processes: two never send one delivery at once, one killed mid-retry loses
nothing (the next process sends it again, with the same webhook-id), and an event another process stored
is sent at once (its NOTIFY), not at the next poll."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.cli.helpers import clean_env, free_port, mailflow, new_key, wait_ready
from tests.conftest import SECRET_KEY
from tests.webhooks.helpers import tls_report
from tests.webhooks.receiver import receiver, verify


def serve(dsn: str, home: Path, port: int, **settings: str) -> subprocess.Popen[bytes]:
    env = clean_env(
        DATABASE_URL=dsn,
        MAILFLOW_HOME=str(home),
        MAILFLOW_SECRET_KEY=SECRET_KEY,
        MAILFLOW_WEBHOOK_ALLOW_PRIVATE="on",
        MAILFLOW_WEBHOOK_TIMEOUT_SECONDS="2",
        MAILFLOW_WEBHOOK_RETRY_SECONDS="1",
        MAILFLOW_RATE_LIMIT="100000",
        MAILFLOW_RATE_BURST="100000",
        **settings,
    )
    with (home / f"serve-{port}.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port)], env=env, stdout=log, stderr=log
        )


@contextmanager
def servers(dsn: str, home: Path, count: int, **settings: str) -> Iterator[list[tuple[str, subprocess.Popen[bytes]]]]:
    started = []
    try:
        for _ in range(count):
            port = free_port()
            started.append((f"http://127.0.0.1:{port}", serve(dsn, home, port, **settings)))
        for base, proc in started:
            wait_ready(int(base.rsplit(":", 1)[1]), proc)
        yield started
    finally:
        for _, proc in started:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)


def subscribe(base: str, token: str, url: str) -> dict[str, str]:
    response = httpx.post(
        f"{base}/api/v1/webhooks",
        json={"url": url, "events": ["tls_report.received"]},
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    created: dict[str, str] = response.json()
    return created


def report(base: str, token: str, report_id: str) -> None:
    response = httpx.post(
        f"{base}/api/v1/tls-reports", content=tls_report(report_id), headers={"authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201, response.text


def test_two_server_processes_never_deliver_one_event_twice_at_once(dsn: str, tmp_path: Path) -> None:
    token = new_key(dsn, f"webhooks-{uuid.uuid4().hex[:8]}")
    with receiver() as a, receiver() as b, receiver() as c, servers(dsn, tmp_path, 2) as running:
        hooks = (a, b, c)
        subscriptions = []
        for hook in hooks:
            hook.delay = 0.05
            subscriptions.append(subscribe(running[0][0], token, hook.url)["id"])
        sent: list[str] = []

        def recorded(base: str) -> bool:
            """Every delivery's attempt recorded (a receiver has it a moment before its sender records it)."""
            for subscription in subscriptions:
                listed = httpx.get(
                    f"{base}/api/v1/webhooks/{subscription}/deliveries", headers={"authorization": f"Bearer {token}"}
                )
                if any(d["status"] != "delivered" for d in listed.json()["deliveries"]):
                    return False
            return True

        def send(base: str, wait: bool) -> None:
            report(base, token, f"r{len(sent)}")
            sent.append(f"r{len(sent)}")
            if wait:
                for hook in hooks:
                    hook.wait_for(len(sent), seconds=30)
                deadline = time.monotonic() + 30
                while not recorded(base) and time.monotonic() < deadline:
                    time.sleep(0.05)  # else stopping its sender now would leave a lease to run out: sent again

        # Every process is told of every report at its commit (NOTIFY), so which one sends a delivery is a
        # race that one of them may keep winning: first each sends some while the other is stopped (so that
        # both are surely senders), then both run and race for the rest.
        for sender, (_, other) in ((running[0][0], running[1]), (running[1][0], running[0])):
            other.send_signal(signal.SIGSTOP)
            try:
                for _ in range(3):
                    send(sender, wait=True)
            finally:
                other.send_signal(signal.SIGCONT)
        for n in range(12):
            send(running[n % 2][0], wait=False)
        for hook in hooks:
            hook.wait_for(len(sent), seconds=30)
        time.sleep(1.5)  # anything sent twice would have come by now
        for hook in hooks:
            ids = [r.headers["webhook-id"] for r in hook.received]
            assert len(ids) == len(set(ids)) == len(sent) == 18
            assert [r.json()["data"]["report_id"] for r in hook.received] == sent
        logs = [(tmp_path / f"serve-{base.rsplit(':', 1)[1]}.log").read_text() for base, _ in running]
        assert all("Traceback" not in log for log in logs), logs
        assert all('"webhook attempt"' in log for log in logs), "both processes deliver"


def test_a_server_killed_mid_retry_delivers_after_restart_with_the_same_webhook_id(dsn: str, tmp_path: Path) -> None:
    token = new_key(dsn, f"webhooks-{uuid.uuid4().hex[:8]}")
    with receiver() as hook:
        hook.answers = [500]
        with servers(dsn, tmp_path, 1) as [(base, proc)]:
            created = subscribe(base, token, hook.url)
            report(base, token, "survives")
            hook.wait_for(1)
            hook.delay = 5  # the retry hangs: the server is killed while it waits for the answer
            hook.wait_for(2, seconds=10)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        hook.delay = 0
        with servers(dsn, tmp_path, 1):
            got = hook.wait_for(3, seconds=30)  # once the dead process's lease has run out
        assert len({r.headers["webhook-id"] for r in got}) == 1
        assert all(verify(created["secret"], r.headers, r.body) for r in got)
        assert got[2].json()["data"]["report_id"] == "survives"


def test_a_report_stored_by_another_process_is_delivered_at_once_not_at_the_next_poll(dsn: str, tmp_path: Path) -> None:
    org = f"webhooks-{uuid.uuid4().hex[:8]}"
    token = new_key(dsn, org)
    stored = tmp_path / "report.json"
    stored.write_bytes(tls_report("from-the-cli"))
    with receiver() as hook, servers(dsn, tmp_path, 1, MAILFLOW_POLL_SECONDS="60") as [(base, _)]:
        subscribe(base, token, hook.url)
        # the CLI stores it (a process without a delivery worker): only its NOTIFY can wake the server's
        ingested = mailflow(
            "ingest", "--format", "tlsrpt", str(stored), env=clean_env(DATABASE_URL=dsn, MAILFLOW_ORG=org)
        )
        assert ingested.returncode == 0, ingested.stderr
        (got,) = hook.wait_for(1, seconds=10)  # the poll would take a minute
        assert got.json()["data"]["report_id"] == "from-the-cli"
