"""How many bytes a thread's checkpoints occupy, per table and per channel.

The report has the official server's shape: `checkpoints`, `channel_values` (with
`by_channel`: versions and bytes of each channel) and `pending_writes`, each a count and
bytes, and their sum as `total_bytes`. Each of langgraph's savers keeps them differently:

* in memory: serialised values in dicts, measured directly;
* SQLite: a checkpoint row holds its channel values inline, so each channel's share of the
  row is measured by re-encoding the value, and `checkpoints` keeps the rest of the row;
* Postgres: one row per channel version in `checkpoint_blobs`, summed with `pg_column_size`
  (the bytes the row's value takes on disk, compressed or not).

A saver of another kind cannot tell: `measure_for` returns None for it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver

from skeino.checkpoint import SqliteCheckpointer

Report = dict[str, Any]
Measure = Callable[[str], Awaitable[Report]]
Channels = dict[str, dict[str, int]]


def measure_for(saver: BaseCheckpointSaver[Any]) -> Measure | None:
    """The footprint query of this saver, or None when its kind keeps no measurable tables."""
    if isinstance(saver, InMemorySaver):
        return lambda thread_id: _memory(saver, thread_id)
    if isinstance(saver, SqliteCheckpointer):
        return lambda thread_id: _sqlite(saver, thread_id)
    try:
        from skeino.checkpoint.postgres_saver import PostgresCheckpointer
    except ImportError:  # the postgres extra is not installed
        return None
    if isinstance(saver, PostgresCheckpointer):
        return lambda thread_id: _postgres(saver, thread_id)
    return None


def _report(checkpoints: tuple[int, int], channels: Channels, writes: tuple[int, int]) -> Report:
    """The wire shape: (count, bytes) of checkpoints and writes, and each channel's tally."""
    channel_bytes = sum(entry["bytes"] for entry in channels.values())
    return {
        "total_bytes": checkpoints[1] + channel_bytes + writes[1],
        "checkpoints": {"count": checkpoints[0], "bytes": checkpoints[1]},
        "channel_values": {
            "count": sum(entry["versions"] for entry in channels.values()),
            "bytes": channel_bytes,
            "by_channel": channels,
        },
        "pending_writes": {"count": writes[0], "bytes": writes[1]},
    }


def _tally(channels: Channels, name: str, size: int) -> None:
    entry = channels.setdefault(name, {"versions": 0, "bytes": 0})
    entry["versions"] += 1
    entry["bytes"] += size


def _nbytes(value: Any) -> int:
    """The serialised bytes inside a stored entry (tuples of type tags, bytes and ids)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return len(value)
    if isinstance(value, tuple | list):
        return sum(_nbytes(item) for item in value)
    return 0


def _count(entries: Iterable[Any]) -> tuple[int, int]:
    sizes = [_nbytes(entry) for entry in entries]
    return len(sizes), sum(sizes)


async def _memory(saver: InMemorySaver, thread_id: str) -> Report:
    namespaces = saver.storage.get(thread_id, {})
    checkpoints = _count(entry for by_id in namespaces.values() for entry in by_id.values())
    channels: Channels = {}
    for (owner, _ns, channel, _version), blob in list(saver.blobs.items()):
        if owner == thread_id:
            _tally(channels, channel, _nbytes(blob))
    writes = _count(
        write
        for (owner, _ns, _checkpoint), by_task in list(saver.writes.items())
        if owner == thread_id
        for write in by_task.values()
    )
    return _report(checkpoints, channels, writes)


SQLITE_QUERIES = (
    "SELECT type, checkpoint, length(checkpoint) + coalesce(length(metadata), 0) "
    "FROM checkpoints WHERE thread_id = ?",
    "SELECT count(*), coalesce(sum(length(value)), 0) FROM writes WHERE thread_id = ?",
)


async def _sqlite(saver: SqliteCheckpointer, thread_id: str) -> Report:
    def read(conn: sqlite3.Connection) -> list[list[Any]]:
        return [conn.execute(query, (thread_id,)).fetchall() for query in SQLITE_QUERIES]

    rows, written = await saver.read(read)
    channels: Channels = {}
    stored = count = 0
    for kind, blob, size in rows:
        count += 1
        stored += size
        checkpoint = saver.serde.loads_typed((kind, blob))
        for name, value in checkpoint.get("channel_values", {}).items():
            _tally(channels, name, len(saver.serde.dumps_typed(value)[1]))
    inline = sum(entry["bytes"] for entry in channels.values())
    return _report((count, max(stored - inline, 0)), channels, tuple(next(iter(written))))


POSTGRES_QUERIES = (
    "SELECT count(*) AS n, coalesce(sum(pg_column_size(checkpoint)"
    " + coalesce(pg_column_size(metadata), 0)), 0) AS bytes"
    " FROM checkpoints WHERE thread_id = %s",
    "SELECT channel, count(*) AS n, coalesce(sum(coalesce(pg_column_size(blob), 0)), 0) AS bytes"
    " FROM checkpoint_blobs WHERE thread_id = %s GROUP BY channel ORDER BY channel",
    "SELECT count(*) AS n, coalesce(sum(coalesce(pg_column_size(blob), 0)), 0) AS bytes"
    " FROM checkpoint_writes WHERE thread_id = %s",
)


async def _postgres(saver: Any, thread_id: str) -> Report:
    results = []
    async with saver.cursor() as cur:
        for query in POSTGRES_QUERIES:
            await cur.execute(query, (thread_id,))
            results.append(await cur.fetchall())
    (head,), blobs, (writes,) = results
    channels = {row["channel"]: {"versions": row["n"], "bytes": int(row["bytes"])} for row in blobs}
    return _report((head["n"], int(head["bytes"])), channels, (writes["n"], int(writes["bytes"])))
