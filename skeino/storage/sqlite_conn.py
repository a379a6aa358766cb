"""How skeino talks to a SQLite file: connections, and where their work runs.

A unit of work (a transaction, or a few reads) runs on the event loop's own thread when
SQLite lets it start at once. Its statements take microseconds, and a hop to a worker
thread costs more CPU than that (a queue, two wake-ups and two hand-overs of the GIL, each
time): about a third of a `runs.wait` on SQLite went to such hops. Connections therefore
never wait for a lock: when another connection or process holds one (SQLITE_BUSY), the
unit is rolled back and run again on a worker thread, which may wait for the lock as long
as it takes. Work whose size a caller cannot bound (searches) always goes to a worker
thread, so no long scan holds the loop.

WAL checkpoints, which write and sync the database file, never run on the loop either:
inline connections do not checkpoint on commit, and every `CHECKPOINT_EVERY` of their
write transactions one checkpoint runs on a worker thread.
"""

from __future__ import annotations

import fcntl
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from skeino.storage.sqlite_db import SyncSession, contains_json
from skeino.storage.sqlite_schema import migrate

T = TypeVar("T")

BUSY_TIMEOUT_MS = 60000
# busy_timeout first: setting WAL mode takes a lock, and another process may hold one.
PRAGMAS = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
)
# What makes a connection fit for the loop's thread: it fails at once instead of waiting
# for a lock, and leaves WAL checkpoints to `Database.checkpoint` on a worker thread.
INLINE_PRAGMAS = ("PRAGMA busy_timeout = 0", "PRAGMA wal_autocheckpoint = 0")
CHECKPOINT_EVERY = 500


def ensure_parent(path: str) -> None:
    """Create the directory of a database file, so a fresh checkout runs with no setup."""
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


@asynccontextmanager
async def setup_lock(path: str) -> AsyncIterator[None]:
    """Hold the file's set-up lock: several processes starting on one new file take turns
    creating tables (ours, and langgraph's checkpointer's and store's, which are not
    transactional), so none sees another's half-made schema."""
    ensure_parent(path)
    with open(f"{path}.lock", "a+b") as handle:
        await anyio.to_thread.run_sync(fcntl.flock, handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def connect(path: str, inline: bool = False) -> sqlite3.Connection:
    """A connection with skeino's pragmas (WAL, synchronous=NORMAL), in autocommit mode so
    that transactions are the caller's to begin; `inline` ones are for `inline_first`."""
    ensure_parent(path)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        for pragma in PRAGMAS:
            conn.execute(pragma).close()
    except BaseException:
        conn.close()
        raise
    return make_inline(conn) if inline else conn


def make_inline(conn: sqlite3.Connection) -> sqlite3.Connection:
    """`conn`, from now on failing at once on a held lock and never checkpointing on commit."""
    for pragma in INLINE_PRAGMAS:
        conn.execute(pragma).close()
    return conn


class Checkpoints:
    """Runs a WAL checkpoint of an inline connection's writes on a worker thread, every
    `CHECKPOINT_EVERY` of its commits."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._commits = 0

    async def after_commit(self) -> None:
        self._commits += 1
        if self._commits >= CHECKPOINT_EVERY:
            self._commits = 0
            await anyio.to_thread.run_sync(checkpoint, self._conn)


def checkpoint(conn: sqlite3.Connection) -> None:
    """Copy what the WAL holds into the database file, without waiting for readers."""
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").close()


def is_busy(exc: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY (and its extended codes): a lock is held elsewhere; trying later works."""
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY


async def inline_first(
    conn: sqlite3.Connection, fn: Callable[..., T], *args: Any, offload: bool = False
) -> T:
    """`fn(conn, *args)` on this thread, or on a worker thread waiting for the lock if it
    finds one held (or at once, with `offload`). `fn` must leave nothing behind when it
    fails: a transaction that rolls back, or reads."""
    if not offload:
        try:
            return fn(conn, *args)
        except sqlite3.OperationalError as exc:
            if not is_busy(exc):
                raise
    return await anyio.to_thread.run_sync(_patiently, conn, fn, *args)


def _patiently(conn: sqlite3.Connection, fn: Callable[..., T], *args: Any) -> T:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}").close()
    try:
        return fn(conn, *args)
    finally:
        conn.execute("PRAGMA busy_timeout = 0").close()


def in_transaction(conn: sqlite3.Connection, begin: str, work: Callable[[SyncSession], T]) -> T:
    """`work` between `begin` and COMMIT, rolled back on any exception."""
    conn.execute(begin)
    try:
        result = work(SyncSession(conn))
        conn.execute("COMMIT")
    except BaseException:
        with suppress(sqlite3.OperationalError):
            conn.execute("ROLLBACK")  # fails harmlessly when COMMIT did not
        raise
    return result


def _plainly(conn: sqlite3.Connection, work: Callable[[SyncSession], T]) -> T:
    return work(SyncSession(conn))


def _open(path: str) -> sqlite3.Connection:
    conn = connect(path)
    try:
        conn.create_function("skeino_contains", 2, contains_json, deterministic=True)
        in_transaction(conn, "BEGIN IMMEDIATE", migrate)
    except BaseException:
        conn.close()
        raise
    return make_inline(conn)


class Database:
    """skeino's one connection to a SQLite file, shared by records, queue, crons and events.

    Every use is a whole unit of work (`atomic` for a transaction, `read` for plain reads,
    `scan` for reads of unbounded size), one at a time: statements of a transaction go to
    SQLite back to back, and a cancelled caller still lets a transaction it handed over land
    whole or not at all.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn: sqlite3.Connection | None = conn
        self._turn = anyio.Lock()
        self._checkpoints = Checkpoints(conn)

    @classmethod
    async def open(cls, path: str) -> Database:
        """Open `path` with skeino's pragmas and SQL functions, migrated to the latest schema."""
        return cls(await anyio.to_thread.run_sync(_open, path))

    async def atomic(self, work: Callable[[SyncSession], T]) -> T:
        """`work` as one write transaction: committed together, or rolled back on any
        exception; it waits for other writers (SQLite's one write lock) from its start."""
        return await self._use(in_transaction, "BEGIN IMMEDIATE", work, writes=True)

    async def read(self, work: Callable[[SyncSession], T]) -> T:
        """`work` outside an explicit transaction (each statement sees committed data)."""
        return await self._use(_plainly, work)

    async def scan(self, work: Callable[[SyncSession], T]) -> T:
        """`work` in one read transaction on a worker thread: for searches, whose size the
        caller cannot bound."""
        return await self._use(in_transaction, "BEGIN", work, offload=True)

    async def _use(
        self, fn: Callable[..., T], *args: Any, writes: bool = False, offload: bool = False
    ) -> T:
        async with self._turn:
            conn = self._conn
            if conn is None:
                raise RuntimeError("the SQLite database is closed")
            with anyio.CancelScope(shield=True):  # a hop once begun lands whole
                result = await inline_first(conn, fn, *args, offload=offload)
                if writes:
                    await self._checkpoints.after_commit()
            return result

    async def close(self) -> None:
        async with self._turn:
            conn, self._conn = self._conn, None
            if conn is not None:
                await anyio.to_thread.run_sync(checkpoint, conn)
                await anyio.to_thread.run_sync(conn.close)
