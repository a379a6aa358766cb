"""The SQL vocabulary of skeino's SQLite storage: tables, filters and statements.

Records map to rows column for column (JSON fields as orjson TEXT), so one `Table`
description serves every insert, update and select, and adding a field is a migration plus
a name here rather than edits scattered through queries.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson

from skeino.storage.base import Assistant, AssistantVersion, Run, Thread
from skeino.storage.filters import bound, contains


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


@lru_cache(maxsize=256)
def _parsed(text: str) -> Any:
    """Filters are constant for a whole query: parse each once, not once per row."""
    return orjson.loads(text)


def contains_json(document: str | None, filter: str) -> bool:
    """`filters.contains` as the SQL function skeino_contains(column, filter_json)."""
    return document is not None and contains(orjson.loads(document), _parsed(filter))


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
