"""Postgres connections and the SQL vocabulary of the Postgres backend.

One connection pool per process (psycopg 3). Connections run in autocommit with no
server-side prepared statements (`prepare_threshold=None`), so the pool works behind
PgBouncer in transaction mode; multi-statement work is an explicit transaction. JSON
fields are `jsonb`, written and read with orjson. Filters compile to SQL with exactly the
semantics of `filters.contains`, so every backend answers identically.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import orjson
from psycopg import AsyncConnection, DataError
from psycopg.types.json import Jsonb, set_json_dumps, set_json_loads
from psycopg_pool import AsyncConnectionPool

from skeino.errors import InvalidInput
from skeino.storage.filters import bound
from skeino.storage.postgres_schema import migrate
from skeino.storage.sqlite_db import Table

CONNECT: dict[str, Any] = {"autocommit": True, "prepare_threshold": None}


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


async def _configure(conn: AsyncConnection[Any]) -> None:
    set_json_dumps(_dumps, conn)
    set_json_loads(orjson.loads, conn)


def pool(uri: str, max_size: int, **kwargs: Any) -> AsyncConnectionPool[Any]:
    """A pool not yet open; `kwargs` join the connection settings (e.g. a row factory)."""
    return AsyncConnectionPool(
        uri,
        min_size=1,
        max_size=max_size,
        kwargs={**CONNECT, **kwargs},
        configure=_configure,
        open=False,
    )


class PgDatabase:
    """skeino's pool: records, queue, crons and events share it."""

    def __init__(self, connections: AsyncConnectionPool[Any]) -> None:
        self.pool = connections

    @classmethod
    async def open(cls, uri: str, max_size: int = 10) -> PgDatabase:
        connections = pool(uri, max_size)
        await connections.open(wait=True)
        try:
            async with connections.connection() as conn:
                await migrate(conn)
        except BaseException:
            await connections.close()
            raise
        return cls(connections)

    async def close(self) -> None:
        await self.pool.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection[Any]]:
        """A connection inside one transaction; values Postgres cannot keep are a 422 (a
        NUL character is refused by the driver itself, before Postgres sees it)."""
        async with self.pool.connection() as conn, _client_data(), conn.transaction():
            yield conn

    @asynccontextmanager
    async def statement(self) -> AsyncIterator[AsyncConnection[Any]]:
        """A connection for one statement, which autocommit makes a transaction of its own:
        the BEGIN and COMMIT round trips of `transaction` saved."""
        async with self.pool.connection() as conn, _client_data():
            yield conn

    async def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        async with self.statement() as conn:
            return await fetch(conn, sql, params)


@asynccontextmanager
async def _client_data() -> AsyncIterator[None]:
    try:
        yield
    except DataError as exc:  # NUL in text, numbers out of range: the client's data
        message = exc.diag.message_primary or str(exc)
        raise InvalidInput(f"a value Postgres cannot store: {message}") from None


@cache
def pg(sql: str) -> str:
    """SQL written for SQLite (`?` markers, no other `?`) with Postgres' `%s` markers."""
    return sql.replace("?", "%s")


async def fetch(conn: AsyncConnection[Any], sql: str, params: Sequence[Any] = ()) -> list[Any]:
    cursor = await conn.execute(sql, params)
    return await cursor.fetchall() if cursor.description else []


async def run(conn: AsyncConnection[Any], sql: str, params: Sequence[Any] = ()) -> int:
    """Execute a write; how many rows it touched."""
    cursor = await conn.execute(sql, params)
    return cursor.rowcount


def to_row(table: Table, record: Any) -> list[Any]:
    return [Jsonb(record[c]) if c in table.json else record[c] for c in table.columns]


def to_record(table: Table, row: Sequence[Any]) -> dict[str, Any]:
    return dict(zip(table.columns, row, strict=True))


@dataclass
class PgWhere:
    """A conjunction of SQL conditions with their parameters, built up fluently."""

    parts: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def __str__(self) -> str:
        return f" WHERE {' AND '.join(self.parts)}" if self.parts else ""

    def add(self, condition: str, *params: Any) -> PgWhere:
        self.parts.append(condition)
        self.params.extend(params)
        return self

    def equals(self, column: str, value: Any) -> PgWhere:
        return self.add(f'"{column}" = %s', value)

    def contains(self, column: str, filter: dict[str, Any], path: tuple[str, ...] = ()) -> PgWhere:
        """`filters.contains`: nested objects key by key, anything else jsonb-equal (arrays
        in order, `true` never `1`), a null value only where the key is present and null."""
        for key, value in filter.items():
            at = [*path, key]
            if "\x00" in key or (not isinstance(value, dict) and "\\u0000" in _dumps(value)):
                self.add("FALSE")  # Postgres stores no NUL character, so nothing holds one
            elif isinstance(value, dict):
                self.add(f"jsonb_typeof(\"{column}\" #> %s) = 'object'", at)
                self.contains(column, value, (*path, key))
            else:
                self.add(f'("{column}" #> %s) = %s', at, Jsonb(value))
        return self


async def select(
    conn: AsyncConnection[Any],
    table: Table,
    where: PgWhere,
    order: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    lock: str = "",
) -> list[dict[str, Any]]:
    """Matching records; no `limit` means all, negative bounds count as zero."""
    order_by = f" ORDER BY {order}" if order else ""
    bounds = [None if limit is None else bound(limit), bound(offset)]
    sql = f"SELECT {table.column_list} FROM {table.name}{where}{order_by} LIMIT %s OFFSET %s"
    rows = await fetch(conn, sql + lock, [*where.params, *bounds])
    return [to_record(table, row) for row in rows]


async def get(
    conn: AsyncConnection[Any], table: Table, key: Any, lock: str = ""
) -> dict[str, Any] | None:
    rows = await select(conn, table, PgWhere().equals(table.key, key), limit=1, lock=lock)
    return rows[0] if rows else None


async def insert(
    conn: AsyncConnection[Any], table: Table, record: Any, ignore: bool = False
) -> bool:
    conflict = " ON CONFLICT DO NOTHING" if ignore else ""
    marks = ", ".join(["%s"] * len(table.columns))
    sql = f"INSERT INTO {table.name} ({table.column_list}) VALUES ({marks}){conflict}"
    return await run(conn, sql, to_row(table, record)) > 0


async def replace(conn: AsyncConnection[Any], table: Table, record: Any) -> None:
    assignments = ", ".join(f'"{column}" = %s' for column in table.columns)
    sql = f'UPDATE {table.name} SET {assignments} WHERE "{table.key}" = %s'
    await run(conn, sql, [*to_row(table, record), record[table.key]])


async def delete(conn: AsyncConnection[Any], table: Table, key: Any) -> bool:
    return await run(conn, f'DELETE FROM {table.name} WHERE "{table.key}" = %s', [key]) > 0
