"""langgraph-checkpoint-sqlite's tables, and the rows of them this checkpointer reads.

The layout is langgraph's, column for column (a file written here is read by its
`SqliteSaver`, and the other way round): `checkpoints` holds each checkpoint as the serde's
(type, blob) with its metadata as UTF-8 JSON, `writes` each task's pending writes.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import CheckpointTuple
from langgraph.checkpoint.serde.base import SerializerProtocol
from langgraph.checkpoint.sqlite.utils import load_pending_writes, pending_writes_sql

TABLES = """
CREATE TABLE IF NOT EXISTS checkpoints (
    thread_id TEXT NOT NULL,
    checkpoint_ns TEXT NOT NULL DEFAULT '',
    checkpoint_id TEXT NOT NULL,
    parent_checkpoint_id TEXT,
    type TEXT,
    checkpoint BLOB,
    metadata BLOB,
    PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id)
);
CREATE TABLE IF NOT EXISTS writes (
    thread_id TEXT NOT NULL,
    checkpoint_ns TEXT NOT NULL DEFAULT '',
    checkpoint_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    task_path TEXT NOT NULL DEFAULT '',
    idx INTEGER NOT NULL,
    channel TEXT NOT NULL,
    type TEXT,
    value BLOB,
    PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx)
);
"""

_CHECKPOINT_COLUMNS = (
    "thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata"
)
_WRITE_COLUMNS = "checkpoint_ns, checkpoint_id, task_id, task_path, idx, channel, type, value"
PUT_CHECKPOINT = (
    f"INSERT OR REPLACE INTO checkpoints ({_CHECKPOINT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
# Special writes (errors, interrupts…) have fixed indices and replace; others never do.
PUT_WRITES = (
    "INSERT OR {} INTO writes (thread_id, "
    + _WRITE_COLUMNS
    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
SELECT_CHECKPOINTS = f"SELECT {_CHECKPOINT_COLUMNS} FROM checkpoints"
IN_THREAD = "WHERE thread_id = ? AND checkpoint_ns = ?"
LATEST = "ORDER BY checkpoint_id DESC LIMIT 1"
DELETE_THREAD = (
    ("DELETE FROM checkpoints WHERE thread_id = ?"),
    ("DELETE FROM writes WHERE thread_id = ?"),
)
COPY_THREAD = (
    f"INSERT OR REPLACE INTO checkpoints ({_CHECKPOINT_COLUMNS}) SELECT ?, "
    f"{_CHECKPOINT_COLUMNS.partition(', ')[2]} FROM checkpoints WHERE thread_id = ?",
    f"INSERT OR REPLACE INTO writes (thread_id, {_WRITE_COLUMNS}) SELECT ?, {_WRITE_COLUMNS} "
    "FROM writes WHERE thread_id = ?",
)


def create_tables(conn: sqlite3.Connection) -> None:
    """Make the tables, and add `task_path` to a file from before langgraph had it."""
    conn.executescript(TABLES)
    try:
        conn.execute("ALTER TABLE writes ADD COLUMN task_path TEXT NOT NULL DEFAULT ''")
    except sqlite3.OperationalError as exc:
        if "duplicate column name" not in str(exc):
            raise


def _config(thread_id: str, checkpoint_ns: str, checkpoint_id: str) -> RunnableConfig:
    return {
        "configurable": {
            "thread_id": thread_id,
            "checkpoint_ns": checkpoint_ns,
            "checkpoint_id": checkpoint_id,
        }
    }


def to_tuple(
    conn: sqlite3.Connection, serde: SerializerProtocol, row: Any, config: RunnableConfig | None
) -> CheckpointTuple:
    """A `checkpoints` row with its pending writes; `config` as the caller named it, if so."""
    thread_id, ns, checkpoint_id, parent_id, type_, blob, metadata = row
    writes = conn.execute(pending_writes_sql(True), (thread_id, ns, checkpoint_id)).fetchall()
    return CheckpointTuple(
        config or _config(thread_id, ns, checkpoint_id),
        serde.loads_typed((type_, blob)),
        json.loads(metadata) if metadata is not None else {},
        _config(thread_id, ns, parent_id) if parent_id else None,
        load_pending_writes(writes, serde),
    )
