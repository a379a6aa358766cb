"""Crons in the `crons` table of a Postgres database, on the backend's pool."""

from __future__ import annotations

from typing import Any, cast

from psycopg.types.json import Jsonb

from skeino.crons.storage import CRONS, GET_CREATOR, SET_CREATOR, Cron, CronQuery, order_of
from skeino.storage.base import Page
from skeino.storage.filters import apply_changes, copy
from skeino.storage.postgres_db import (
    PgDatabase,
    PgWhere,
    delete,
    fetch,
    get,
    insert,
    pg,
    replace,
    select,
)
from skeino.storage.postgres_db import run as execute

LIVE = (
    "enabled = 'true'::jsonb AND next_run_date IS NOT NULL"
    ' AND (end_time IS NULL OR next_run_date COLLATE "C" <= end_time COLLATE "C")'
)


class PostgresCronStore:
    def __init__(self, db: PgDatabase) -> None:
        self.db = db

    async def create(self, cron: Cron, creator: dict[str, Any] | None = None) -> None:
        async with self.db.transaction() as conn:
            await insert(conn, CRONS, cron)
            if creator is not None:
                await execute(conn, pg(SET_CREATOR), [Jsonb(creator), cron["cron_id"]])

    async def get(self, cron_id: str) -> Cron | None:
        async with self.db.transaction() as conn:
            return cast(Cron | None, await get(conn, CRONS, cron_id))

    async def creator(self, cron_id: str) -> dict[str, Any] | None:
        rows = await self.db.rows(pg(GET_CREATOR), [cron_id])
        return cast(dict[str, Any], rows[0][0]) if rows else None

    async def update(self, cron_id: str, changes: dict[str, Any]) -> Cron | None:
        async with self.db.transaction() as conn:
            current = await get(conn, CRONS, cron_id, " FOR UPDATE")
            if current is None:
                return None
            updated = apply_changes(current, changes, "cron_id")
            await replace(conn, CRONS, updated)
        return cast(Cron, copy(updated))

    async def delete(self, cron_id: str) -> bool:
        async with self.db.transaction() as conn:
            return await delete(conn, CRONS, cron_id)

    async def search(self, query: CronQuery, page: Page) -> tuple[list[Cron], int]:
        column, descending = order_of(page)
        # SQLite and memory put NULL first ascending, last descending: so does this
        order = (
            f'"{column}" COLLATE "C" DESC NULLS LAST, cron_id COLLATE "C" DESC'
            if descending
            else f'"{column}" COLLATE "C" ASC NULLS FIRST, cron_id COLLATE "C" ASC'
        )
        where = PgWhere().contains("metadata", query.metadata)
        for name in ("assistant_id", "thread_id"):
            if getattr(query, name) is not None:
                where.equals(name, getattr(query, name))
        if query.enabled is not None:
            where.add("enabled = %s", Jsonb(query.enabled))
        async with self.db.transaction() as conn:
            ((total,),) = await fetch(conn, f"SELECT count(*) FROM crons{where}", where.params)
            rows = await select(conn, CRONS, where, order, page.limit, page.offset)
        return cast(list[Cron], rows), total

    async def due(self, now: str) -> list[Cron]:
        where = PgWhere().add(LIVE).add('next_run_date COLLATE "C" <= %s', now)
        order = 'next_run_date COLLATE "C", cron_id COLLATE "C"'
        async with self.db.transaction() as conn:
            return cast(list[Cron], await select(conn, CRONS, where, order))

    async def next_due(self) -> str | None:
        sql = f'SELECT min(next_run_date COLLATE "C") FROM crons WHERE {LIVE}'
        ((earliest,),) = await self.db.rows(sql)
        return cast(str | None, earliest)

    async def advance(self, cron_id: str, due: str, following: str | None) -> bool:
        sql = "UPDATE crons SET next_run_date = %s WHERE cron_id = %s AND next_run_date = %s"
        async with self.db.transaction() as conn:
            return await execute(conn, sql, [following, cron_id, due]) > 0
