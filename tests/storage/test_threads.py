"""Threads: creation, merge updates, search semantics and cascading deletes, on both backends."""

from __future__ import annotations

import pytest

from skeino.storage import Page, Storage, ThreadQuery
from tests.storage.records import run, thread, ts

pytestmark = pytest.mark.anyio


async def test_create_get_and_duplicate(storage: Storage) -> None:
    record = thread("t1", metadata={"a": 1}, values={"messages": []}, error={"x": "y"})
    assert await storage.create_thread(record) == record
    assert await storage.get_thread("t1") == record
    assert await storage.create_thread(thread("t1", status="busy")) is None
    assert (await storage.get_thread("t1"))["status"] == "idle"  # type: ignore[index]
    assert await storage.get_thread("t2") is None


async def test_update_merges_metadata_and_replaces_the_rest(storage: Storage) -> None:
    await storage.create_thread(thread("t1", metadata={"a": 1, "b": {"x": 1}}))
    changes = {"metadata": {"b": {"y": 2}, "c": 3}, "status": "busy", "updated_at": ts(5)}
    updated = await storage.update_thread("t1", changes)
    assert updated is not None
    assert updated["metadata"] == {"a": 1, "b": {"y": 2}, "c": 3}
    assert (updated["status"], updated["updated_at"], updated["created_at"]) == (
        "busy",
        ts(5),
        ts(0),
    )
    assert await storage.get_thread("t1") == updated
    assert await storage.update_thread("missing", {"status": "idle"}) is None
    with pytest.raises(ValueError):
        await storage.update_thread("t1", {"no_such_field": 1})


async def test_delete_cascades_runs(storage: Storage) -> None:
    await storage.create_thread(thread("t1"))
    await storage.create_thread(thread("t2"))
    await storage.create_run(run("r1", "t1"))
    await storage.create_run(run("r2", "t2"))
    assert await storage.delete_thread("t1") is True
    assert await storage.delete_thread("t1") is False
    assert await storage.get_run("t1", "r1") is None
    assert await storage.get_run("t2", "r2") is not None


async def _seed(storage: Storage) -> None:
    rows = [
        ("t1", 1, "idle", {"user": "u1", "tags": ["a"]}, {"n": 1, "deep": {"x": None}}),
        ("t2", 2, "busy", {"user": "u2"}, None),
        ("t3", 2, "idle", {"user": "u1", "flag": True}, {"n": 2}),
        ("t4", 4, "error", {"flag": 1, "none": None}, {}),
    ]
    for thread_id, second, status, metadata, values in rows:
        record = thread(
            thread_id,
            created_at=ts(second),
            updated_at=ts(10 - second),
            state_updated_at=ts(second % 3),
            status=status,
            metadata=metadata,
            values=values,
        )
        await storage.create_thread(record)


async def ids(storage: Storage, query: ThreadQuery, page: Page | None = None) -> list[str]:
    found, total = await storage.search_threads(query, page or Page(limit=100))
    assert len(found) <= total
    return [t["thread_id"] for t in found]


async def test_search_filters(storage: Storage) -> None:
    await _seed(storage)
    assert await ids(storage, ThreadQuery()) == ["t4", "t3", "t2", "t1"]
    assert await ids(storage, ThreadQuery(status="idle")) == ["t3", "t1"]
    assert await ids(storage, ThreadQuery(ids=["t1", "t4", "zz"])) == ["t4", "t1"]
    assert await ids(storage, ThreadQuery(ids=[])) == []
    assert await ids(storage, ThreadQuery(metadata={"user": "u1"})) == ["t3", "t1"]
    assert await ids(storage, ThreadQuery(metadata={"tags": ["a"]})) == ["t1"]
    assert await ids(storage, ThreadQuery(metadata={"none": None})) == ["t4"]
    assert await ids(storage, ThreadQuery(metadata={"flag": True})) == ["t3"]
    assert await ids(storage, ThreadQuery(metadata={"flag": 1})) == ["t4"]
    assert await ids(storage, ThreadQuery(values={"n": 2})) == ["t3"]
    assert await ids(storage, ThreadQuery(values={"deep": {"x": None}})) == ["t1"]
    assert await ids(storage, ThreadQuery(values={"deep": {}})) == ["t1"]
    assert await ids(storage, ThreadQuery(values={"missing": None})) == []
    query = ThreadQuery(status="idle", metadata={"user": "u1"}, values={"n": 1}, ids=["t1"])
    assert await ids(storage, query) == ["t1"]


@pytest.mark.parametrize(
    ("sort_by", "order", "expected"),
    [
        ("created_at", "asc", ["t1", "t2", "t3", "t4"]),
        ("created_at", "desc", ["t4", "t3", "t2", "t1"]),
        ("updated_at", "asc", ["t4", "t2", "t3", "t1"]),
        ("state_updated_at", "asc", ["t1", "t4", "t2", "t3"]),
        ("status", "asc", ["t2", "t4", "t1", "t3"]),
        ("thread_id", "desc", ["t4", "t3", "t2", "t1"]),
    ],
)
async def test_search_sorting(
    storage: Storage, sort_by: str, order: str, expected: list[str]
) -> None:
    await _seed(storage)
    page = Page(limit=100, sort_by=sort_by, sort_order=order)  # type: ignore[arg-type]
    assert await ids(storage, ThreadQuery(), page) == expected


async def test_pagination_keeps_the_total(storage: Storage) -> None:
    await _seed(storage)
    found, total = await storage.search_threads(ThreadQuery(), Page(limit=2, offset=1))
    assert ([t["thread_id"] for t in found], total) == (["t3", "t2"], 4)
    found, total = await storage.search_threads(
        ThreadQuery(metadata={"tags": ["a"]}), Page(limit=1, offset=1)
    )
    assert (found, total) == ([], 1)


async def test_thread_ids_older_than(storage: Storage) -> None:
    await _seed(storage)  # updated_at: t1=9, t2=8, t3=8, t4=6
    assert await storage.thread_ids_older_than(ts(9), 10) == ["t4", "t2", "t3"]
    assert await storage.thread_ids_older_than(ts(9), 2) == ["t4", "t2"]
    assert await storage.thread_ids_older_than(ts(0), 10) == []
