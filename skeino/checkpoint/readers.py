"""Read connections of the checkpointer's own, one per concurrent read.

In WAL mode a reader sees the last commit and never waits for the writer, so reads take no
lock of ours: each borrows an idle connection (or opens one, up to `size` at once) and
runs all its statements in one read transaction on a worker thread, in one hop.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

from skeino.storage.sqlite_db import PRAGMAS, ensure_parent

T = TypeVar("T")


def connect(path: str) -> sqlite3.Connection:
    """A connection with skeino's pragmas (WAL, synchronous=NORMAL, a long busy timeout),
    in autocommit mode so that transactions are the caller's to begin."""
    ensure_parent(path)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        for pragma in PRAGMAS:
            conn.execute(pragma).close()
    except BaseException:
        conn.close()
        raise
    return conn


def _snapshot(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """`work` in one read transaction: a checkpoint and its writes from the same commit."""
    conn.execute("BEGIN")
    try:
        return work(conn)
    finally:
        conn.execute("COMMIT")


class ReaderPool:
    def __init__(self, path: str, size: int = 4) -> None:
        self._path = path
        self._idle: list[sqlite3.Connection] = []
        self._limiter = anyio.CapacityLimiter(size)
        self._closed = False

    async def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        async with self._limiter:
            if self._closed:
                raise RuntimeError("the SQLite checkpointer is closed")
            conn = self._idle.pop() if self._idle else None
            if conn is None:
                conn = await anyio.to_thread.run_sync(connect, self._path)
            try:
                return await anyio.to_thread.run_sync(_snapshot, conn, work)
            finally:
                if self._closed:
                    conn.close()
                else:
                    self._idle.append(conn)

    def close(self) -> None:
        """Close the idle connections; one still reading is closed when it is given back."""
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
