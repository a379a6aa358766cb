"""Assistants and their versions, on both backends."""

from __future__ import annotations

import pytest

from skeino.storage import AssistantQuery, Page, Storage
from tests.storage.records import assistant, ts

pytestmark = pytest.mark.anyio


async def test_create_get_and_duplicate(storage: Storage) -> None:
    record = assistant("a1", metadata={"k": "v"}, config={"configurable": {"x": 1}})
    assert await storage.create_assistant(record) == record
    assert await storage.get_assistant("a1") == record
    assert await storage.create_assistant(assistant("a1", name="other")) is None
    assert (await storage.get_assistant("a1"))["name"] == "a1"  # type: ignore[index]
    assert await storage.get_assistant("missing") is None


async def test_returned_records_are_fresh_copies(storage: Storage) -> None:
    record = assistant("a1", metadata={"k": {"deep": 1}})
    created = await storage.create_assistant(record)
    assert created is not None
    record["metadata"]["k"]["deep"] = 2
    created["metadata"]["k"]["deep"] = 3
    fetched = await storage.get_assistant("a1")
    assert fetched is not None
    fetched["metadata"]["k"]["deep"] = 4
    assert (await storage.get_assistant("a1"))["metadata"] == {"k": {"deep": 1}}  # type: ignore[index]


async def test_versions_merge_metadata_and_can_be_restored(storage: Storage) -> None:
    await storage.create_assistant(assistant("a1", metadata={"a": 1, "b": 1}))
    v2 = await storage.add_assistant_version(
        "a1", {"metadata": {"b": 2, "c": 2}, "name": "renamed"}, ts(10)
    )
    assert v2 is not None
    assert v2["version"] == 2
    assert v2["metadata"] == {"a": 1, "b": 2, "c": 2}
    assert v2["name"] == "renamed"
    assert (v2["created_at"], v2["updated_at"]) == (ts(0), ts(10))
    assert await storage.get_assistant("a1") == v2

    versions = await storage.list_assistant_versions("a1", {}, 10, 0)
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[0]["created_at"] == ts(10)
    assert "updated_at" not in versions[0]
    assert [v["version"] for v in await storage.list_assistant_versions("a1", {"c": 2}, 10, 0)] == [
        2
    ]
    assert [v["version"] for v in await storage.list_assistant_versions("a1", {}, 1, 1)] == [1]

    restored = await storage.set_assistant_version("a1", 1, ts(20))
    assert restored is not None
    assert (restored["version"], restored["name"], restored["metadata"]) == (
        1,
        "a1",
        {"a": 1, "b": 1},
    )
    assert restored["updated_at"] == ts(20)
    v3 = await storage.add_assistant_version("a1", {"description": "d"}, ts(30))
    assert v3 is not None
    assert (v3["version"], v3["name"], v3["description"]) == (3, "a1", "d")


async def test_versions_of_missing_things(storage: Storage) -> None:
    assert await storage.add_assistant_version("nope", {}, ts(1)) is None
    assert await storage.set_assistant_version("nope", 1, ts(1)) is None
    assert await storage.list_assistant_versions("nope", {}, 10, 0) == []
    await storage.create_assistant(assistant("a1"))
    assert await storage.set_assistant_version("a1", 7, ts(1)) is None
    with pytest.raises(ValueError):
        await storage.add_assistant_version("a1", {"version": 9}, ts(1))


async def test_delete_removes_versions(storage: Storage) -> None:
    await storage.create_assistant(assistant("a1"))
    await storage.add_assistant_version("a1", {"name": "x"}, ts(1))
    assert await storage.delete_assistant("a1") is True
    assert await storage.delete_assistant("a1") is False
    assert await storage.get_assistant("a1") is None
    assert await storage.list_assistant_versions("a1", {}, 10, 0) == []
    assert await storage.create_assistant(assistant("a1")) is not None
    assert [v["version"] for v in await storage.list_assistant_versions("a1", {}, 10, 0)] == [1]


async def _seed(storage: Storage) -> None:
    rows = [
        ("a1", "g1", "Alpha Bot", {"team": "x", "n": 1}, ts(3)),
        ("a2", "g2", "beta", {"team": "y"}, ts(1)),
        ("a3", "g1", "ALPHABET", {"team": "x", "nested": {"k": [1, 2]}}, ts(2)),
        ("a4", "g1", "gamma", {}, ts(2)),
    ]
    for assistant_id, graph_id, name, metadata, created in rows:
        record = assistant(
            assistant_id, graph_id=graph_id, name=name, metadata=metadata, created_at=created
        )
        await storage.create_assistant(record)


async def search_ids(storage: Storage, query: AssistantQuery, page: Page) -> tuple[list[str], int]:
    found, total = await storage.search_assistants(query, page)
    return [a["assistant_id"] for a in found], total


async def test_search_filters(storage: Storage) -> None:
    await _seed(storage)
    page = Page(limit=10)
    assert await search_ids(storage, AssistantQuery(), page) == (["a1", "a4", "a3", "a2"], 4)
    assert await search_ids(storage, AssistantQuery(graph_id="g2"), page) == (["a2"], 1)
    assert await search_ids(storage, AssistantQuery(name="alpha"), page) == (["a1", "a3"], 2)
    assert await search_ids(storage, AssistantQuery(metadata={"team": "x"}), page) == (
        ["a1", "a3"],
        2,
    )
    nested = AssistantQuery(metadata={"nested": {"k": [1, 2]}})
    assert await search_ids(storage, nested, page) == (["a3"], 1)
    assert await search_ids(storage, AssistantQuery(metadata={"nested": {"k": [1]}}), page) == (
        [],
        0,
    )
    both = AssistantQuery(graph_id="g1", metadata={"team": "x"}, name="BOT")
    assert await search_ids(storage, both, page) == (["a1"], 1)


async def test_search_sort_and_pagination(storage: Storage) -> None:
    await _seed(storage)
    asc = Page(limit=10, sort_by="created_at", sort_order="asc")
    assert await search_ids(storage, AssistantQuery(), asc) == (["a2", "a3", "a4", "a1"], 4)
    by_name = Page(limit=2, offset=1, sort_by="name", sort_order="asc")
    assert await search_ids(storage, AssistantQuery(), by_name) == (["a1", "a2"], 4)
    by_graph = Page(limit=10, sort_by="graph_id", sort_order="desc")
    assert await search_ids(storage, AssistantQuery(), by_graph) == (["a2", "a4", "a3", "a1"], 4)
    beyond = Page(limit=10, offset=10)
    assert await search_ids(storage, AssistantQuery(), beyond) == ([], 4)
    with pytest.raises(ValueError):
        await storage.search_assistants(AssistantQuery(), Page(sort_by="metadata"))
