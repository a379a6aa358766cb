"""One Postgres connection that commits the checkpoint writes of every concurrent run together.

langgraph's Postgres saver commits each put on its own, so a process pays a round trip and
a commit per write. Here callers hand over their statements and wait: what queued while the
previous transaction was committing goes into the next one, pipelined, so many runs share
one round trip and one commit; a caller returns only once its statements are committed
(what a `kill -9` cannot take back), and a cancelled caller hears of its cancellation only
then, so whatever runs after it (a rollback) sees its write.

Unlike SQLite's writer (`group_commit`), whose commits cost no more than the hop to a
thread, this one commits from a thread of its own: the wait on the network then holds
nothing of the loop, and opening and closing it nest in any caller's context managers
without a task group around them.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import anyio
import anyio.from_thread
import anyio.lowlevel
import anyio.to_thread

from skeino.checkpoint.group_commit import MAX_BATCH, Statement

# Runs statements in one transaction, or raises having rolled them back.
Transaction = Callable[[list[Statement]], None]


@dataclass(eq=False)
class _Job:
    statements: Sequence[Statement]
    done: anyio.Event = field(default_factory=anyio.Event)
    error: Exception | None = None


class ThreadWriter:
    """Commits with `transaction` from its own thread, started here; `close` commits what
    was handed over and ends it."""

    def __init__(self, transaction: Transaction) -> None:
        self._transaction = transaction
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._token = anyio.lowlevel.current_token()
        self._closed = False
        self._last: _Job | None = None
        self._thread = threading.Thread(
            target=self._run, name="skeino-checkpoint-writer", daemon=True
        )
        self._thread.start()

    async def write(self, statements: Sequence[Statement]) -> None:
        """Return once `statements` are committed, as one unit: all of them or none."""
        if self._closed:
            raise RuntimeError("the Postgres checkpointer is closed")
        job = self._last = _Job(statements)
        self._jobs.put(job)
        with anyio.CancelScope(shield=True):
            await job.done.wait()
        if job.error is not None:
            raise job.error

    async def settled(self) -> None:
        """Return once every write handed over so far is committed (or has failed): jobs
        are committed in the order they came, so the last one's end is all of theirs."""
        if self._last is not None:
            await self._last.done.wait()

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
