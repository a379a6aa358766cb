"""Thread TTLs and named leases, as SQLite and memory keep them (Postgres: `postgres_ttl`).

A thread's TTL row says when it expires (epoch seconds of the queue's clock) and what the
sweep then does to it; a row outlives nothing: deleting the thread deletes it. A lease
names a periodic job (the TTL sweep) that one process at a time should do: whoever holds
an unexpired lease does it, the others skip. The SQL is written once, with `?` markers.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from skeino.storage.sqlite_db import SyncSession

if TYPE_CHECKING:
    from skeino.storage.sqlite_conn import Database

SET_TTL = (
    "INSERT INTO thread_ttl (thread_id, strategy, minutes, expires_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (thread_id) DO UPDATE SET strategy = excluded.strategy,"
    " minutes = excluded.minutes, expires_at = excluded.expires_at"
)
TOUCH_TTL = "UPDATE thread_ttl SET expires_at = ? + minutes * 60 WHERE thread_id = ?"
EXPIRED = (
    "SELECT thread_id, strategy FROM thread_ttl WHERE expires_at <= ?"
    " ORDER BY expires_at, thread_id LIMIT ?"
)
FORGET_TTL = "DELETE FROM thread_ttl WHERE thread_id = ?"
TAKE_LEASE = (
    "INSERT INTO leases (name, holder, until) VALUES (?, ?, ?)"
    " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until"
    " WHERE leases.until <= ? OR leases.holder = excluded.holder RETURNING holder"
)


class SqliteSweeps:
    """The TTL and lease part of the storage protocol on the SQLite file."""

    if TYPE_CHECKING:

        @property
        def database(self) -> Database: ...

    async def set_thread_ttl(
        self, thread_id: str, strategy: str, minutes: float, now: float
    ) -> None:
        params = [thread_id, strategy, minutes, now + minutes * 60]
        await self.database.atomic(lambda db: db.run(SET_TTL, params))

    async def touch_thread_ttl(self, thread_id: str, now: float) -> None:
        await self.database.atomic(lambda db: db.run(TOUCH_TTL, [now, thread_id]))

    async def expired_threads(self, now: float, limit: int) -> list[tuple[str, str]]:
        rows = await self.database.read(lambda db: db.rows(EXPIRED, [now, max(limit, 0)]))
        return [(thread_id, strategy) for thread_id, strategy in rows]

    async def take_lease(self, name: str, holder: str, now: float, until: float) -> bool:
        return await self.database.atomic(partial(_take, params=[name, holder, until, now]))


def _take(db: SyncSession, params: list[object]) -> bool:
    return bool(db.rows(TAKE_LEASE, params))


class MemorySweeps:
    """The same over dicts, for `memory://` (one process, so the lease is a formality)."""

    def __init__(self) -> None:
        self._thread_ttl: dict[str, tuple[str, float, float]] = {}
        self._job_leases: dict[str, tuple[str, float]] = {}

    async def set_thread_ttl(
        self, thread_id: str, strategy: str, minutes: float, now: float
    ) -> None:
        self._thread_ttl[thread_id] = (strategy, minutes, now + minutes * 60)

    async def touch_thread_ttl(self, thread_id: str, now: float) -> None:
        if thread_id in self._thread_ttl:
            strategy, minutes, _ = self._thread_ttl[thread_id]
            self._thread_ttl[thread_id] = (strategy, minutes, now + minutes * 60)

    async def expired_threads(self, now: float, limit: int) -> list[tuple[str, str]]:
        due = sorted((at, tid, strategy) for tid, (strategy, _, at) in self._thread_ttl.items())
        return [(tid, strategy) for at, tid, strategy in due if at <= now][: max(limit, 0)]

    async def take_lease(self, name: str, holder: str, now: float, until: float) -> bool:
        current = self._job_leases.get(name)
        if current is not None and current[1] > now and current[0] != holder:
            return False
        self._job_leases[name] = (holder, until)
        return True

    def forget_thread_ttl(self, thread_id: str) -> None:
        self._thread_ttl.pop(thread_id, None)
