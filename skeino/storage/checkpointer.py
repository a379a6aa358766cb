"""LangGraph checkpointers chosen by the same URI as the storage.

Graph state lives in a langgraph checkpointer rather than in skeino's tables, so any
`BaseCheckpointSaver` can be plugged in by scheme; the built-ins put SQLite checkpoints in
the very file of `SqliteStorage` (through their own connection), so one file is one server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import aiosqlite
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from skeino.storage.sqlite_db import PRAGMAS, ensure_parent
from skeino.storage.uri import DEFAULT_URI, scheme_of, sqlite_path

CheckpointerFactory = Callable[[str], AbstractAsyncContextManager[BaseCheckpointSaver]]
_factories: dict[str, CheckpointerFactory] = {}


def register_checkpointer(scheme: str, factory: CheckpointerFactory) -> None:
    """Make `open_checkpointer` use `factory(uri)` for URIs of `scheme` (replacing any before).

    The factory returns an async context manager that yields a ready saver and releases
    its resources on exit, e.g. `AsyncPostgresSaver.from_conn_string`.
    """
    _factories[scheme.lower()] = factory


def open_checkpointer(uri: str = DEFAULT_URI) -> AbstractAsyncContextManager[BaseCheckpointSaver]:
    """`async with open_checkpointer(uri) as saver:` the checkpointer for `uri`."""
    scheme = scheme_of(uri)
    factory = _factories.get(scheme)
    if factory is None:
        raise ValueError(f"no checkpointer registered for {scheme}:// (in {uri!r})")
    return factory(uri)


@asynccontextmanager
async def _memory_saver(uri: str) -> AsyncIterator[BaseCheckpointSaver]:
    yield InMemorySaver()


@asynccontextmanager
async def _sqlite_saver(uri: str) -> AsyncIterator[BaseCheckpointSaver]:
    """AsyncSqliteSaver on its own connection, tuned like the storage's (WAL, NORMAL sync)."""
    path = sqlite_path(uri)
    ensure_parent(path)
    async with aiosqlite.connect(path) as conn:
        for pragma in PRAGMAS:
            await conn.execute_fetchall(pragma)
        saver = AsyncSqliteSaver(conn)
        await saver.setup()
        yield saver


register_checkpointer("memory", _memory_saver)
register_checkpointer("sqlite", _sqlite_saver)
