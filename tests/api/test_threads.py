"""`/threads`, state and history through the official SDK, on memory and SQLite."""

from __future__ import annotations

import uuid

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.errors import BadRequestError, ConflictError, NotFoundError

pytestmark = pytest.mark.anyio


async def test_create_get_patch_delete(client: LangGraphClient) -> None:
    thread = await client.threads.create(metadata={"owner": "ann"})
    assert thread["status"] == "idle" and thread["values"] is None
    assert uuid.UUID(thread["thread_id"]).version == 7
    tid = thread["thread_id"]
    assert (await client.threads.get(tid))["metadata"] == {"owner": "ann"}

    patched = await client.threads.update(tid, metadata={"topic": "x"})
    assert patched["metadata"] == {"owner": "ann", "topic": "x"}
    assert patched["updated_at"] >= thread["updated_at"]

    await client.threads.delete(tid)
    with pytest.raises(NotFoundError):
        await client.threads.get(tid)
    with pytest.raises(NotFoundError):
        await client.threads.delete(tid)


async def test_if_exists(client: LangGraphClient) -> None:
    tid = str(uuid.uuid4())
    await client.threads.create(thread_id=tid, metadata={"n": 1})
    with pytest.raises(ConflictError):
        await client.threads.create(thread_id=tid)
    again = await client.threads.create(thread_id=tid, if_exists="do_nothing")
    assert again["metadata"] == {"n": 1}


async def test_search_count_and_headers(client: LangGraphClient, http: httpx.AsyncClient) -> None:
    tag = str(uuid.uuid4())
    ids = [
        (await client.threads.create(metadata={"tag": tag, "i": i}))["thread_id"] for i in range(3)
    ]
    found = await client.threads.search(
        metadata={"tag": tag}, sort_by="created_at", sort_order="asc"
    )
    assert [t["thread_id"] for t in found] == ids
    assert await client.threads.count(metadata={"tag": tag}) == 3
    assert await client.threads.count(metadata={"tag": tag}, status="busy") == 0
    only = await client.threads.search(ids=ids[:1])
    assert [t["thread_id"] for t in only] == ids[:1]
    page = await http.post("/threads/search", json={"metadata": {"tag": tag}, "limit": 1})
    assert page.headers["x-pagination-next"] == "1"
    assert page.headers["x-pagination-total"] == "2"
    selected = await client.threads.search(metadata={"tag": tag}, select=["thread_id", "status"])
    assert all(set(t) == {"thread_id", "status"} for t in selected)


async def test_values_filter_on_null_values_is_not_an_error(client: LangGraphClient) -> None:
    await client.threads.create()
    assert await client.threads.search(values={"topic": "x"}, limit=100) == []


async def test_state_update_and_history(client: LangGraphClient) -> None:
    thread = await client.threads.create(graph_id="interrupt")
    tid = thread["thread_id"]
    empty = await client.threads.get_state(tid)
    assert empty["values"] == {} and empty["checkpoint"] is None

    written = await client.threads.update_state(tid, {"topic": "t"}, as_node="prepare")
    checkpoint_id = written["checkpoint"]["checkpoint_id"]
    state = await client.threads.get_state(tid)
    assert state["values"] == {"topic": "t", "log": []}
    assert state["next"] == ["ask"]
    assert state["checkpoint_id"] == checkpoint_id

    at = await client.threads.get_state(tid, checkpoint_id=checkpoint_id)
    assert at["values"] == state["values"]
    at_post = await client.threads.get_state(tid, checkpoint={"checkpoint_id": checkpoint_id})
    assert at_post["checkpoint_id"] == checkpoint_id

    await client.threads.update_state(tid, {"log": ["manual"]}, as_node="prepare")
    history = await client.threads.get_history(tid)
    assert len(history) == 2
    assert history[0]["values"]["log"] == ["manual"]
    older = await client.threads.get_history(
        tid, before={"checkpoint_id": history[0]["checkpoint_id"]}
    )
    assert [h["checkpoint_id"] for h in older] == [checkpoint_id]
    limited = await client.threads.get_history(tid, limit=1)
    assert len(limited) == 1

    mirrored = await client.threads.get(tid)
    assert mirrored["values"] == {"topic": "t", "log": ["manual"]}


async def test_state_update_without_graph_is_400(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    with pytest.raises(BadRequestError):
        await client.threads.update_state(thread["thread_id"], {"topic": "x"})


async def test_supersteps_copy_and_prune(client: LangGraphClient) -> None:
    thread = await client.threads.create(
        graph_id="interrupt",
        supersteps=[{"updates": [{"values": {"topic": "s"}, "as_node": "prepare"}]}],
    )
    tid = thread["thread_id"]
    assert thread["values"] == {"topic": "s", "log": []}

    copied = await client.threads.copy(tid)
    assert copied["thread_id"] != tid
    state = await client.threads.get_state(copied["thread_id"])
    assert state["values"] == {"topic": "s", "log": []}
    assert len(await client.threads.get_history(copied["thread_id"])) == len(
        await client.threads.get_history(tid)
    )

    pruned = await client.threads.prune([tid, copied["thread_id"], str(uuid.uuid4())])
    assert pruned == {"pruned_count": 2}
    with pytest.raises(NotFoundError):
        await client.threads.get(tid)


async def test_prune_keep_latest_keeps_the_state(client: LangGraphClient) -> None:
    """Every backend: through `aprune` where the saver has it, its public API elsewhere."""
    tid = (await client.threads.create())["thread_id"]
    for _ in range(2):
        await client.runs.wait(tid, "chat", input={"messages": [{"role": "user", "content": "hi"}]})
    before = await client.threads.get_state(tid)
    pruned = await client.threads.prune([tid], strategy="keep_latest")
    assert pruned == {"pruned_count": 1}
    history = await client.threads.get_history(tid, limit=100)
    assert [h["checkpoint"] for h in history] == [before["checkpoint"]]
    assert (await client.threads.get_state(tid))["values"] == before["values"]


async def test_unknown_thread(client: LangGraphClient, http: httpx.AsyncClient) -> None:
    missing = str(uuid.uuid4())
    for call in (client.threads.get_state(missing), client.threads.get_history(missing)):
        with pytest.raises(NotFoundError):
            await call
    bad = await http.get("/threads/not-a-uuid")
    assert bad.status_code == 422
    assert bad.json() == {"detail": "Invalid thread ID: must be a UUID"}


async def test_subgraph_task_checkpoint_is_its_config(client: LangGraphClient) -> None:
    """A pending subgraph task names its namespace as LangGraph's config does: thread and
    namespace only, no `checkpoint_id` key (the official server sends it as-is)."""
    tid = (await client.threads.create())["thread_id"]
    await client.runs.wait(tid, "subgraph", input={}, interrupt_before=["child"])
    for state in (await client.threads.get_state(tid), (await client.threads.get_history(tid))[0]):
        [task] = state["tasks"]
        assert task["checkpoint"] == {"thread_id": tid, "checkpoint_ns": f"child:{task['id']}"}
