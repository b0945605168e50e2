"""Parsing a large log in a second process.

Parsing a mail log is Python work that fills one core; storing is asyncpg and PostgreSQL work. In one
process they share one interpreter, so a two-core machine runs them one after the other. For a log
of at least `WORKER_BYTES`, a worker process reads and parses the file and sends its records through a
pipe in batches; this process attributes and validates each batch (in the thread that reads the pipe) and
stores them. Parsing is the longest part, so the worker does nothing else. The pipe holds
at most a batch or two, so memory stays flat however large the log; the line numbers, problems, and
the tally (lines read, messages by bucket, lines skipped) are the same as when parsing in-process.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import signal
import stat
from multiprocessing.connection import Connection as Pipe
from typing import Any

from api.importers.lines import ParseError
from api.importers.run import Tally, log_records, open_input
from api.ingest import Checker, Prepared
from db.connectors import Connector

WORKER_BYTES = 4 * 1024 * 1024  # smaller logs parse in-process: starting a worker costs ~0.3 s


def worth_a_worker(name: str, min_bytes: int = WORKER_BYTES) -> bool:
    """A regular file at least `min_bytes` long (stdin and small files parse in-process)."""
    if name == "-":
        return False
    try:
        found = os.stat(name)
    except OSError:
        return False
    return stat.S_ISREG(found.st_mode) and found.st_size >= min_bytes


def _work(pipe: Pipe, fmt: str, name: str, options: dict[str, Any], size: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the importing process's to handle: it stops us
    try:
        tally = Tally(fmt)
        with open_input(name) as stream:
            records = log_records(fmt, stream, name, tally, **options)
            while pairs := list(itertools.islice(records, size)):
                pipe.send(("batch", tally.lines, pairs))
        pipe.send(("done", tally))
    except ParseError as exc:  # --strict: the line is the importing process's to report
        with contextlib.suppress(OSError):
            pipe.send(("refused", str(exc)))
    except (BrokenPipeError, EOFError):
        return  # the importing process stopped reading (it failed or was stopped): nobody to tell
    except BaseException as exc:  # the importing process reports it
        with contextlib.suppress(OSError):
            pipe.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        pipe.close()


class WorkerBatches:
    """Prepared batches of a Postfix or Exim log, parsed by a worker process; `tally` is kept current.

    `close()` stops the worker at once, also while another thread waits for its next batch (as the
    storing loop's reader thread does when the import is interrupted)."""

    def __init__(
        self, fmt: str, name: str, tally: Tally, options: dict[str, Any], connectors: list[Connector], batch_size: int
    ) -> None:
        context = multiprocessing.get_context("spawn")  # no fork of a process with threads and sockets
        self.name = name
        self.tally = tally
        self.receiver, sender = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_work,
            args=(sender, fmt, name, options, batch_size),
            name="mailflow-parse",
            daemon=True,
        )
        self.process.start()
        sender.close()
        self.finished = False
        self.check = Checker(connectors)

    def __iter__(self) -> WorkerBatches:
        return self

    def __next__(self) -> Prepared:
        if self.finished:
            raise StopIteration
        try:
            kind, *rest = self.receiver.recv()
        except (EOFError, OSError):
            self.close()
            raise RuntimeError(f"{self.name}: the parsing process ended unexpectedly") from None
        if kind == "batch":
            self.tally.lines, pairs = rest
            return self.check(pairs)
        self.close()
        if kind == "done":
            (done,) = rest
            self.tally.merge(done)
            raise StopIteration
        if kind == "refused":
            raise ParseError(rest[0])
        raise RuntimeError(f"{self.name}: parsing failed: {rest[0]}")

    def close(self) -> None:
        self.finished = True
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(timeout=10)
