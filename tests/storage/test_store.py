"""The backend's store by URI, TTL on both built-ins, and `store.index` / `store.ttl` parsing."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.base import BaseStore, GetOp, IndexConfig, PutOp, TTLConfig
from langgraph.store.memory import InMemoryStore

from skeino.backend import Backend, StoreOptions, open_backend, register_backend
from skeino.crons.storage import MemoryCronStore
from skeino.manifest import ManifestError
from skeino.storage.memory import MemoryStorage
from skeino.storage.store import index_config, ttl_config

pytestmark = pytest.mark.anyio

EMBED_SOURCE = '''
import string

def embed(texts):
    """Bag of letters a-h: deterministic, so cosine similarity ranks predictably."""
    return [[float(t.lower().count(c)) for c in string.ascii_lowercase[:8]] for t in texts]

async def aembed(texts):
    return embed(texts)
'''
LOADABLE = hasattr(sqlite3.Connection, "enable_load_extension")


@asynccontextmanager
async def open_store(
    uri: str, *, index: IndexConfig | None = None, ttl: TTLConfig | None = None
) -> AsyncIterator[BaseStore]:
    """The store of the backend `uri` opens, with `store.index` / `store.ttl`."""
    async with open_backend(uri, StoreOptions(index=index, ttl=ttl)) as backend:
        yield backend.store


@pytest.fixture(params=["memory", "sqlite"])
def store_uri(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return "memory://" if request.param == "memory" else f"sqlite:///{tmp_path}/skeino.db"


@pytest.fixture
def embed_file(tmp_path: Path) -> Path:
    (tmp_path / "embed.py").write_text(EMBED_SOURCE)
    return tmp_path


async def test_round_trip(store_uri: str) -> None:
    async with open_store(store_uri) as store:
        await store.aput(("a", "b"), "k", {"n": 1})
        await store.aput(("a", "c"), "k", {"n": 2})
        item = await store.aget(("a", "b"), "k")
        assert item is not None and item.value == {"n": 1}
        found = await store.asearch(("a",), filter={"n": 2})
        assert [(i.namespace, i.key) for i in found] == [(("a", "c"), "k")]
        assert sorted(await store.alist_namespaces(prefix=("a",))) == [("a", "b"), ("a", "c")]
        await store.adelete(("a", "b"), "k")
        assert await store.aget(("a", "b"), "k") is None


async def test_sqlite_store_shares_the_storage_file(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path}/one.db"
    async with open_backend(uri) as backend:
        await backend.store.aput(("x",), "k", {"v": True})
    with sqlite3.connect(tmp_path / "one.db") as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        assert "store" in tables and "threads" in tables
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_unknown_scheme_and_registration() -> None:
    with pytest.raises(ValueError, match="no backend registered for nope://"):
        open_backend("nope://x")

    @asynccontextmanager
    async def opener(uri: str, options: StoreOptions) -> AsyncIterator[Backend]:
        store = InMemoryStore(index=options.index)
        yield Backend(MemoryStorage(), MemoryCronStore(), None, InMemorySaver(), store)

    register_backend("Custom", opener)
    async with open_store("custom://anything") as store:
        assert isinstance(store, InMemoryStore)


async def test_memory_ttl_expires_and_refreshes_on_read() -> None:
    async with open_store("memory://", ttl={"refresh_on_read": True}) as store:
        await store.aput(("t",), "short", {}, ttl=0.5 / 60)
        await store.aput(("t",), "kept", {}, ttl=None)
        await anyio.sleep(0.3)
        assert await store.aget(("t",), "short") is not None  # pushes expiry back 0.5 s
        await anyio.sleep(0.3)
        assert await store.aget(("t",), "short", refresh_ttl=False) is not None
        await anyio.sleep(0.3)
        assert await store.aget(("t",), "short") is None
        assert [i.key for i in await store.asearch(("t",))] == ["kept"]


async def test_memory_default_ttl_purges_namespaces() -> None:
    async with open_store("memory://", ttl={"default_ttl": 0.2 / 60}) as store:
        await store.aput(("gone",), "k", {})
        assert await store.alist_namespaces() == [("gone",)]
        await anyio.sleep(0.3)
        assert await store.alist_namespaces() == []


async def test_sqlite_ttl_sweeps(tmp_path: Path) -> None:
    """SQLite compares expiry with its whole-second CURRENT_TIMESTAMP, hence 1.1 s of slack.
    The store runs no sweeper of its own: `services.ttl` sweeps, one process at a time."""
    ttl: TTLConfig = {"default_ttl": 0.5 / 60, "sweep_interval_minutes": 60}
    async with open_store(f"sqlite:///{tmp_path}/t.db", ttl=ttl) as store:
        assert "ttl_sweeper" not in _task_names()
        await store.aput(("t",), "k", {})
        await store.aput(("t",), "forever", {}, ttl=None)
        await anyio.sleep(1.6)
        assert await store.sweep_ttl() == 1  # type: ignore[attr-defined]
        assert [i.key for i in await store.asearch(("t",))] == ["forever"]
    assert "ttl_sweeper" not in _task_names()


def _task_names() -> set[str]:
    return {task.get_name() for task in asyncio.all_tasks() if not task.done()}


@pytest.mark.parametrize("function", ["embed", "aembed"])
async def test_index_ranks_by_query(embed_file: Path, function: str) -> None:
    config = index_config(
        {"embed": f"./embed.py:{function}", "dims": 8, "fields": ["text"]}, embed_file
    )
    async with open_store("memory://", index=config) as store:
        for key, text in {"a": "aaaa", "b": "bbbb", "ab": "abab"}.items():
            await store.aput(("docs",), key, {"text": text})
        await store.aput(("docs",), "unindexed", {"text": "aaaa"}, index=False)
        ranked = await store.asearch(("docs",), query="aa")
        scores = [(i.key, None if i.score is None else round(i.score, 3)) for i in ranked]
        assert scores == [("a", 1.0), ("ab", 0.707), ("b", 0.0), ("unindexed", None)]


@pytest.mark.skipif(LOADABLE, reason="this Python's sqlite3 can load sqlite-vec")
async def test_sqlite_index_needs_loadable_extensions(embed_file: Path, tmp_path: Path) -> None:
    config = index_config({"embed": "./embed.py:embed", "dims": 8}, embed_file)
    with pytest.raises(ValueError, match="cannot load extensions"):
        async with open_store(f"sqlite:///{tmp_path}/v.db", index=config):
            pass


def test_index_config_errors(embed_file: Path) -> None:
    with pytest.raises(ManifestError, match="'dims': int"):
        index_config({"embed": "./embed.py:embed"}, embed_file)
    with pytest.raises(ManifestError, match="fields"):
        index_config({"embed": "./embed.py:embed", "dims": 8, "fields": "text"}, embed_file)
    with pytest.raises(ManifestError, match="file not found"):
        index_config({"embed": "./missing.py:embed", "dims": 8}, embed_file)
    with pytest.raises(ManifestError, match="no attribute"):
        index_config({"embed": "./embed.py:nope", "dims": 8}, embed_file)


def test_index_config_takes_a_module_function(embed_file: Path) -> None:
    config = index_config({"embed": "string:capwords", "dims": 3}, embed_file)
    assert config["dims"] == 3 and "fields" not in config
    assert callable(getattr(config["embed"], "embed_documents", None))


def test_ttl_config() -> None:
    raw = {"refresh_on_read": False, "default_ttl": 1.5, "sweep_interval_minutes": 2}
    assert ttl_config(raw) == raw
    with pytest.raises(ManifestError, match="unknown key 'default'"):
        ttl_config({"default": 1})
    with pytest.raises(ManifestError, match="refresh_on_read"):
        ttl_config({"refresh_on_read": "yes"})
    with pytest.raises(ManifestError, match="sweep_interval_minutes"):
        ttl_config({"sweep_interval_minutes": True})


async def test_sqlite_store_batches_survive_commits_of_other_connections(tmp_path: Path) -> None:
    """A batch that reads then writes must not fail with "database is locked" when another
    connection of the file (the checkpointer, skeino's tables) commits in between: its
    deferred transaction is run again, as SQLite prescribes for a stale snapshot."""
    path = str(tmp_path / "x.db")
    async with open_backend(f"sqlite:///{path}") as backend:
        with sqlite3.connect(path, isolation_level=None, check_same_thread=False) as other:
            other.execute("CREATE TABLE IF NOT EXISTS noise (n INTEGER)")

            async def commit_noise() -> None:
                for n in range(200):
                    await anyio.to_thread.run_sync(
                        other.execute, "INSERT INTO noise VALUES (?)", [n]
                    )

            async with anyio.create_task_group() as tg:
                tg.start_soon(commit_noise)
                for n in range(200):
                    ops = [GetOp(("a",), "k"), PutOp(("a",), f"k{n}", {"n": n})]
                    await backend.store.abatch(ops)
        assert len(await backend.store.asearch(("a",), limit=500)) == 200
