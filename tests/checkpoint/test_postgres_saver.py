"""skeino's Postgres checkpointer passes langgraph's conformance suite and the behaviours of
every skeino saver, group-commits concurrent writes, and shares its database with
langgraph's Postgres savers both ways."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.lowlevel
import psycopg
import pytest
from langgraph.checkpoint.base import CheckpointTuple, empty_checkpoint
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.types import Command

from skeino.checkpoint.postgres_saver import PostgresCheckpointer, open_postgres_saver
from skeino.checkpoint.postgres_sql import WRITER_NAME
from tests.checkpoint import savers
from tests.checkpoint.savers import config, graph
from tests.postgres import SERVER, SKIPPED, fresh_schema

pytestmark = [pytest.mark.anyio, pytest.mark.skipif(not SERVER, reason=SKIPPED)]


@asynccontextmanager
async def opened(uri: str) -> AsyncIterator[PostgresCheckpointer]:
    async with open_postgres_saver(uri) as saver:
        await saver.setup()
        yield saver


@asynccontextmanager
async def fresh() -> AsyncIterator[PostgresCheckpointer]:
    with fresh_schema() as uri:
        async with opened(uri) as saver:
            yield saver


async def test_langgraph_conformance_suite() -> None:
    await savers.check_conformance("skeino PostgresCheckpointer", fresh)


async def test_a_cancelled_caller_still_has_its_write_committed() -> None:
    await savers.check_cancelled_caller(fresh)


async def test_sync_methods_from_a_worker_thread_not_the_loop() -> None:
    await savers.check_sync_methods(fresh)


async def test_prune_keeps_the_latest_checkpoint_and_its_pending_writes() -> None:
    await savers.check_prune(fresh)


async def test_an_acknowledged_write_is_committed() -> None:
    with fresh_schema() as uri:

        def committed(thread_id: str) -> int:
            with psycopg.connect(uri) as conn:
                sql = "SELECT count(*) FROM checkpoints WHERE thread_id = %s"
                row = conn.execute(sql, (thread_id,)).fetchone()
                return int(row[0]) if row else 0

        await savers.check_acknowledged_writes(lambda: opened(uri), committed)


async def put_with_write(saver: PostgresCheckpointer, thread_id: str) -> None:
    """A checkpoint with a value inline and one in a blob, and a pending write on it."""
    checkpoint = empty_checkpoint()
    checkpoint["channel_values"] = {"thread": thread_id, "items": [thread_id]}
    checkpoint["channel_versions"] = {"items": saver.get_next_version(None, None)}
    parent = {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}
    written = await saver.aput(parent, checkpoint, {}, checkpoint["channel_versions"])
    await saver.aput_writes(written, [("thread", thread_id)], "task")


# Rows one transaction wrote share its id, `xmin`.
TRANSACTIONS = (
    "SELECT count(*), count(DISTINCT xmin::text) FROM checkpoints",
    "SELECT count(*), count(DISTINCT xmin::text) FROM checkpoint_blobs",
    "SELECT count(*), count(DISTINCT xmin::text) FROM checkpoint_writes",
)


async def test_concurrent_puts_share_transactions() -> None:
    with fresh_schema() as uri:
        async with opened(uri) as saver, anyio.create_task_group() as tasks:
            for n in range(50):
                tasks.start_soon(put_with_write, saver, f"t{n}")
        with psycopg.connect(uri) as conn:
            counted = [conn.execute(query).fetchone() or (0, 0) for query in TRANSACTIONS]
        async with opened(uri) as saver:
            found = await saver.aget_tuple(config("t7"))
    assert [rows for rows, _ in counted] == [50, 50, 50]
    assert all(transactions < 50 for _, transactions in counted), counted
    assert found is not None
    assert found.checkpoint["channel_values"] == {"thread": "t7", "items": ["t7"]}
    assert found.pending_writes == [("task", "thread", "t7")]


def whole(found: CheckpointTuple) -> tuple[Any, ...]:
    return (
        found.config,
        found.checkpoint,
        found.metadata,
        found.parent_config,
        found.pending_writes,
    )


async def test_langgraphs_saver_reads_our_database() -> None:
    with fresh_schema() as uri:
        async with opened(uri) as saver:
            ours = graph(saver)
            await ours.ainvoke({"log": []}, config("t"))
            await ours.ainvoke(Command(resume="b"), config("t"))
            expected = [whole(t) async for t in saver.alist(config("t"))]
        async with AsyncPostgresSaver.from_conn_string(uri) as theirs:
            assert [whole(t) async for t in theirs.alist(config("t"))] == expected
            assert any(pending for *_, pending in expected)
            state = await graph(theirs).aget_state(config("t"))
            assert state.values == {"log": ["first", "b", "last"]}


async def test_we_read_and_continue_langgraphs_database() -> None:
    with fresh_schema() as uri:
        async with AsyncPostgresSaver.from_conn_string(uri) as theirs:
            await theirs.setup()
            await graph(theirs).ainvoke({"log": []}, config("t"))
            expected = [whole(t) async for t in theirs.alist(config("t"))]
        async with opened(uri) as saver:
            assert [whole(t) async for t in saver.alist(config("t"))] == expected
            ours = graph(saver)
            assert (await ours.aget_state(config("t"))).next == ("ask",)
            done = await ours.ainvoke(Command(resume="b"), config("t"))
            assert done == {"log": ["first", "b", "last"]}


async def test_a_refused_put_fails_only_its_caller() -> None:
    """Postgres refuses a NUL in JSON (here an inline channel value): that put's caller
    hears it, the others in the same transaction are committed on a retry without it."""
    outcome: dict[str, str] = {}
    with fresh_schema() as uri:
        async with opened(uri) as saver:

            async def put(n: int) -> None:
                parent = {"configurable": {"thread_id": f"t{n}", "checkpoint_ns": ""}}
                checkpoint = empty_checkpoint()
                checkpoint["channel_values"] = {"note": "\x00" if n == 7 else "fine"}
                try:
                    await saver.aput(parent, checkpoint, {}, {})
                    outcome[f"t{n}"] = "ok"
                except psycopg.DataError:
                    outcome[f"t{n}"] = "refused"

            async with anyio.create_task_group() as tasks:
                for n in range(20):
                    tasks.start_soon(put, n)
            assert outcome == {f"t{n}": "refused" if n == 7 else "ok" for n in range(20)}
            assert len([t async for t in saver.alist(None)]) == 19
            await put_with_write(saver, "after")


async def test_the_writer_outlives_its_connection() -> None:
    """A writer connection killed by the server is replaced, and the put on it goes on."""
    with fresh_schema() as uri:
        async with opened(uri) as saver:
            await put_with_write(saver, "before")
            with psycopg.connect(uri, autocommit=True) as conn:
                killed = conn.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE application_name = %s AND datname = current_database()"
                    " AND pid <> pg_backend_pid()",
                    (WRITER_NAME,),
                ).fetchone()
            assert killed is not None and killed[0] >= 1
            await put_with_write(saver, "after")
            assert {t.config["configurable"]["thread_id"] async for t in saver.alist(None)} == {
                "before",
                "after",
            }


async def test_reads_see_the_writes_handed_over_before_them() -> None:
    """What a cancel or a rollback relies on: a put handed over, not yet acknowledged, is
    in the state and the history read after it."""
    with fresh_schema() as uri:
        async with opened(uri) as saver, anyio.create_task_group() as tasks:
            tasks.start_soon(put_with_write, saver, "t")
            await anyio.lowlevel.checkpoint()  # the put is handed over, and waits
            latest = await saver.aget_tuple(config("t"))
            tasks.start_soon(put_with_write, saver, "u")
            await anyio.lowlevel.checkpoint()
            listed = [t async for t in saver.alist(config("u"))]
    assert latest is not None
    assert [t.checkpoint["channel_values"]["thread"] for t in listed] == ["u"]
