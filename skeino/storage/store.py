"""The langgraph `BaseStore` behind `/store` and graphs' `store`, opened by the backend.

The built-ins share the server's database: SQLite puts `AsyncSqliteStore` tables in the
very file of the storage (through its own connection); `memory://` keeps items in the
process. `index_config` and `ttl_config` turn `langgraph.json`'s `store.index` /
`store.ttl` into what the stores take.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite
import anyio
from langgraph.store.base import (
    BaseStore,
    GetOp,
    IndexConfig,
    Item,
    Op,
    PutOp,
    Result,
    SearchOp,
    TTLConfig,
)
from langgraph.store.base.embed import ensure_embeddings
from langgraph.store.memory import InMemoryStore
from langgraph.store.sqlite.aio import AsyncSqliteStore

from skeino.storage.sqlite_conn import PRAGMAS, ensure_parent


class MemoryStore(InMemoryStore):
    """`InMemoryStore` with the per-item TTL it lacks, so `memory://` accepts `ttl` as the
    SQLite store and the official server do. Expired items are purged before every batch,
    and by `sweep_ttl` like the other stores."""

    supports_ttl = True

    def __init__(self, *, index: IndexConfig | None = None, ttl: TTLConfig | None = None) -> None:
        super().__init__(index=index)
        self.ttl_config = ttl
        self._expiry: dict[tuple[tuple[str, ...], str], tuple[float, float]] = {}

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        ops = list(ops)
        self._purge()
        results = super().batch(ops)
        self._track(ops, results)
        return results

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        ops = list(ops)
        self._purge()
        results = await super().abatch(ops)
        self._track(ops, results)
        return results

    async def sweep_ttl(self) -> int:
        """Delete expired items now; how many."""
        return self._purge()

    def _purge(self) -> int:
        now = time.time()
        expired = [k for k, (_, at) in self._expiry.items() if at <= now]
        for namespace, key in expired:
            del self._expiry[(namespace, key)]
            items = self._data.get(namespace, {})
            items.pop(key, None)
            if not items:
                self._data.pop(namespace, None)
            self._vectors.get(namespace, {}).pop(key, None)
        return len(expired)

    def _track(self, ops: list[Op], results: list[Result]) -> None:
        """Record the TTL of puts; push back the expiry of what reads returned."""
        now = time.time()
        for op, result in zip(ops, results, strict=True):
            if isinstance(op, PutOp):
                if op.value is None or op.ttl is None:
                    self._expiry.pop((op.namespace, op.key), None)
                else:
                    self._expiry[(op.namespace, op.key)] = (op.ttl, now + op.ttl * 60)
            elif isinstance(op, GetOp | SearchOp) and op.refresh_ttl and result:
                for item in result if isinstance(result, list) else [result]:
                    if isinstance(item, Item):
                        self._refresh((item.namespace, item.key), now)

    def _refresh(self, item: tuple[tuple[str, ...], str], now: float) -> None:
        if item in self._expiry:
            minutes = self._expiry[item][0]
            self._expiry[item] = (minutes, now + minutes * 60)


class SqliteStore(AsyncSqliteStore):
    """`AsyncSqliteStore` whose batches survive another connection's commit.

    A batch is one deferred transaction: its reads take a snapshot and its first write must
    upgrade it. When another connection of the file (the checkpointer, skeino's tables, a
    second process) committed in between, SQLite refuses the upgrade at once with "database
    is locked" (SQLITE_BUSY_SNAPSHOT, which busy_timeout does not wait out), and its remedy
    is to run the transaction again. The refused write was the batch's first, so the failed
    attempt wrote nothing."""

    attempts = 30

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        ops = list(ops)
        for attempt in range(1, self.attempts):
            try:
                return await super().abatch(ops)
            except sqlite3.OperationalError as exc:
                if "database is locked" not in str(exc):
                    raise
                await anyio.sleep(min(0.05, 0.001 * 2**attempt))
        return await super().abatch(ops)


@asynccontextmanager
async def sqlite_store(
    path: str, index: IndexConfig | None = None, ttl: TTLConfig | None = None
) -> AsyncIterator[BaseStore]:
    """AsyncSqliteStore on its own autocommit connection (it issues BEGIN/COMMIT itself),
    tuned like the storage's. Expired items are swept by `services.ttl`, one process at a
    time, not by the store's own per-process sweeper."""
    if index is not None and not hasattr(sqlite3.Connection, "enable_load_extension"):
        raise ValueError(
            "store.index on SQLite needs the sqlite-vec extension, but this Python's sqlite3 "
            "cannot load extensions; use memory:// or a Python built with "
            "--enable-loadable-sqlite-extensions"
        )
    ensure_parent(path)
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        for pragma in PRAGMAS:
            await conn.execute_fetchall(pragma)
        store = SqliteStore(conn, index=index, ttl=ttl)
        await store.setup()
        yield store


def index_config(raw: Mapping[str, Any], base_dir: Path) -> IndexConfig:
    """`store.index` of `langgraph.json`: `embed` names a function (`./file.py:fn` or
    `module:fn`, sync or async, texts → vectors), wrapped as the langchain `Embeddings` the
    stores call, or a provider string (`openai:text-embedding-3-small`) for langchain's
    `init_embeddings`."""
    from skeino.manifest import ManifestError, load_object  # the manifest imports the app

    embed, dims, fields = raw.get("embed"), raw.get("dims"), raw.get("fields")
    if not isinstance(embed, str) or type(dims) is not int:
        raise ManifestError("store.index: expected {'embed': 'file.py:fn', 'dims': int, ...}")
    if fields is not None and not (
        isinstance(fields, list) and all(isinstance(f, str) for f in fields)
    ):
        raise ManifestError("store.index.fields: expected a list of field paths")
    try:
        function: Any = load_object(embed, base_dir)
    except ManifestError:
        if embed.partition(":")[0].endswith(".py") or "/" in embed:
            raise
        function = embed  # a provider string, not an importable module
    config: IndexConfig = {"dims": dims, "embed": ensure_embeddings(function)}
    if fields is not None:
        config["fields"] = fields
    return config


_TTL_KINDS: dict[str, tuple[type, ...]] = {
    "refresh_on_read": (bool,),
    "default_ttl": (int, float),
    "sweep_interval_minutes": (int,),
}


def ttl_config(raw: Mapping[str, Any]) -> TTLConfig:
    """`store.ttl` of `langgraph.json` (minutes), checked so a typo fails at start-up."""
    from skeino.manifest import ManifestError

    for key, value in raw.items():
        kinds = _TTL_KINDS.get(key)
        if kinds is None:
            raise ManifestError(
                f"store.ttl: unknown key {key!r}, expected one of {sorted(_TTL_KINDS)}"
            )
        if value is not None and not (
            isinstance(value, kinds) and isinstance(value, bool) == (bool in kinds)
        ):
            raise ManifestError(f"store.ttl.{key}: {value!r} is not valid")
    return TTLConfig(**raw)  # type: ignore[typeddict-item]
