"""One writer connection that commits the writes of every concurrent run together.

SQLite has one writer at a time, and langgraph's saver commits each checkpoint on its own
behind one lock, so a process tops out at one commit per write whatever the number of runs.
Here callers hand over their statements and wait: what queued while the previous
transaction was committing goes into the next one, so many runs share one commit, and a
caller returns only once its statements are committed (what a `kill -9` cannot take back).
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.to_thread

# (sql, rows): the statement run once per row, as `executemany` does.
Statement = tuple[str, Sequence[Sequence[Any]]]

# A transaction's size cap: a huge backlog is committed in steps, so the first callers in it
# hear back without waiting for the last.
MAX_BATCH = 512


@dataclass(eq=False)
class _Job:
    statements: Sequence[Statement]
    done: anyio.Event = field(default_factory=anyio.Event)
    error: Exception | None = None


class GroupWriter:
    """Commits batches on `conn` (autocommit mode, so transactions are explicit) from
    `run`, a task of its owner, until `close`; what was queued by then is still committed."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._send, self._receive = anyio.create_memory_object_stream[_Job](math.inf)

    async def write(self, statements: Sequence[Statement]) -> None:
        """Return once `statements` are committed, as one unit: all of them or none. A
        cancelled caller does not withdraw them: they are committed anyway."""
        job = _Job(statements)
        try:
            self._send.send_nowait(job)
        except anyio.ClosedResourceError:
            raise RuntimeError("the SQLite checkpointer is closed") from None
        await job.done.wait()
        if job.error is not None:
            raise job.error

    async def run(self) -> None:
        async with self._receive:
            async for job in self._receive:
                batch = [job]
                while len(batch) < MAX_BATCH:
                    try:
                        batch.append(self._receive.receive_nowait())
                    except (anyio.WouldBlock, anyio.EndOfStream):
                        break
                await anyio.to_thread.run_sync(_commit, self._conn, batch)
                for done in batch:
                    done.done.set()

    def close(self) -> None:
        self._send.close()


def _commit(conn: sqlite3.Connection, batch: list[_Job]) -> None:
    """All of `batch` in one transaction; should that fail, each job alone, so one bad job
    fails only its own caller."""
    try:
        _transaction(conn, [s for job in batch for s in job.statements])
    except Exception as exc:
        if len(batch) == 1:
            batch[0].error = exc
            return
        for job in batch:
            _commit(conn, [job])


def _transaction(conn: sqlite3.Connection, statements: list[Statement]) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        for sql, rows in statements:
            conn.executemany(sql, rows)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
