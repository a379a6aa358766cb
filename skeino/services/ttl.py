"""Thread and store TTLs: assigned when threads are made, swept by one process at a time.

A thread expires `ttl` minutes after the create or update that set its TTL (or, with
`checkpointer.ttl.default_ttl`, after its creation, explicit or by a run); each sweep then
deletes it, or with `keep_latest` prunes its checkpoints to the latest and arms the TTL
again. A thread with a run in flight is left for a later sweep. Every process runs the
sweep loops, but a lease in the database lets one of them sweep per interval, however
many share the file or the Postgres server; the store's own TTL sweep runs under a lease
of its own.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.store.base import BaseStore, TTLConfig

from skeino.clock import Clock
from skeino.models.threads import ThreadTTL
from skeino.services.checkpoints import keep_latest
from skeino.settings import ThreadTtlSettings
from skeino.storage.base import Storage

logger = logging.getLogger("skeino.ttl")

THREADS_LEASE = "ttl:threads"
STORE_LEASE = "ttl:store"


class ThreadTtl:
    """Gives threads their TTL: the one asked for, else `checkpointer.ttl`'s default."""

    def __init__(self, storage: Storage, clock: Clock, settings: ThreadTtlSettings) -> None:
        self.storage = storage
        self.clock = clock
        self.settings = settings

    async def assign(self, thread_id: str, ttl: ThreadTTL | None = None) -> None:
        """Set the thread's TTL; without `ttl.ttl` the default one, if any, applies."""
        minutes = ttl.ttl if ttl is not None and ttl.ttl is not None else None
        minutes = self.settings.default_ttl if minutes is None else minutes
        if minutes is None:
            return
        strategy = ttl.strategy if ttl is not None else self.settings.strategy
        await self.storage.set_thread_ttl(thread_id, strategy, minutes, self.clock.time())


class Sweeper:
    """The periodic sweeps of expired threads and store items."""

    def __init__(
        self,
        storage: Storage,
        checkpointer: BaseCheckpointSaver[Any],
        store: BaseStore,
        clock: Clock,
        holder: str,
        settings: ThreadTtlSettings,
        store_ttl: TTLConfig | None = None,
    ) -> None:
        self.storage = storage
        self.checkpointer = checkpointer
        self.store = store
        self.clock = clock
        self.holder = holder
        self.settings = settings
        self.store_interval = (store_ttl or {}).get("sweep_interval_minutes")

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Sweeper]:
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._every, self.settings.sweep_interval_minutes, self.sweep_threads)
            if self.store_interval:
                tg.start_soon(self._every, self.store_interval, self.sweep_store)
            try:
                yield self
            finally:
                tg.cancel_scope.cancel()

    async def _every(self, minutes: float, sweep: Callable[[], Awaitable[int | None]]) -> None:
        while True:
            await anyio.sleep(minutes * 60)
            try:
                await sweep()
            except Exception:  # a failed sweep is tried again next interval
                logger.exception("TTL sweep failed")

    async def _lease(self, name: str, minutes: float) -> bool:
        """This interval's turn at `name`: True for the one process that takes it."""
        now = self.clock.time()
        return await self.storage.take_lease(name, self.holder, now, now + minutes * 60)

    async def sweep_threads(self) -> int | None:
        """Apply the strategy of every expired thread (up to `sweep_limit`); how many were
        swept, or None when another process holds this interval's lease."""
        if not await self._lease(THREADS_LEASE, self.settings.sweep_interval_minutes):
            return None
        now = self.clock.time()
        swept = 0
        for thread_id, strategy in await self.storage.expired_threads(
            now, self.settings.sweep_limit
        ):
            thread = await self.storage.get_thread(thread_id)
            if thread is not None and thread["status"] == "busy":
                continue
            if strategy == "keep_latest" and thread is not None:
                await keep_latest(self.checkpointer, thread_id)
                await self.storage.touch_thread_ttl(thread_id, now)
            else:
                await self.storage.delete_thread(thread_id)
                await self.checkpointer.adelete_thread(thread_id)
            swept += 1
        return swept

    async def sweep_store(self) -> int | None:
        """Delete expired store items; None when another process sweeps this interval."""
        assert self.store_interval
        if not await self._lease(STORE_LEASE, self.store_interval):
            return None
        sweep = getattr(self.store, "sweep_ttl", None)
        return int(await sweep()) if sweep is not None else 0


_TTL_KINDS: dict[str, tuple[type, ...]] = {
    "strategy": (str,),
    "default_ttl": (int, float),
    "sweep_interval_minutes": (int, float),
    "sweep_limit": (int,),
}


def thread_ttl_config(raw: Any) -> ThreadTtlSettings:
    """`checkpointer.ttl` of `langgraph.json`, checked so a typo fails at start-up."""
    from skeino.manifest import ManifestError  # the manifest imports the app

    if not isinstance(raw, dict):
        raise ManifestError("checkpointer.ttl: expected an object")
    for key, value in raw.items():
        kinds = _TTL_KINDS.get(key)
        if kinds is None:
            raise ManifestError(
                f"checkpointer.ttl: unknown key {key!r}, expected one of {sorted(_TTL_KINDS)}"
            )
        if value is not None and (not isinstance(value, kinds) or isinstance(value, bool)):
            raise ManifestError(f"checkpointer.ttl.{key}: {value!r} is not valid")
    try:
        return ThreadTtlSettings(**{k: v for k, v in raw.items() if v is not None})
    except ValueError as exc:
        raise ManifestError(str(exc)) from None
