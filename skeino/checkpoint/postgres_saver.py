"""A Postgres `BaseCheckpointSaver` for a server: group commit on one writer, pooled reads.

langgraph's `AsyncPostgresSaver` commits each put on its own, behind one lock that its reads
take too, so a process pays a commit per write and reads one at a time. Here each `aput` /
`aput_writes` is serialised by its caller and handed to the `ThreadWriter`, which pipelines
the writes of every run in flight into one transaction and acknowledges each caller once
committed; reads take a pool connection each, one statement (checkpoint, channel blobs and
pending writes joined by langgraph's own SELECT). Tables, migrations, statements and
serialisation are langgraph-checkpoint-postgres's: its savers read our rows and we theirs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import anyio.to_thread
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    get_checkpoint_id,
    get_serializable_checkpoint_metadata,
)
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.postgres.base import (
    BasePostgresSaver,
    _aexecute,
    _keep_latest,
    _refuse_delta_threads,
)
from langgraph.checkpoint.serde.base import SerializerProtocol
from langgraph.checkpoint.serde.types import _DeltaSnapshot
from psycopg import AsyncCursor
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

from skeino.checkpoint import postgres_sql as sql
from skeino.checkpoint.postgres_writer import ThreadWriter
from skeino.checkpoint.saver import GroupCommitSaver, written
from skeino.storage.postgres_db import pool

READERS = 4


class PostgresCheckpointer(GroupCommitSaver, BasePostgresSaver):
    """Made by `open_postgres_saver`, which runs its writer; versions are langgraph's
    Postgres savers' (`get_next_version` is theirs), so they compare alike in one database."""

    DELETE_THREAD = sql.DELETE_THREAD
    COPY_THREAD = sql.COPY_THREAD
    _writer: ThreadWriter

    def __init__(
        self,
        writer: ThreadWriter,
        readers: AsyncConnectionPool[Any],
        *,
        serde: SerializerProtocol | None = None,
    ) -> None:
        super().__init__(writer, serde=serde)
        self._readers = readers

    async def setup(self) -> None:
        """langgraph's tables and migrations, by langgraph's own `setup`."""
        async with self._readers.connection() as conn:
            await AsyncPostgresSaver(conn).setup()

    @asynccontextmanager
    async def cursor(self) -> AsyncIterator[AsyncCursor[DictRow]]:
        """A cursor on a read connection, for queries of the tables langgraph's interface has
        no method for (e.g. a thread's footprint)."""
        async with (
            self._readers.connection() as conn,
            conn.cursor(binary=True, row_factory=dict_row) as cur,
        ):
            yield cur

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        configurable = config["configurable"]
        args: tuple[Any, ...] = (configurable["thread_id"], configurable.get("checkpoint_ns", ""))
        if checkpoint_id := get_checkpoint_id(config):
            where = "WHERE thread_id = %s AND checkpoint_ns = %s AND checkpoint_id = %s"
            args = (*args, checkpoint_id)
        else:
            where = (
                "WHERE thread_id = %s AND checkpoint_ns = %s ORDER BY checkpoint_id DESC LIMIT 1"
            )
        found = await self._select(self.SELECT_SQL + where, args)
        return found[0] if found else None

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        """Newest first, all read by one statement (callers that page pass `limit`)."""
        where, args = self._search_where(config, filter, before)
        query = self.SELECT_SQL + where + " ORDER BY checkpoint_id DESC"
        if limit is not None:
            query += " LIMIT %s"
            args.append(int(limit))
        for found in await self._select(query, args):
            yield found

    async def _select(self, query: str, args: Sequence[Any]) -> list[CheckpointTuple]:
        """Once the writes handed over before are committed: what a reader sees (a state
        after a cancel, a history to roll back) is never older than the puts that came
        before it, as behind the one lock of langgraph's saver."""
        await self._writer.settled()
        async with self.cursor() as cur:
            await cur.execute(query, args)
            rows = await cur.fetchall()
            await self._add_old_sends(cur, rows)
        return [self._to_tuple(row) for row in rows]

    async def _add_old_sends(self, cur: AsyncCursor[DictRow], rows: list[DictRow]) -> None:
        """Checkpoints from before format v4 kept their pending sends as their parent's
        writes: move them into the channel values, as langgraph's saver does on reading."""
        old = [r for r in rows if r["checkpoint"]["v"] < 4 and r["parent_checkpoint_id"]]
        if not old:
            return
        by_parent: dict[str, list[DictRow]] = defaultdict(list)
        for row in old:
            by_parent[row["parent_checkpoint_id"]].append(row)
        await cur.execute(self.SELECT_PENDING_SENDS_SQL, (old[0]["thread_id"], list(by_parent)))
        for sends in await cur.fetchall():
            for row in by_parent[sends["checkpoint_id"]]:
                row["channel_values"] = row["channel_values"] or []
                self._migrate_pending_sends(
                    sends["sends"], row["checkpoint"], row["channel_values"]
                )

    def _to_tuple(self, row: DictRow) -> CheckpointTuple:
        def config(checkpoint_id: str) -> RunnableConfig:
            return {
                "configurable": {
                    "thread_id": row["thread_id"],
                    "checkpoint_ns": row["checkpoint_ns"],
                    "checkpoint_id": checkpoint_id,
                }
            }

        checkpoint: Checkpoint = row["checkpoint"]
        inline = checkpoint.get("channel_values") or {}
        values = {**inline, **self._load_blobs(row["channel_values"])}
        parent = row["parent_checkpoint_id"]
        return CheckpointTuple(
            config(row["checkpoint_id"]),
            {**checkpoint, "channel_values": values},
            row["metadata"],
            config(parent) if parent else None,
            self._load_writes(row["pending_writes"]),
        )

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Primitive channel values stay inline in the checkpoint's JSON, the others go to
        `checkpoint_blobs`, one row per new version (langgraph's layout)."""
        configurable = config["configurable"]
        thread_id, ns = str(configurable["thread_id"]), configurable["checkpoint_ns"]
        inline = dict(checkpoint["channel_values"])
        blobs: dict[str, Any] = {}
        for channel, value in checkpoint["channel_values"].items():
            if isinstance(value, _DeltaSnapshot):
                blobs[channel], inline[channel] = value, True
            elif not (value is None or isinstance(value, str | int | float | bool)):
                blobs[channel] = inline.pop(channel)
        versions = {channel: v for channel, v in new_versions.items() if channel in blobs}
        row = (
            thread_id,
            ns,
            checkpoint["id"],
            configurable.get("checkpoint_id"),
            sql.jsonb({**checkpoint, "channel_values": inline}),
            sql.jsonb(get_serializable_checkpoint_metadata(config, metadata)),
        )
        await self._writer.write(
            [
                (
                    self.UPSERT_CHECKPOINT_BLOBS_SQL,
                    self._dump_blobs(thread_id, ns, blobs, versions),
                ),
                (self.UPSERT_CHECKPOINTS_SQL, [row]),
            ]
        )
        return written(config, checkpoint["id"])

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """Special writes (errors, interrupts…) have fixed indices and replace; others never."""
        special = all(channel in WRITES_IDX_MAP for channel, _ in writes)
        query = self.UPSERT_CHECKPOINT_WRITES_SQL if special else self.INSERT_CHECKPOINT_WRITES_SQL
        configurable = config["configurable"]
        rows = self._dump_writes(
            str(configurable["thread_id"]),
            configurable["checkpoint_ns"],
            configurable["checkpoint_id"],
            task_id,
            task_path,
            writes,
        )
        await self._writer.write([(query, rows)])

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """langgraph's prune: `delete` forgets the threads (through the writer);
        `keep_latest` runs langgraph's own statements, one transaction per thread."""
        if isinstance(thread_ids, str):
            raise TypeError("thread_ids must be a sequence of thread IDs, not a str")
        if strategy not in ("keep_latest", "delete"):
            raise ValueError(f"unknown prune strategy {strategy!r}")
        ids = [str(thread_id) for thread_id in thread_ids]
        if strategy == "delete":
            await self._writer.write([(query, [(i,) for i in ids]) for query in self.DELETE_THREAD])
            return
        async with self.cursor() as cur:
            await _aexecute(cur, _refuse_delta_threads(ids))
        for thread_id in ids:
            async with self.cursor() as cur, cur.connection.transaction():
                await _aexecute(cur, _keep_latest(thread_id))


@asynccontextmanager
async def open_postgres_saver(
    uri: str, readers: AsyncConnectionPool[Any] | None = None
) -> AsyncIterator[PostgresCheckpointer]:
    """The checkpointer writing on a connection of its own to `uri` and reading on `readers`
    (an open pool, in autocommit), or on a small pool of its own. `setup` is the caller's,
    once per database. On exit, whatever was handed to it is committed before its
    connections close."""
    async with AsyncExitStack() as stack:
        if readers is None:
            readers = pool(uri, READERS, row_factory=dict_row)
            await readers.open(wait=True)
            stack.push_async_callback(readers.close)
        conn = await anyio.to_thread.run_sync(sql.WriterConnection, uri)
        stack.push_async_callback(anyio.to_thread.run_sync, conn.close)
        writer = ThreadWriter(conn)
        stack.push_async_callback(writer.close)
        yield PostgresCheckpointer(writer, readers)
