"""Thread TTLs and named leases on Postgres: the SQL of `storage.ttl`, with `%s` markers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from skeino.storage.postgres_db import fetch, pg, run
from skeino.storage.ttl import EXPIRED, SET_TTL, TAKE_LEASE, TOUCH_TTL

if TYPE_CHECKING:
    from skeino.storage.postgres_db import PgDatabase


class PostgresSweeps:
    """The TTL and lease part of the storage protocol on Postgres."""

    if TYPE_CHECKING:
        db: PgDatabase

    async def set_thread_ttl(
        self, thread_id: str, strategy: str, minutes: float, now: float
    ) -> None:
        async with self.db.transaction() as conn:
            await run(conn, pg(SET_TTL), [thread_id, strategy, minutes, now + minutes * 60])

    async def touch_thread_ttl(self, thread_id: str, now: float) -> None:
        async with self.db.transaction() as conn:
            await run(conn, pg(TOUCH_TTL), [now, thread_id])

    async def expired_threads(self, now: float, limit: int) -> list[tuple[str, str]]:
        rows = await self.db.rows(pg(EXPIRED), [now, max(limit, 0)])
        return [(thread_id, strategy) for thread_id, strategy in rows]

    async def take_lease(self, name: str, holder: str, now: float, until: float) -> bool:
        async with self.db.transaction() as conn:
            return bool(await fetch(conn, pg(TAKE_LEASE), [name, holder, until, now]))
