"""Both cron stores answer alike: what is live, due and next, claims, search order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from skeino.backend import open_backend
from skeino.crons.storage import Cron, CronQuery, CronStore, MemoryCronStore, SqliteCronStore
from skeino.storage.base import Page
from skeino.storage.sqlite_conn import Database

pytestmark = pytest.mark.anyio

T1, T2, T3 = "2026-01-01T00:00:00+00:00", "2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00"


@pytest.fixture(params=["memory", "sqlite"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[CronStore]:
    if request.param == "memory":
        yield MemoryCronStore()
        return
    db = await Database.open(str(tmp_path / "crons.db"))
    try:
        yield SqliteCronStore(db)
    finally:
        await db.close()


def cron(cron_id: str, **fields: Any) -> Cron:
    record: dict[str, Any] = {
        "cron_id": cron_id,
        "assistant_id": "a",
        "thread_id": None,
        "user_id": "",
        "end_time": None,
        "schedule": "0 0 * * *",
        "timezone": None,
        "payload": {"assistant_id": "a"},
        "next_run_date": T1,
        "metadata": {},
        "on_run_completed": "delete",
        "enabled": True,
        "created_at": T1,
        "updated_at": T1,
    }
    return Cron(**{**record, **fields})  # type: ignore[typeddict-item]


async def test_round_trip_and_update(store: CronStore) -> None:
    await store.create(cron("c1", metadata={"a": 1}, enabled=False))
    assert await store.get("c1") == cron("c1", metadata={"a": 1}, enabled=False)
    updated = await store.update("c1", {"metadata": {"b": 2}, "enabled": True})
    assert updated is not None and updated["metadata"] == {"a": 1, "b": 2}
    assert updated["enabled"] is True and await store.get("c1") == updated
    assert await store.update("missing", {"enabled": True}) is None
    assert await store.delete("c1") and not await store.delete("c1")


async def test_only_live_crons_are_due(store: CronStore) -> None:
    await store.create(cron("due", next_run_date=T1))
    await store.create(cron("later", next_run_date=T3))
    await store.create(cron("disabled", next_run_date=T1, enabled=False))
    await store.create(cron("ended", next_run_date=T2, end_time=T1))
    assert [c["cron_id"] for c in await store.due(T2)] == ["due"]
    assert await store.next_due() == T1
    assert await store.advance("due", T1, T3)
    assert not await store.advance("due", T1, T3)  # that firing was claimed already
    assert await store.due(T2) == []
    assert await store.next_due() == T3


async def test_nothing_live_means_nothing_next(store: CronStore) -> None:
    assert await store.next_due() is None
    await store.create(cron("ended", next_run_date=T2, end_time=T1))
    assert await store.next_due() is None


async def test_search_filters_and_order(store: CronStore) -> None:
    await store.create(cron("c1", thread_id="t", created_at=T1, end_time=T3))
    await store.create(cron("c2", created_at=T2, metadata={"k": "v"}))
    await store.create(cron("c3", created_at=T3, enabled=False, end_time=T2))
    rows, total = await store.search(CronQuery(), Page(limit=2))
    assert [r["cron_id"] for r in rows] == ["c3", "c2"] and total == 3
    rows, _ = await store.search(CronQuery(), Page(sort_by="end_time", sort_order="asc"))
    assert [r["cron_id"] for r in rows] == ["c2", "c3", "c1"]  # no end time sorts first
    rows, _ = await store.search(CronQuery(), Page(sort_by="end_time"))
    assert [r["cron_id"] for r in rows] == ["c1", "c3", "c2"]
    for query, expected in [
        (CronQuery(thread_id="t"), ["c1"]),
        (CronQuery(enabled=False), ["c3"]),
        (CronQuery(metadata={"k": "v"}), ["c2"]),
        (CronQuery(assistant_id="other"), []),
    ]:
        rows, total = await store.search(query, Page())
        assert [r["cron_id"] for r in rows] == expected and total == len(expected)


async def test_stores_follow_the_database_uri(tmp_path: Path) -> None:
    async with open_backend("memory://") as memory:
        assert type(memory.crons) is MemoryCronStore
    async with open_backend(f"sqlite:///{tmp_path}/x.db") as sqlite:
        assert type(sqlite.crons) is SqliteCronStore
        await sqlite.crons.create(cron("c1"))
    async with open_backend(f"sqlite:///{tmp_path}/x.db") as reopened:
        assert await reopened.crons.get("c1") == cron("c1")  # in that very file
