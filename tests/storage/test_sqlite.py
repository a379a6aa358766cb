"""What only a file can show: persistence, migrations, URIs and the backend registry."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import pytest
from langgraph.checkpoint.memory import InMemorySaver

from skeino.backend import Backend, StoreOptions, open_backend, register_backend
from skeino.checkpoint import SqliteCheckpointer
from skeino.crons.storage import MemoryCronStore, SqliteCronStore
from skeino.storage import AssistantQuery, Page, ThreadQuery
from skeino.storage.memory import MemoryStorage
from skeino.storage.sqlite import SqliteStorage
from skeino.storage.sqlite_db import THREADS, SyncSession
from skeino.storage.sqlite_schema import MIGRATIONS
from skeino.storage.store import MemoryStore, SqliteStore
from skeino.storage.uri import scheme_of, sqlite_path
from tests.storage.records import assistant, run, thread, ts

pytestmark = pytest.mark.anyio


async def test_data_survives_close_and_reopen(tmp_path: Path) -> None:
    path = str(tmp_path / "a" / "b" / "skeino.db")
    store = SqliteStorage(path)
    await store.open()
    await store.create_assistant(assistant("a1"))
    await store.add_assistant_version("a1", {"name": "v2"}, ts(1))
    await store.create_thread(thread("t1", metadata={"k": "v"}, values={"x": 1}))
    await store.create_run(run("r1", kwargs={"input": {"q": 1}}))
    await store.close()

    reopened = SqliteStorage(path)
    await reopened.open()
    try:
        assert (await reopened.get_assistant("a1"))["name"] == "v2"  # type: ignore[index]
        assert len(await reopened.list_assistant_versions("a1", {}, 10, 0)) == 2
        assert await reopened.get_thread("t1") == thread("t1", metadata={"k": "v"}, values={"x": 1})
        assert await reopened.get_run("t1", "r1") == run("r1", kwargs={"input": {"q": 1}})
        found, total = await reopened.search_threads(ThreadQuery(metadata={"k": "v"}), Page())
        assert ([t["thread_id"] for t in found], total) == (["t1"], 1)
    finally:
        await reopened.close()


def _pragma(path: str, name: str) -> object:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]


async def test_migrations_are_idempotent_and_versioned(tmp_path: Path) -> None:
    path = str(tmp_path / "skeino.db")
    for _ in range(2):
        store = SqliteStorage(path)
        await store.open()
        await store.create_thread(thread("t1"))  # None the second time, never an error
        await store.close()
    assert _pragma(path, "user_version") == len(MIGRATIONS)
    assert _pragma(path, "journal_mode") == "wal"


async def test_a_file_from_before_the_leases_upgrades(tmp_path: Path) -> None:
    """A run an older skeino left running goes back to the queue; its `not_before` moves
    out of kwargs into its own column."""
    path = str(tmp_path / "old.db")
    with sqlite3.connect(path) as conn:
        for statement in (s for migration in MIGRATIONS[:2] for s in migration):
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 2")
        conn.execute(
            "INSERT INTO runs VALUES ('r1', 't1', 'a1', '{}', 'running',"
            ' \'{"input": 1, "not_before": "2024-01-01T00:00:10+00:00"}\','
            " 'reject', 'x', 'x', NULL)"
        )
    conn.close()
    async with open_backend(f"sqlite:///{path}") as backend:
        found = await backend.storage.get_run("t1", "r1")
        assert found is not None and found["status"] == "pending"
        assert found["kwargs"] == {"input": 1}
        assert await backend.crons.get("none") is None  # the crons table exists
    with sqlite3.connect(path) as conn:
        ((not_before,),) = conn.execute("SELECT not_before FROM runs").fetchall()
    conn.close()
    assert not_before == pytest.approx(1704067210.0)


async def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = str(tmp_path / "skeino.db")
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    store = SqliteStorage(path)
    with pytest.raises(RuntimeError, match="newer"):
        await store.open()


async def test_a_closed_store_says_so(tmp_path: Path) -> None:
    store = SqliteStorage(str(tmp_path / "skeino.db"))
    with pytest.raises(RuntimeError, match="not open"):
        await store.get_thread("t1")


def test_uri_parsing() -> None:
    assert scheme_of("memory://") == "memory"
    assert scheme_of("SQLite:///x.db") == "sqlite"
    assert scheme_of("data/x.db") == "sqlite"
    assert sqlite_path("sqlite:///.skeino/skeino.db") == ".skeino/skeino.db"
    assert sqlite_path("sqlite:////abs/x.db") == "/abs/x.db"
    assert sqlite_path("plain.db") == "plain.db"
    for bad in ("sqlite://", "sqlite:///", "postgres://h/db"):
        with pytest.raises(ValueError):
            sqlite_path(bad)


async def test_open_backend_by_scheme(tmp_path: Path) -> None:
    async with open_backend("memory://") as memory:
        assert type(memory.storage) is MemoryStorage
        assert type(memory.crons) is MemoryCronStore
        assert memory.events is None
        assert type(memory.checkpointer) is InMemorySaver
        assert type(memory.store) is MemoryStore
    path = f"{tmp_path}/x.db"
    async with open_backend(f"sqlite:///{path}") as sqlite:
        assert type(sqlite.storage) is SqliteStorage
        assert sqlite.storage.path == path
        assert type(sqlite.crons) is SqliteCronStore
        assert sqlite.events is not None
        assert type(sqlite.checkpointer) is SqliteCheckpointer
        assert type(sqlite.store) is SqliteStore
        assert await sqlite.storage.create_thread(thread("t1")) is not None  # open already
    with pytest.raises(RuntimeError, match="closed"):  # and closed on exit
        await sqlite.storage.get_thread("t1")
    with pytest.raises(ValueError, match="no backend"):
        open_backend("nosuch://x")


async def test_register_a_backend_scheme() -> None:
    seen: list[tuple[str, StoreOptions]] = []

    @asynccontextmanager
    async def opener(uri: str, options: StoreOptions) -> AsyncIterator[Backend]:
        seen.append((uri, options))
        store = MemoryStore(index=options.index, ttl=options.ttl)
        yield Backend(MemoryStorage(), MemoryCronStore(), None, InMemorySaver(), store)

    register_backend("Custom-Test", opener)
    options = StoreOptions(ttl={"default_ttl": 5})
    async with open_backend("custom-test://anything", options) as backend:
        assert type(backend.storage) is MemoryStorage
        assert await backend.storage.create_thread(thread("t1")) is not None
    async with open_backend("CUSTOM-TEST://else"):
        pass
    assert seen == [("custom-test://anything", options), ("CUSTOM-TEST://else", StoreOptions())]


async def test_cancelled_writes_leave_the_connection_usable(tmp_path: Path) -> None:
    store = SqliteStorage(str(tmp_path / "skeino.db"))
    await store.open()
    try:
        for delay in (0, 0.001, 0.002, 0.005):
            with anyio.move_on_after(delay):
                async with anyio.create_task_group() as group:
                    for index in range(20):
                        group.start_soon(store.create_assistant, assistant(f"a{delay}-{index}"))
        found, total = await store.search_assistants(AssistantQuery(), Page(limit=100))
        for record in found:  # every assistant that exists has its version 1, and no more
            versions = await store.list_assistant_versions(record["assistant_id"], {}, 10, 0)
            assert [v["version"] for v in versions] == [1]
        assert await store.create_thread(thread("after")) is not None
        assert total == len(found)
    finally:
        await store.close()


async def test_a_failing_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    """A transaction runs in one hop to the database thread, yet still all or nothing."""
    store = SqliteStorage(str(tmp_path / "skeino.db"))
    await store.open()
    try:

        def half_done(db: SyncSession) -> None:
            db.insert(THREADS, thread("t1"))
            raise ValueError("midway")

        with pytest.raises(ValueError, match="midway"):
            await store._atomic(half_done)
        assert await store.get_thread("t1") is None
        assert await store.create_thread(thread("t1")) is not None  # not left in a transaction
        assert await store.create_thread(thread("t1")) is None
    finally:
        await store.close()
