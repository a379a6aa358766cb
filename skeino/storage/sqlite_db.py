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
from skeino.storage.filters import bound, contains
from skeino.storage.sqlite_schema import migrate

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
    return sql, [*where.params, -1 if limit is None else bound(limit), bound(offset)]


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
