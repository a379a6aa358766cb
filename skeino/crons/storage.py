"""Where crons live: a small `CronStore` protocol, in memory or in the SQLite file.

SQLite keeps crons in the `crons` table of the server's file (made by the numbered
migrations), on skeino's one connection to it; `skeino.backend` opens the right store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, TypedDict, cast

import orjson

from skeino.storage.base import Page
from skeino.storage.filters import apply_changes, contains, copy, paginate
from skeino.storage.sqlite_conn import Database
from skeino.storage.sqlite_db import SyncSession, Table, Where, dumps


class Cron(TypedDict):
    """A cron as the wire shows it; instants are UTC ISO-8601 text."""

    cron_id: str
    assistant_id: str
    thread_id: str | None
    user_id: str
    end_time: str | None
    schedule: str
    timezone: str | None
    payload: dict[str, Any]
    next_run_date: str | None
    metadata: dict[str, Any]
    on_run_completed: str | None
    enabled: bool
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class CronQuery:
    """Filters of search and count; None means "any"."""

    assistant_id: str | None = None
    thread_id: str | None = None
    enabled: bool | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


SORTABLE = frozenset(
    {
        "cron_id",
        "assistant_id",
        "thread_id",
        "created_at",
        "updated_at",
        "next_run_date",
        "end_time",
    }
)


class CronStore(Protocol):
    """Async persistence of crons. A cron is *live* when enabled, with a next run date not
    past its end time; only live crons are due or counted by `next_due`, so an exhausted
    cron can never keep the scheduler awake."""

    async def create(self, cron: Cron, creator: dict[str, Any] | None = None) -> None:
        """Insert; `creator` is the user the cron fires as (never shown on the wire)."""

    async def get(self, cron_id: str) -> Cron | None: ...

    async def creator(self, cron_id: str) -> dict[str, Any] | None:
        """The user who made the cron, when auth was on then."""

    async def update(self, cron_id: str, changes: dict[str, Any]) -> Cron | None:
        """Set fields; `metadata` is merged key by key. None when the cron is missing."""

    async def delete(self, cron_id: str) -> bool: ...

    async def search(self, query: CronQuery, page: Page) -> tuple[list[Cron], int]:
        """Sorted by `page.sort_by` (default created_at), descending unless asked asc."""

    async def due(self, now: str) -> list[Cron]:
        """Live crons whose next run date is at or before `now`, earliest first."""

    async def next_due(self) -> str | None:
        """The earliest next run date of any live cron."""

    async def advance(self, cron_id: str, due: str, following: str | None) -> bool:
        """Move a cron's next run date from `due` to `following` (None: it rests). False
        when another process (or a PATCH) moved it first: each firing is claimed once."""


def _live(cron: Cron) -> bool:
    nxt, end = cron["next_run_date"], cron["end_time"]
    return cron["enabled"] and nxt is not None and (end is None or nxt <= end)


def _matches(cron: Cron, query: CronQuery) -> bool:
    return (
        query.assistant_id in (None, cron["assistant_id"])
        and query.thread_id in (None, cron["thread_id"])
        and query.enabled in (None, cron["enabled"])
        and contains(cron["metadata"], query.metadata)
    )


def order_of(page: Page) -> tuple[str, bool]:
    column = page.sort_by or "created_at"
    if column not in SORTABLE:
        raise ValueError(f"cannot sort crons by {column!r}")
    return column, page.sort_order != "asc"


class MemoryCronStore:
    """Crons in a dict: for tests and `memory://` servers (gone on restart)."""

    def __init__(self) -> None:
        self.crons: dict[str, Cron] = {}
        self.creators: dict[str, dict[str, Any]] = {}

    async def create(self, cron: Cron, creator: dict[str, Any] | None = None) -> None:
        self.crons[cron["cron_id"]] = copy(cron)
        if creator is not None:
            self.creators[cron["cron_id"]] = copy(creator)

    async def get(self, cron_id: str) -> Cron | None:
        found = self.crons.get(cron_id)
        return copy(found) if found is not None else None

    async def creator(self, cron_id: str) -> dict[str, Any] | None:
        return copy(self.creators.get(cron_id))

    async def update(self, cron_id: str, changes: dict[str, Any]) -> Cron | None:
        current = self.crons.get(cron_id)
        if current is None:
            return None
        updated = cast(Cron, apply_changes(current, copy(changes), "cron_id"))
        self.crons[cron_id] = updated
        return copy(updated)

    async def delete(self, cron_id: str) -> bool:
        self.creators.pop(cron_id, None)
        return self.crons.pop(cron_id, None) is not None

    async def search(self, query: CronQuery, page: Page) -> tuple[list[Cron], int]:
        column, descending = order_of(page)
        found = [c for c in self.crons.values() if _matches(c, query)]
        # SQLite puts NULL first ascending; sort the same way so both backends agree.
        found.sort(
            key=lambda c: (c[column] is not None, c[column] or "", c["cron_id"]),  # type: ignore[literal-required]
            reverse=descending,
        )
        return copy(paginate(found, page.limit, page.offset)), len(found)

    async def due(self, now: str) -> list[Cron]:
        found = [c for c in self.crons.values() if _live(c) and c["next_run_date"] <= now]  # type: ignore[operator]
        return copy(sorted(found, key=lambda c: (c["next_run_date"], c["cron_id"])))

    async def next_due(self) -> str | None:
        return min((c["next_run_date"] for c in self.crons.values() if _live(c)), default=None)  # type: ignore[type-var]

    async def advance(self, cron_id: str, due: str, following: str | None) -> bool:
        cron = self.crons.get(cron_id)
        if cron is None or cron["next_run_date"] != due:
            return False
        cron["next_run_date"] = following
        return True


CRONS = Table("crons", tuple(Cron.__annotations__), frozenset({"payload", "metadata", "enabled"}))
SET_CREATOR = "UPDATE crons SET creator = ? WHERE cron_id = ?"
GET_CREATOR = "SELECT creator FROM crons WHERE cron_id = ?"
LIVE = (
    "enabled = 'true' AND next_run_date IS NOT NULL"
    " AND (end_time IS NULL OR next_run_date <= end_time)"
)


class SqliteCronStore:
    """Crons in the `crons` table of the server's SQLite file."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, cron: Cron, creator: dict[str, Any] | None = None) -> None:
        def work(db: SyncSession) -> None:
            db.insert(CRONS, cron)
            if creator is not None:
                db.run(SET_CREATOR, [dumps(creator), cron["cron_id"]])

        await self.db.atomic(work)

    async def get(self, cron_id: str) -> Cron | None:
        return cast(Cron | None, await self.db.read(lambda db: db.get(CRONS, cron_id)))

    async def creator(self, cron_id: str) -> dict[str, Any] | None:
        rows = await self.db.read(lambda db: db.rows(GET_CREATOR, [cron_id]))
        return orjson.loads(rows[0][0]) if rows and rows[0][0] is not None else None

    async def update(self, cron_id: str, changes: dict[str, Any]) -> Cron | None:
        def work(db: SyncSession) -> dict[str, Any] | None:
            current = db.get(CRONS, cron_id)
            if current is None:
                return None
            updated = apply_changes(current, changes, "cron_id")
            db.replace(CRONS, updated)
            return updated

        updated = await self.db.atomic(work)
        return None if updated is None else cast(Cron, copy(updated))

    async def delete(self, cron_id: str) -> bool:
        return await self.db.atomic(lambda db: db.delete(CRONS, cron_id))

    async def search(self, query: CronQuery, page: Page) -> tuple[list[Cron], int]:
        column, descending = order_of(page)
        direction = "DESC" if descending else "ASC"
        where = Where().contains("metadata", query.metadata)
        for name in ("assistant_id", "thread_id"):
            if getattr(query, name) is not None:
                where.equals(name, getattr(query, name))
        if query.enabled is not None:
            where.equals("enabled", dumps(query.enabled))
        order = f'"{column}" {direction}, cron_id {direction}'

        def work(db: SyncSession) -> tuple[list[Cron], int]:
            ((total,),) = db.rows(f"SELECT count(*) FROM crons{where}", where.params)
            rows = db.select(CRONS, where, order, page.limit, page.offset)
            return cast(list[Cron], rows), total

        return await self.db.scan(work)

    async def due(self, now: str) -> list[Cron]:
        where = Where().add(LIVE).add("next_run_date <= ?", now)
        rows = await self.db.read(lambda db: db.select(CRONS, where, "next_run_date, cron_id"))
        return cast(list[Cron], rows)

    async def next_due(self) -> str | None:
        sql = f"SELECT min(next_run_date) FROM crons WHERE {LIVE}"
        ((earliest,),) = await self.db.read(lambda db: db.rows(sql, []))
        return cast(str | None, earliest)

    async def advance(self, cron_id: str, due: str, following: str | None) -> bool:
        sql = "UPDATE crons SET next_run_date = ? WHERE cron_id = ? AND next_run_date = ?"
        return await self.db.atomic(lambda db: db.run(sql, [following, cron_id, due]) > 0)
