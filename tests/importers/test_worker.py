"""A large log parsed by a worker process stores exactly what parsing in-process stores."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from api.context import AppState
from api.feed import feed_log
from api.importers.run import Tally, open_input
from api.importers.worker import WorkerBatches, worth_a_worker
from db.messages import count_messages_by_tls_bucket
from db.organizations import ensure_organization

FIXTURES = Path(__file__).parent
OPTIONS = {"year": 2025, "time_zone": "UTC", "keep_local": False}


@pytest.mark.parametrize(("fmt", "log"), [("postfix", "postfix_fixture.log"), ("exim", "exim_fixture.log")])
async def test_the_worker_stores_what_parsing_in_process_stores(state: AppState, fmt: str, log: str) -> None:
    name = str(FIXTURES / log)
    results = []
    for worker_bytes in (10**15, 0):  # in this process, then in a worker
        org_id = await ensure_organization(state.db.system, f"worker-{uuid.uuid4().hex[:8]}")
        org = AppState(settings=state.settings, db=state.db, org_id=org_id)
        tally = Tally()
        with open_input(name) as stream:
            summary = await feed_log(org, fmt, name, stream, tally, OPTIONS, batch_size=3, worker_bytes=worker_bytes)
        stored = await count_messages_by_tls_bucket(org.pool, org_id)
        results.append((summary.in_worker, summary.records, summary.accepted, tally.lines, tally.messages,
                        tally.skipped, stored))  # fmt: skip
    (here, *in_process), (there, *in_worker) = results
    assert (here, there) == (False, True)
    assert in_worker == in_process
    records = in_process[0]
    assert isinstance(records, int)
    assert records > 3  # several batches of 3 crossed the pipe


def test_a_worker_that_cannot_read_its_file_says_so(tmp_path: Path) -> None:
    missing = str(tmp_path / "gone.log")
    with pytest.raises(RuntimeError, match=r"gone\.log"):
        list(WorkerBatches("postfix", missing, Tally(), OPTIONS, [], 100))


def test_only_large_regular_files_go_to_a_worker(tmp_path: Path) -> None:
    log = tmp_path / "small.log"
    log.write_text("x" * 100)
    assert not worth_a_worker(str(log))
    assert worth_a_worker(str(log), min_bytes=100)
    assert not worth_a_worker("-", min_bytes=0)  # stdin parses in-process
    assert not worth_a_worker(str(tmp_path), min_bytes=0)  # not a regular file
