"""The writer's connection to Postgres, and the statements langgraph's saver has no text for.

Tables, migrations and the statements that write and read checkpoints are langgraph-
checkpoint-postgres's own (`BasePostgresSaver`), so its savers and ours share a database.
"""

from __future__ import annotations

from typing import Any

import orjson
import psycopg
from psycopg.types.json import Jsonb

from skeino.checkpoint.group_commit import Statement
from skeino.storage.postgres_db import CONNECT

_THREAD_TABLES = ("checkpoints", "checkpoint_blobs", "checkpoint_writes")
DELETE_THREAD = tuple(f"DELETE FROM {table} WHERE thread_id = %s" for table in _THREAD_TABLES)

_COLUMNS = {
    "checkpoints": "checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata",
    "checkpoint_blobs": "checkpoint_ns, channel, version, type, blob",
    "checkpoint_writes": (
        "checkpoint_ns, checkpoint_id, task_id, task_path, idx, channel, type, blob"
    ),
}
# The target's rows are replaced by the source's, as a put of the same checkpoint would.
_REPLACE = {
    "checkpoints": "(thread_id, checkpoint_ns, checkpoint_id) DO UPDATE SET"
    " parent_checkpoint_id = EXCLUDED.parent_checkpoint_id,"
    " checkpoint = EXCLUDED.checkpoint, metadata = EXCLUDED.metadata",
    "checkpoint_blobs": "(thread_id, checkpoint_ns, channel, version) DO NOTHING",
    "checkpoint_writes": "(thread_id, checkpoint_ns, checkpoint_id, task_id, idx) DO UPDATE SET"
    " channel = EXCLUDED.channel, type = EXCLUDED.type, blob = EXCLUDED.blob",
}
# Parameters: (target thread, source thread).
COPY_THREAD = tuple(
    f"INSERT INTO {table} (thread_id, {columns}) SELECT %s, {columns} FROM {table}"
    f" WHERE thread_id = %s ON CONFLICT {_REPLACE[table]}"
    for table, columns in _COLUMNS.items()
)


def jsonb(value: Any) -> Jsonb:
    """`value` as a `jsonb` parameter, encoded now: by its caller, not by the writer."""
    return Jsonb(orjson.dumps(value).decode(), dumps=_as_is)


def _as_is(text: str) -> str:
    return text


# Its name in `pg_stat_activity`.
WRITER_NAME = "skeino-checkpoint-writer"


class WriterConnection:
    """The writer's `Transaction`, on one connection of its own. Should the connection
    break, the transaction runs once more on a new one: every statement the savers hand
    over is idempotent (upserts, inserts that skip what exists, deletions), so running it
    again is harmless even if the lost answer was the commit's."""

    def __init__(self, uri: str) -> None:
        self._uri = uri
        self._conn = self._connect()

    def _connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self._uri, application_name=WRITER_NAME, **CONNECT)

    def __call__(self, statements: list[Statement]) -> None:
        try:
            self._transaction(statements)
        except psycopg.OperationalError:
            if not self._conn.closed:
                raise
            self._conn = self._connect()
            self._transaction(statements)

    def _transaction(self, statements: list[Statement]) -> None:
        """`statements` pipelined in one transaction: one round trip and the commit's wait."""
        conn = self._conn
        with conn.pipeline(), conn.transaction(), conn.cursor(binary=True) as cur:
            for sql, rows in statements:
                if rows:
                    cur.executemany(sql, rows)

    def close(self) -> None:
        self._conn.close()
