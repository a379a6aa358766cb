"""The SQLite schema and migrations, connection set-up, and the SQL vocabulary of storage.

Records map to rows column for column (JSON fields as orjson TEXT), so one `Table`
description serves every insert, update and select, and adding a field is a migration plus
a name here rather than edits scattered through queries.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite
import anyio
import orjson

from skeino.storage.base import Assistant, AssistantVersion, Run, Thread
from skeino.storage.filters import contains

PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
)


def ensure_parent(path: str) -> None:
    """Create the directory of a database file, so a fresh checkout runs with no setup."""
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


@asynccontextmanager
async def transaction(db: aiosqlite.Connection, begin: str) -> AsyncIterator[None]:
    """Commit on success, roll back on any exception or cancellation (shielded, so it lands)."""
    try:
        await db.execute(begin)
        yield
        await db.execute("COMMIT")
    except BaseException:
        with anyio.CancelScope(shield=True), suppress(sqlite3.OperationalError):
            await db.execute("ROLLBACK")  # fails harmlessly when BEGIN or COMMIT did not
        raise


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
)


async def migrate(db: aiosqlite.Connection) -> None:
    """Bring the file to the latest schema; the caller holds a write transaction."""
    ((version,),) = await db.execute_fetchall("PRAGMA user_version")
    if version > len(MIGRATIONS):
        raise RuntimeError(f"database schema v{version} is newer than this skeino supports")
    for number in range(version, len(MIGRATIONS)):
        for statement in MIGRATIONS[number]:
            await db.execute_fetchall(statement)
        await db.execute_fetchall(f"PRAGMA user_version = {number + 1}")


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


@lru_cache(maxsize=256)
def _parsed(text: str) -> Any:
    """Filters are constant for a whole query: parse each once, not once per row."""
    return orjson.loads(text)


def contains_json(document: str | None, filter: str) -> bool:
    """`filters.contains` as the SQL function skeino_contains(column, filter_json)."""
    return document is not None and contains(orjson.loads(document), _parsed(filter))


async def connect(
    path: str, setup: Callable[[aiosqlite.Connection], Awaitable[None]]
) -> aiosqlite.Connection:
    """Open the server's database file with skeino's pragmas and SQL functions and run
    `setup` (schema, migrations) in one immediate transaction; nothing stays open on failure."""
    ensure_parent(path)
    db = await aiosqlite.connect(path, isolation_level=None)
    try:
        for pragma in PRAGMAS:
            await db.execute_fetchall(pragma)
        await db.create_function("skeino_contains", 2, contains_json, deterministic=True)
        async with transaction(db, "BEGIN IMMEDIATE"):
            await setup(db)
    except BaseException:
        await db.close()
        raise
    return db


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


class Session:
    """The connection as a storage sees it while holding its lock: one hop per statement."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db

    async def rows(self, sql: str, params: list[Any]) -> list[Any]:
        return list(await self.db.execute_fetchall(sql, params))

    async def run(self, sql: str, params: list[Any]) -> int:
        """Execute a write and return how many rows it touched."""
        cursor = await self.db.execute(sql, params)
        count = cursor.rowcount
        await cursor.close()
        return count

    async def select(
        self,
        table: Table,
        where: Where,
        order: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Matching records; no `limit` means all, negative bounds count as zero."""
        rows = await self.rows(*select_sql(table, where, order, limit, offset))
        return [table.to_record(row) for row in rows]

    async def get(self, table: Table, key: Any) -> dict[str, Any] | None:
        rows = await self.select(table, Where().equals(table.key, key), limit=1)
        return rows[0] if rows else None

    async def insert(self, table: Table, record: Any, ignore: bool = False) -> bool:
        """Insert a row; with `ignore`, an existing key is left alone and False returned."""
        return await self.run(insert_sql(table, ignore), table.to_row(record)) > 0

    async def replace(self, table: Table, record: Any) -> None:
        """Overwrite every column of an existing row (UPDATE, so foreign keys stay intact)."""
        await self.run(replace_sql(table), [*table.to_row(record), record[table.key]])

    async def delete(self, table: Table, key: Any) -> bool:
        return await self.run(f'DELETE FROM {table.name} WHERE "{table.key}" = ?', [key]) > 0


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


T = TypeVar("T")


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
