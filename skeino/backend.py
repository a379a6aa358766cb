"""One database URI opens everything skeino keeps: records, queue, crons, events, graph
checkpoints and the store, together, from one registry of schemes.

`memory://` keeps it all in the process (one process only); `sqlite:///path.db` puts it all
in one file, which several processes on one machine may share; `postgresql://…` (the
`postgres` extra) in one database that processes on many machines share. Another scheme
plugs in with `register_backend`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.base import BaseStore, IndexConfig, TTLConfig

from skeino.checkpoint import open_sqlite_saver
from skeino.crons.storage import CronStore, MemoryCronStore, SqliteCronStore
from skeino.storage.base import EventLog, Storage
from skeino.storage.memory import MemoryStorage
from skeino.storage.sqlite import SqliteStorage
from skeino.storage.sqlite_conn import Database, setup_lock
from skeino.storage.store import MemoryStore, sqlite_store
from skeino.storage.uri import DEFAULT_URI, scheme_of, sqlite_path


@dataclass(frozen=True)
class StoreOptions:
    """`langgraph.json`'s `store` section, as the backend's store takes it."""

    index: IndexConfig | None = None
    ttl: TTLConfig | None = None


class Signals(Protocol):
    """Wake-ups other processes sent through the database (`kind`, `id`): "queued" (a
    thread's run back in the queue), "cancel", "events", "ended" (a run's). Polling is the
    fallback."""

    def signals(self) -> AsyncIterator[tuple[str, str]]: ...


@dataclass(frozen=True)
class Backend:
    """What one database holds. `events` is None where processes cannot share the database:
    streams then need nothing but the process's own memory. `signals` is None where the
    database cannot wake other processes: they poll."""

    storage: Storage
    crons: CronStore
    events: EventLog | None
    checkpointer: BaseCheckpointSaver[Any]
    store: BaseStore
    signals: Signals | None = None


BackendOpener = Callable[[str, StoreOptions], AbstractAsyncContextManager[Backend]]
_openers: dict[str, BackendOpener] = {}


def register_backend(scheme: str, opener: BackendOpener) -> None:
    """Make `open_backend` use `opener(uri, store_options)` for URIs of `scheme`."""
    _openers[scheme.lower()] = opener


def open_backend(
    uri: str = DEFAULT_URI, store: StoreOptions | None = None
) -> AbstractAsyncContextManager[Backend]:
    """`async with open_backend(uri) as backend:` everything, ready; closed on exit."""
    scheme = scheme_of(uri)
    opener = _openers.get(scheme)
    if opener is None:
        raise ValueError(f"no backend registered for {scheme}:// (in {uri!r})")
    return opener(uri, store or StoreOptions())


@asynccontextmanager
async def _memory(uri: str, options: StoreOptions) -> AsyncIterator[Backend]:
    store = MemoryStore(index=options.index, ttl=options.ttl)
    yield Backend(MemoryStorage(), MemoryCronStore(), None, InMemorySaver(), store)


@asynccontextmanager
async def _sqlite(uri: str, options: StoreOptions) -> AsyncIterator[Backend]:
    """skeino's tables on one connection; the checkpointer (group-committing) and the store
    on their own.
    Set-up runs under the file's lock, so processes starting together take turns."""
    path = sqlite_path(uri)
    async with AsyncExitStack() as stack:
        async with setup_lock(path):
            db = await Database.open(path)
            stack.push_async_callback(db.close)
            saver = await stack.enter_async_context(open_sqlite_saver(path))
            store = await stack.enter_async_context(sqlite_store(path, options.index, options.ttl))
        storage = SqliteStorage(path, db)
        await storage.open()
        yield Backend(storage, SqliteCronStore(db), storage, saver, store)


@asynccontextmanager
async def _postgres(uri: str, options: StoreOptions) -> AsyncIterator[Backend]:
    try:
        from skeino.backend_postgres import open_postgres
    except ImportError as exc:
        raise ValueError(
            f"{uri.partition(':')[0]}:// needs the postgres extra: "
            f"pip install 'skeino[postgres]' ({exc})"
        ) from None
    async with open_postgres(uri, options) as backend:
        yield backend


register_backend("memory", _memory)
register_backend("sqlite", _sqlite)
register_backend("postgresql", _postgres)
register_backend("postgres", _postgres)
