"""The SQLite schema and migrations, connection set-up, and the SQL vocabulary of storage.

Records map to rows column for column (JSON fields as orjson TEXT), so one `Table`
description serves every insert, update and select, and adding a field is a migration plus
a name here rather than edits scattered through queries.
"""

from __future__ import annotations

import fcntl
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import orjson

from skeino.storage.base import Assistant, AssistantVersion, Run, Thread
from skeino.storage.filters import contains

T = TypeVar("T")

# busy_timeout first: setting WAL mode takes a lock, and another process may hold one.
PRAGMAS = (
    "PRAGMA busy_timeout = 60000",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
)


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


# Each entry upgrades the file from user_version == index to index + 1; never edit a shipped
# entry, append a new one. All pending entries run in the one transaction of `migrate`.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE assistants (
            assistant_id TEXT PRIMARY KEY, graph_id TEXT NOT NULL, config TEXT NOT NULL,
            context TEXT NOT NULL, metadata TEXT NOT NULL, name TEXT NOT NULL,
            description TEXT, version INTEGER NOT NULL,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""",
        "CREATE INDEX assistants_graph_id ON assistants (graph_id)",
        "CREATE INDEX assistants_created_at ON assistants (created_at)",
        """CREATE TABLE assistant_versions (
            assistant_id TEXT NOT NULL REFERENCES assistants (assistant_id),
            graph_id TEXT NOT NULL, config TEXT NOT NULL, context TEXT NOT NULL,
            metadata TEXT NOT NULL, name TEXT NOT NULL, description TEXT,
            version INTEGER NOT NULL, created_at TEXT NOT NULL,
            PRIMARY KEY (assistant_id, version))""",
        """CREATE TABLE threads (
            thread_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
            state_updated_at TEXT NOT NULL, metadata TEXT NOT NULL, status TEXT NOT NULL,
            config TEXT NOT NULL, "values" TEXT NOT NULL, interrupts TEXT NOT NULL,
            error TEXT NOT NULL)""",
        "CREATE INDEX threads_created_at ON threads (created_at)",
        "CREATE INDEX threads_updated_at ON threads (updated_at)",
        """CREATE TABLE runs (
            run_id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, assistant_id TEXT NOT NULL,
            metadata TEXT NOT NULL, status TEXT NOT NULL, kwargs TEXT NOT NULL,
            multitask_strategy TEXT NOT NULL, created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL)""",
        "CREATE INDEX runs_thread_status ON runs (thread_id, status, created_at)",
        "CREATE INDEX runs_status ON runs (status, created_at)",
    ),
    # Token usage lives outside the run record (not in `Run`), so it never reaches the wire.
    ("ALTER TABLE runs ADD COLUMN total_tokens INTEGER",),
    # Crons join the numbered migrations (files made before kept the table they created).
    (
        """CREATE TABLE IF NOT EXISTS crons (
            cron_id TEXT PRIMARY KEY, assistant_id TEXT NOT NULL, thread_id TEXT,
            user_id TEXT NOT NULL, end_time TEXT, schedule TEXT NOT NULL, timezone TEXT,
            payload TEXT NOT NULL, next_run_date TEXT, metadata TEXT NOT NULL,
            on_run_completed TEXT, enabled TEXT NOT NULL,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS crons_next_run_date ON crons (next_run_date)",
        "CREATE INDEX IF NOT EXISTS crons_thread_id ON crons (thread_id)",
    ),
    # The queue with leases: its own columns, not JSON inside kwargs. A run left running by
    # an older skeino has no lease to expire, so it goes back to the queue here.
    (
        "ALTER TABLE runs ADD COLUMN not_before REAL",
        "ALTER TABLE runs ADD COLUMN worker_id TEXT",
        "ALTER TABLE runs ADD COLUMN lease_until REAL",
        "ALTER TABLE runs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE runs ADD COLUMN cancel_requested TEXT",
        "ALTER TABLE runs ADD COLUMN output TEXT",
        "ALTER TABLE runs ADD COLUMN api_url TEXT NOT NULL DEFAULT ''",
        """UPDATE runs SET not_before =
            (julianday(json_extract(kwargs, '$.not_before')) - 2440587.5) * 86400.0,
            kwargs = json_remove(kwargs, '$.not_before')
            WHERE json_type(kwargs, '$.not_before') = 'text'""",
        "UPDATE runs SET status = 'pending' WHERE status = 'running'",
        "CREATE UNIQUE INDEX runs_one_running ON runs (thread_id) WHERE status = 'running'",
        "CREATE INDEX runs_lease ON runs (status, lease_until)",
        "CREATE INDEX runs_worker ON runs (worker_id) WHERE worker_id IS NOT NULL",
    ),
    # Run events: what a stream in another process reads, and what resumable streams replay.
    (
        """CREATE TABLE run_events (
            run_id TEXT NOT NULL, thread_id TEXT, ms INTEGER NOT NULL, seq INTEGER NOT NULL,
            event TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (run_id, ms, seq))""",
        "CREATE INDEX run_events_thread ON run_events (thread_id, ms, seq)",
        "CREATE INDEX run_events_ms ON run_events (ms)",
    ),
)


def migrate(db: SyncSession) -> None:
    """Bring the file to the latest schema, inside the caller's write transaction."""
    ((version,),) = db.rows("PRAGMA user_version", [])
    if version > len(MIGRATIONS):
        raise RuntimeError(f"database schema v{version} is newer than this skeino supports")
    for number in range(version, len(MIGRATIONS)):
        for statement in MIGRATIONS[number]:
            db.run(statement, [])
        db.run(f"PRAGMA user_version = {number + 1}", [])


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


@lru_cache(maxsize=256)
def _parsed(text: str) -> Any:
    """Filters are constant for a whole query: parse each once, not once per row."""
    return orjson.loads(text)


def contains_json(document: str | None, filter: str) -> bool:
    """`filters.contains` as the SQL function skeino_contains(column, filter_json)."""
    return document is not None and contains(orjson.loads(document), _parsed(filter))


class Database:
    """skeino's one connection to a SQLite file, shared by records, queue, crons and events.

    Every use is a whole unit of work handed to a worker thread in one hop (`atomic` for a
    transaction, `read` for plain reads), one at a time: statements of a transaction go to
    SQLite back to back, and a cancelled caller still lets a transaction it handed over land
    whole or not at all.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn: sqlite3.Connection | None = conn
        self._turn = anyio.CapacityLimiter(1)

    @classmethod
    async def open(cls, path: str) -> Database:
        """Open `path` with skeino's pragmas and SQL functions, migrated to the latest schema."""
        return cls(await anyio.to_thread.run_sync(_connect, path))

    async def atomic(self, work: Callable[[SyncSession], T], begin: str = "BEGIN IMMEDIATE") -> T:
        """`work` as one transaction: committed together, or rolled back on any exception."""
        return await self._hop(in_transaction, begin, work)

    async def read(self, work: Callable[[SyncSession], T]) -> T:
        """`work` outside an explicit transaction (each statement sees committed data)."""
        return await self._hop(_plainly, work)

    async def _hop(self, fn: Callable[..., T], *args: Any) -> T:
        conn = self._conn
        if conn is None:
            raise RuntimeError("the SQLite database is closed")
        return await anyio.to_thread.run_sync(fn, conn, *args, limiter=self._turn)

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await anyio.to_thread.run_sync(conn.close, limiter=self._turn)


@dataclass(frozen=True)
class Table:
    """A record type stored one field per column; the first column is the primary key."""

    name: str
    columns: tuple[str, ...]
    json: frozenset[str]

    @property
    def key(self) -> str:
        return self.columns[0]

    @property
    def column_list(self) -> str:
        return ", ".join(f'"{column}"' for column in self.columns)

    def to_row(self, record: Any) -> list[Any]:
        return [dumps(record[c]) if c in self.json else record[c] for c in self.columns]

    def to_record(self, row: Any) -> dict[str, Any]:
        return {
            c: orjson.loads(v) if c in self.json else v
            for c, v in zip(self.columns, row, strict=True)
        }


_ASSISTANT_JSON = frozenset({"config", "context", "metadata"})
ASSISTANTS = Table("assistants", tuple(Assistant.__annotations__), _ASSISTANT_JSON)
VERSIONS = Table("assistant_versions", tuple(AssistantVersion.__annotations__), _ASSISTANT_JSON)
THREADS = Table(
    "threads",
    tuple(Thread.__annotations__),
    frozenset({"metadata", "config", "values", "interrupts", "error"}),
)
RUNS = Table("runs", tuple(Run.__annotations__), frozenset({"metadata", "kwargs"}))


def _json_path(key: str) -> str | None:
    """A JSON path for a top-level key, or None when SQLite could not address it exactly."""
    if any(char in '"\\' or char < " " for char in key):
        return None
    return f'$."{key}"'


@dataclass
class Where:
    """A conjunction of SQL conditions with their parameters, built up fluently."""

    parts: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def __str__(self) -> str:
        return f" WHERE {' AND '.join(self.parts)}" if self.parts else ""

    def add(self, condition: str, *params: Any) -> Where:
        self.parts.append(condition)
        self.params.extend(params)
        return self

    def equals(self, column: str, value: Any) -> Where:
        return self.add(f'"{column}" = ?', value)

    def contains(self, column: str, filter: dict[str, Any]) -> Where:
        """JSON containment: scalar keys in plain SQL, the rest via skeino_contains."""
        rest: dict[str, Any] = {}
        for key, value in filter.items():
            path = _json_path(key)
            if path is None or not self._scalar(column, path, value):
                rest[key] = value
        if rest:
            self.add(f'skeino_contains("{column}", ?)', dumps(rest))
        return self

    def _scalar(self, column: str, path: str, value: Any) -> bool:
        """Add the exact SQL test for `value` at `path` when there is one (strings, bools, null).

        Numbers are left to Python: SQLite's own text-to-float parsing may round differently.
        """
        json_type = f'json_type("{column}", ?)'
        if value is None or isinstance(value, bool):
            self.add(f"{json_type} = ?", path, dumps(value))
        elif isinstance(value, str) and "\x00" not in value:
            self.add(
                f"{json_type} = 'text' AND json_extract(\"{column}\", ?) = ?", path, path, value
            )
        else:
            return False
        return True


def select_sql(
    table: Table, where: Where, order: str | None, limit: int | None, offset: int
) -> tuple[str, list[Any]]:
    """A page of matching records; no `limit` means all, negative bounds count as zero."""
    order_by = f" ORDER BY {order}" if order else ""
    sql = f"SELECT {table.column_list} FROM {table.name}{where}{order_by} LIMIT ? OFFSET ?"
    return sql, [*where.params, -1 if limit is None else max(limit, 0), max(offset, 0)]


@lru_cache(maxsize=64)
def insert_sql(table: Table, ignore: bool) -> str:
    conflict = " ON CONFLICT DO NOTHING" if ignore else ""
    marks = ", ".join("?" * len(table.columns))
    return f"INSERT INTO {table.name} ({table.column_list}) VALUES ({marks}){conflict}"


@lru_cache(maxsize=64)
def replace_sql(table: Table) -> str:
    assignments = ", ".join(f'"{column}" = ?' for column in table.columns)
    return f'UPDATE {table.name} SET {assignments} WHERE "{table.key}" = ?'


class SyncSession:
    """The same vocabulary, synchronous, for a whole transaction run on the connection's own
    thread: one hop to that thread per transaction instead of one per statement."""

    __slots__ = ("conn",)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def rows(self, sql: str, params: list[Any]) -> list[Any]:
        return self.conn.execute(sql, params).fetchall()

    def run(self, sql: str, params: list[Any]) -> int:
        """Execute a write and return how many rows it touched."""
        cursor = self.conn.execute(sql, params)
        count = cursor.rowcount
        cursor.close()
        return count

    def select(
        self,
        table: Table,
        where: Where,
        order: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        rows = self.rows(*select_sql(table, where, order, limit, offset))
        return [table.to_record(row) for row in rows]

    def get(self, table: Table, key: Any) -> dict[str, Any] | None:
        rows = self.select(table, Where().equals(table.key, key), limit=1)
        return rows[0] if rows else None

    def insert(self, table: Table, record: Any, ignore: bool = False) -> bool:
        """Insert a row; with `ignore`, an existing key is left alone and False returned."""
        return self.run(insert_sql(table, ignore), table.to_row(record)) > 0

    def replace(self, table: Table, record: Any) -> None:
        """Overwrite every column of an existing row (UPDATE, so foreign keys stay intact)."""
        self.run(replace_sql(table), [*table.to_row(record), record[table.key]])

    def delete(self, table: Table, key: Any) -> bool:
        return self.run(f'DELETE FROM {table.name} WHERE "{table.key}" = ?', [key]) > 0


def in_transaction(conn: sqlite3.Connection, begin: str, work: Callable[[SyncSession], T]) -> T:
    """`work` between `begin` and COMMIT, rolled back on any exception (on the db thread)."""
    conn.execute(begin)
    try:
        result = work(SyncSession(conn))
        conn.execute("COMMIT")
    except BaseException:
        with suppress(sqlite3.OperationalError):
            conn.execute("ROLLBACK")  # fails harmlessly when COMMIT did not
        raise
    return result


def _connect(path: str) -> sqlite3.Connection:
    ensure_parent(path)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        for pragma in PRAGMAS:
            conn.execute(pragma).close()
        conn.create_function("skeino_contains", 2, contains_json, deterministic=True)
        in_transaction(conn, "BEGIN IMMEDIATE", migrate)
    except BaseException:
        conn.close()
        raise
    return conn


def _plainly(conn: sqlite3.Connection, work: Callable[[SyncSession], T]) -> T:
    return work(SyncSession(conn))
