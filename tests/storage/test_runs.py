"""Runs as a queue: listing, updates and the atomic claim, on both backends."""

from __future__ import annotations

import anyio
import pytest

from skeino.storage import Run, Storage
from skeino.storage.sqlite import SqliteStorage
from tests.storage.records import run, thread, ts

pytestmark = pytest.mark.anyio


async def _queue(storage: Storage, *runs: Run) -> None:
    await storage.create_thread(thread("t1"))
    for record in runs:
        await storage.create_run(record)


async def test_create_get_update_delete(storage: Storage) -> None:
    record = run("r1", kwargs={"input": {"x": [1, None]}}, metadata={"m": 1})
    await _queue(storage)
    assert await storage.create_run(record) == record
    with pytest.raises(ValueError):
        await storage.create_run(record)
    assert await storage.get_run("t1", "r1") == record
    assert await storage.get_run("t2", "r1") is None
    updated = await storage.update_run("r1", {"status": "success", "updated_at": ts(3)})
    assert updated == {**record, "status": "success", "updated_at": ts(3)}
    assert await storage.get_run("t1", "r1") == updated
    assert await storage.update_run("nope", {"status": "error"}) is None
    assert await storage.delete_run("t2", "r1") is False
    assert await storage.delete_run("t1", "r1") is True
    assert await storage.get_run("t1", "r1") is None


async def test_list_runs_newest_first(storage: Storage) -> None:
    await _queue(
        storage,
        run("r1", created_at=ts(1)),
        run("r2", created_at=ts(2), status="success"),
        run("r3", created_at=ts(2)),
        run("other", "t2", created_at=ts(5)),
    )
    listed = await storage.list_runs("t1", None, 10, 0)
    assert [r["run_id"] for r in listed] == ["r3", "r2", "r1"]
    assert [r["run_id"] for r in await storage.list_runs("t1", "pending", 10, 0)] == ["r3", "r1"]
    assert [r["run_id"] for r in await storage.list_runs("t1", None, 1, 1)] == ["r2"]


async def test_claim_takes_the_oldest_due_run_one_at_a_time(storage: Storage) -> None:
    await _queue(
        storage,
        run("late", created_at=ts(0), kwargs={"not_before": ts(100)}),
        run("second", created_at=ts(2)),
        run("first", created_at=ts(1), kwargs={"not_before": ts(5)}),
    )
    claimed = await storage.claim_run("t1", ts(10))
    assert claimed is not None
    assert (claimed["run_id"], claimed["status"], claimed["updated_at"]) == (
        "first",
        "running",
        ts(10),
    )
    assert await storage.get_run("t1", "first") == claimed
    assert await storage.claim_run("t1", ts(10)) is None  # one running run per thread
    await storage.update_run("first", {"status": "success"})
    assert (await storage.claim_run("t1", ts(10)))["run_id"] == "second"  # type: ignore[index]
    await storage.update_run("second", {"status": "success"})
    assert await storage.claim_run("t1", ts(99)) is None  # not_before not reached
    assert (await storage.claim_run("t1", ts(100)))["run_id"] == "late"  # type: ignore[index]
    assert await storage.claim_run("other-thread", ts(100)) is None


async def test_concurrent_claims_never_both_succeed(storage: Storage) -> None:
    await _queue(storage, run("r1", created_at=ts(1)), run("r2", created_at=ts(2)))
    results: list[Run | None] = []

    async def claim() -> None:
        results.append(await storage.claim_run("t1", ts(10)))

    async with anyio.create_task_group() as group:
        for _ in range(5):
            group.start_soon(claim)
    assert [r["run_id"] for r in results if r is not None] == ["r1"]


async def test_claims_from_two_connections_on_one_file(tmp_path: object) -> None:
    path = f"{tmp_path}/shared.db"
    first, second = SqliteStorage(path), SqliteStorage(path)
    await first.open()
    await second.open()
    try:
        await _queue(first, run("r1", created_at=ts(1)), run("r2", created_at=ts(2)))
        results: list[Run | None] = []

        async def claim(store: Storage) -> None:
            results.append(await store.claim_run("t1", ts(10)))

        async with anyio.create_task_group() as group:
            for store in (first, second, first, second):
                group.start_soon(claim, store)
        assert [r["run_id"] for r in results if r is not None] == ["r1"]
    finally:
        await first.close()
        await second.close()


async def test_runs_with_status_oldest_first(storage: Storage) -> None:
    await _queue(
        storage,
        run("r3", created_at=ts(3), status="running"),
        run("r1", created_at=ts(1)),
        run("r2", created_at=ts(2), status="success"),
        run("r0", "t2", created_at=ts(1)),
    )
    found = await storage.runs_with_status(["pending", "running"])
    assert [r["run_id"] for r in found] == ["r0", "r1", "r3"]
    assert await storage.runs_with_status([]) == []
