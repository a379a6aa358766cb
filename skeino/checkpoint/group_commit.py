"""One writer connection that commits the writes of every concurrent run together.

langgraph's savers commit each checkpoint on its own (SQLite's behind one lock, as SQLite
has one writer at a time), so a process pays one commit per write whatever the number of
runs. Here callers hand over their statements and wait: what queued while the previous
transaction was committing goes into the next one, so many runs share one commit, and a
caller returns only once its statements are committed (what a `kill -9` cannot take back).

The writer is a thread of its own rather than a task, so that opening and closing it nest
in any caller's context managers without a task group around them. The database is the
caller's: it hands over a `Transaction`, which runs statements in one transaction on the
writer's connection, or raises having rolled them back.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.from_thread
import anyio.lowlevel
import anyio.to_thread

# (sql, rows): the statement run once per row, as `executemany` does.
Statement = tuple[str, Sequence[Sequence[Any]]]

Transaction = Callable[[list[Statement]], None]

# A transaction's size cap: a huge backlog is committed in steps, so the first callers in it
# hear back without waiting for the last.
MAX_BATCH = 512


@dataclass(eq=False)
class _Job:
    statements: Sequence[Statement]
    done: anyio.Event = field(default_factory=anyio.Event)
    error: Exception | None = None


class GroupWriter:
    """Commits with `transaction` from its own thread, started here; `close` commits what
    was handed over and ends it."""

    def __init__(self, transaction: Transaction) -> None:
        self._transaction = transaction
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._token = anyio.lowlevel.current_token()
        self._closed = False
        self._thread = threading.Thread(
            target=self._run, name="skeino-checkpoint-writer", daemon=True
        )
        self._thread.start()

    async def write(self, statements: Sequence[Statement]) -> None:
        """Return once `statements` are committed, as one unit: all of them or none. A
        cancelled caller does not withdraw them: they are committed anyway."""
        if self._closed:
            raise RuntimeError("the checkpointer is closed")
        job = _Job(statements)
        self._jobs.put(job)
        await job.done.wait()
        if job.error is not None:
            raise job.error

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._jobs.put(None)
        await anyio.to_thread.run_sync(self._thread.join)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            batch, stopping = [job], False
            while len(batch) < MAX_BATCH and not stopping:
                try:
                    more = self._jobs.get_nowait()
                except queue.Empty:
                    break
                stopping = more is None
                if more is not None:
                    batch.append(more)
            _commit(self._transaction, batch)
            anyio.from_thread.run_sync(_finish, batch, token=self._token)
            if stopping:
                return


def _finish(batch: list[_Job]) -> None:
    for job in batch:
        job.done.set()


def _commit(transaction: Transaction, batch: list[_Job]) -> None:
    """All of `batch` in one transaction; should that fail, each job alone, so one bad job
    fails only its own caller."""
    try:
        transaction([s for job in batch for s in job.statements])
    except Exception as exc:
        if len(batch) == 1:
            batch[0].error = exc
            return
        for job in batch:
            _commit(transaction, [job])
