"""One writer connection that commits the writes of every concurrent run together.

SQLite has one writer at a time, and langgraph's saver commits each checkpoint on its own
behind one lock, so a process tops out at one commit per write whatever the number of runs.
Here callers hand over their statements and wait: the first caller leads, and commits what
every caller of the same loop turn handed over in one transaction; callers that come while
it commits wait for it, and the first of them leads the next transaction. A caller returns
only once its statements are committed (what a `kill -9` cannot take back).

The commits run on the loop's thread unless SQLite says to wait for a lock (see
`sqlite_conn.inline_first`): a commit in WAL mode at synchronous=NORMAL does not sync the
disk, so it costs less than handing it to a thread and back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.lowlevel

from skeino.storage.sqlite_conn import Checkpoints, inline_first, is_busy, make_inline

# (sql, rows): the statement run once per row, as `executemany` does.
Statement = tuple[str, Sequence[Sequence[Any]]]

# A transaction's size cap: a huge backlog is committed in steps, so the first callers in it
# hear back without waiting for the last.
MAX_BATCH = 512
# Batches carrying more bytes than this are written from a worker thread, so that copying a
# large state into the WAL does not hold the loop.
INLINE_BYTES = 1 << 20


@dataclass(eq=False)
class _Job:
    statements: Sequence[Statement]
    woken: anyio.Event = field(default_factory=anyio.Event)
    settled: bool = False
    """Committed, or failed with `error`; a job woken unsettled leads the next commit."""
    error: Exception | None = None


class GroupWriter:
    """Commits on `conn`, in autocommit mode (transactions are explicit), which it makes
    fit for the loop's thread; `close` waits for what was handed over."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = make_inline(conn)
        self._checkpoints = Checkpoints(conn)
        self._queue: list[_Job] = []
        self._leading = False
        self._idle = anyio.Event()
        self._closed = False

    async def write(self, statements: Sequence[Statement]) -> None:
        """Return once `statements` are committed, as one unit: all of them or none. A
        cancelled caller does not withdraw them: it hears of its cancellation after."""
        if self._closed:
            raise RuntimeError("the SQLite checkpointer is closed")
        job = _Job(statements)
        self._queue.append(job)
        with anyio.CancelScope(shield=True):
            if self._leading:
                await job.woken.wait()
            if not job.settled:
                await self._lead()
        if job.error is not None:
            raise job.error

    async def _lead(self) -> None:
        self._leading = True
        await anyio.lowlevel.checkpoint()  # writers ready in this loop turn join the batch
        batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
        try:
            offload = _payload(batch) > INLINE_BYTES
            await inline_first(self._conn, _commit, batch, offload=offload)
            await self._checkpoints.after_commit()
        except Exception as exc:  # the lock never came: what is not committed fails
            for job in batch:
                if not job.settled:
                    job.error = exc
        finally:
            for job in batch:
                job.settled = True
                job.woken.set()
            if self._queue:
                self._queue[0].woken.set()
            else:
                self._leading = False
                self._idle.set()
                self._idle = anyio.Event()

    async def close(self) -> None:
        self._closed = True
        if self._leading:
            await self._idle.wait()


def _payload(batch: list[_Job]) -> int:
    """The bytes of the serialised values the batch writes (blobs are bytes)."""
    return sum(
        len(value)
        for job in batch
        for _sql, rows in job.statements
        for row in rows
        for value in row
        if isinstance(value, bytes)
    )


def _commit(conn: sqlite3.Connection, batch: list[_Job]) -> None:
    """All of `batch` in one transaction; should that fail, each job alone, so one bad job
    fails only its own caller. A busy lock fails it all, to be tried again (jobs already
    committed alone are not committed twice)."""
    pending = [job for job in batch if not job.settled]
    try:
        _transaction(conn, [s for job in pending for s in job.statements])
    except sqlite3.OperationalError as exc:
        if is_busy(exc):
            raise
        _one_by_one(conn, pending)
    except Exception:
        _one_by_one(conn, pending)
    else:
        for job in pending:
            job.settled = True


def _one_by_one(conn: sqlite3.Connection, batch: list[_Job]) -> None:
    for job in batch:
        try:
            _transaction(conn, list(job.statements))
        except sqlite3.OperationalError as exc:
            if is_busy(exc):
                raise
            job.error = exc
        except Exception as exc:
            job.error = exc
        job.settled = True


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
