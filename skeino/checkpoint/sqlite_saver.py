"""A SQLite `BaseCheckpointSaver` for a server: group commit on one writer, free readers.

Each `aput` / `aput_writes` is serialised by the caller, handed to the `GroupWriter` and
acknowledged once committed, in a transaction it shares with the writes of every other run
in flight; reads go to the `ReaderPool`. Data and serialisation are langgraph-checkpoint-
sqlite's, so its `SqliteSaver` reads our files and we read its.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    get_checkpoint_id,
    get_checkpoint_metadata,
)
from langgraph.checkpoint.serde.base import SerializerProtocol
from langgraph.checkpoint.sqlite.utils import search_where

from skeino.checkpoint import sqlite_sql as sql
from skeino.checkpoint.group_commit import GroupWriter, Statement
from skeino.checkpoint.pending import writes_by_task
from skeino.checkpoint.readers import ReaderPool
from skeino.checkpoint.saver import GroupCommitSaver, written
from skeino.storage.sqlite_conn import connect

T = TypeVar("T")


class SqliteCheckpointer(GroupCommitSaver):
    """Made by `open_sqlite_saver`, which runs its writer."""

    DELETE_THREAD = sql.DELETE_THREAD
    COPY_THREAD = sql.COPY_THREAD

    def __init__(
        self,
        writer: GroupWriter,
        readers: ReaderPool,
        *,
        serde: SerializerProtocol | None = None,
    ) -> None:
        super().__init__(writer, serde=serde)
        self._readers = readers

    async def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work` on a read connection of the file, in one snapshot (for queries of the
        tables langgraph's interface has no method for, e.g. a thread's footprint)."""
        return await self._readers.read(work)

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        configurable = config["configurable"]
        thread_id = str(configurable["thread_id"])
        ns = configurable.get("checkpoint_ns", "")
        checkpoint_id = get_checkpoint_id(config)
        if checkpoint_id:
            query = f"{sql.SELECT_CHECKPOINTS} {sql.IN_THREAD} AND checkpoint_id = ?"
            params: tuple[str, ...] = (thread_id, ns, checkpoint_id)
        else:
            query = f"{sql.SELECT_CHECKPOINTS} {sql.IN_THREAD} {sql.LATEST}"
            params = (thread_id, ns)

        def work(conn: sqlite3.Connection) -> CheckpointTuple | None:
            row = conn.execute(query, params).fetchone()
            if row is None:
                return None
            return sql.to_tuple(conn, self.serde, row, config if checkpoint_id else None)

        return await self._readers.read(work)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        """Newest first, all read in one snapshot (callers that page pass `limit`)."""
        where, params = search_where(config, filter, before)
        query = f"{sql.SELECT_CHECKPOINTS} {where} ORDER BY checkpoint_id DESC"
        if limit is not None:
            query += " LIMIT ?"
            params = (*params, limit)

        def work(conn: sqlite3.Connection) -> list[CheckpointTuple]:
            rows = conn.execute(query, params).fetchall()
            return [sql.to_tuple(conn, self.serde, row, None) for row in rows]

        for found in await self._readers.read(work):
            yield found

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        parent = config["configurable"].get("checkpoint_id")
        await self._writer.write([self._checkpoint_row(config, checkpoint, metadata, parent)])
        return written(config, checkpoint["id"])

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        await self._writer.write([self._write_rows(config, writes, task_id, task_path)])

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """`keep_latest`: each thread keeps the latest checkpoint of each namespace, unparented,
        with its pending writes; the thread is rewritten in one commit, so a crash leaves it
        whole or pruned, never empty. (As langgraph warns, a delta channel needs its
        ancestors: prune only graphs without one.) `delete` forgets the threads."""
        if strategy not in ("keep_latest", "delete"):
            raise ValueError(f"unknown prune strategy {strategy!r}")
        for thread_id in thread_ids:
            statements: list[Statement] = [
                (query, [(str(thread_id),)]) for query in self.DELETE_THREAD
            ]
            if strategy == "keep_latest":
                statements += await self._latest_rows(str(thread_id))
            await self._writer.write(statements)

    async def _latest_rows(self, thread_id: str) -> list[Statement]:
        latest: dict[str, CheckpointTuple] = {}
        async for item in self.alist({"configurable": {"thread_id": thread_id}}):
            latest.setdefault(item.config["configurable"]["checkpoint_ns"], item)
        rows: list[Statement] = []
        for item in latest.values():
            config: RunnableConfig = {"configurable": {**item.config["configurable"]}}
            rows.append(self._checkpoint_row(config, item.checkpoint, item.metadata, None))
            pending = writes_by_task(item).items()
            rows += [self._write_rows(config, w, task_id) for task_id, w in pending]
        return rows

    def _checkpoint_row(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        parent: str | None,
    ) -> Statement:
        """The insert of `checkpoint` into `config`'s thread and namespace, under `parent`."""
        configurable = config["configurable"]
        type_, blob = self.serde.dumps_typed(checkpoint)
        meta = json.dumps(get_checkpoint_metadata(config, metadata), ensure_ascii=False)
        row = (
            str(configurable["thread_id"]),
            configurable["checkpoint_ns"],
            checkpoint["id"],
            parent,
            type_,
            blob,
            meta.encode("utf-8", "ignore"),
        )
        return (sql.PUT_CHECKPOINT, [row])

    def _write_rows(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> Statement:
        configurable = config["configurable"]
        key = (
            str(configurable["thread_id"]),
            str(configurable["checkpoint_ns"]),
            str(configurable["checkpoint_id"]),
        )
        rows = [
            (
                *key,
                task_id,
                task_path,
                WRITES_IDX_MAP.get(channel, idx),
                channel,
                *self.serde.dumps_typed(value),
            )
            for idx, (channel, value) in enumerate(writes)
        ]
        special = all(channel in WRITES_IDX_MAP for channel, _ in writes)
        return (sql.PUT_WRITES.format("REPLACE" if special else "IGNORE"), rows)

    def get_next_version(self, current: str | None, channel: None) -> str:
        """langgraph's SQLite savers' versions (`<step, 32 digits>.<random>`), so versions
        in one file compare alike whichever of the savers wrote them."""
        if current is None:
            step = 0
        elif isinstance(current, int):
            step = current
        else:
            step = int(current.split(".")[0])
        return f"{step + 1:032}.{random.random():016}"


@asynccontextmanager
async def open_sqlite_saver(path: str, readers: int = 4) -> AsyncIterator[SqliteCheckpointer]:
    """The checkpointer on `path` with its tables made; on exit, whatever was handed to it
    is committed before its connections close."""
    conn = await anyio.to_thread.run_sync(connect, path)
    pool = ReaderPool(path, readers)
    try:
        await anyio.to_thread.run_sync(sql.create_tables, conn)
        writer = GroupWriter(conn)
        try:
            yield SqliteCheckpointer(writer, pool)
        finally:
            await writer.close()
    finally:
        pool.close()
        await anyio.to_thread.run_sync(conn.close)
