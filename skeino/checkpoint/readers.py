"""Read connections of the checkpointer's own, one per concurrent read.

In WAL mode a reader sees the last commit and never waits for the writer, so reads take no
lock of ours: each borrows an idle connection (or opens one, up to `size` at once) and
runs all its statements in one read transaction, on the loop's thread unless SQLite says
to wait (see `sqlite_conn.inline_first`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

from skeino.storage.sqlite_conn import connect, inline_first

T = TypeVar("T")


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
                conn = await anyio.to_thread.run_sync(connect, self._path, True)
            try:
                return await inline_first(conn, _snapshot, work)
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
