"""Two users through the real SDK: B can neither see nor touch anything of A's."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient

pytestmark = pytest.mark.anyio


async def status_of(call: Awaitable[Any]) -> tuple[int, str]:
    try:
        await call
    except httpx.HTTPStatusError as exc:
        return exc.response.status_code, exc.response.json()["detail"]
    return 200, ""


async def test_threads_are_their_owners(a: LangGraphClient, b: LangGraphClient) -> None:
    thread = await a.threads.create(metadata={"topic": "x"})
    tid = thread["thread_id"]
    assert thread["metadata"] == {"topic": "x", "owner": "user-a"}  # the handler's stamp
    assert (await a.threads.get(tid))["metadata"]["owner"] == "user-a"  # persisted
    missing = (404, f"Thread with ID {tid} not found")
    assert await status_of(b.threads.get(tid)) == missing
    assert await status_of(b.threads.update(tid, metadata={"y": 1})) == missing
    assert await status_of(b.threads.delete(tid)) == missing
    assert await status_of(b.threads.get_state(tid)) == missing
    assert await status_of(b.threads.get_history(tid)) == missing
    assert await status_of(b.threads.update_state(tid, {})) == missing
    assert await status_of(b.threads.copy(tid)) == missing
    assert await status_of(b.http.get(f"/threads/{tid}/storage")) == missing
    assert await b.threads.search() == []
    assert await b.threads.count() == 0
    assert await b.threads.search(metadata={"owner": "user-a"}) == []  # no override
    assert [t["thread_id"] for t in await a.threads.search()] == [tid]
    assert await a.threads.count() == 1
    await a.threads.update(tid, metadata={"y": 1})
    assert (await a.threads.get(tid))["metadata"]["owner"] == "user-a"
    copy = await a.threads.copy(tid)
    assert copy["metadata"]["owner"] == "user-a"
    await a.threads.delete(tid)


async def test_prune_refuses_others_threads(a: LangGraphClient, b: LangGraphClient) -> None:
    tid = (await a.threads.create())["thread_id"]
    http = b.http.client
    answer = await http.post("/threads/prune", json={"thread_ids": [tid]})
    assert (answer.status_code, answer.json()) == (
        404,
        {"detail": "At least one thread not found or not authorized"},
    )
    assert (await a.threads.get(tid))["thread_id"] == tid


async def test_runs_are_their_threads_owners(a: LangGraphClient, b: LangGraphClient) -> None:
    tid = (await a.threads.create())["thread_id"]
    run = await a.runs.create(tid, "slow", input={"delay": 0.3})
    rid = run["run_id"]
    assert run["metadata"]["run_owner"] == "user-a"
    assert (await a.runs.get(tid, rid))["metadata"]["run_owner"] == "user-a"
    missing = (404, f"Thread with ID {tid} not found")
    assert await status_of(b.runs.get(tid, rid)) == missing
    assert await status_of(b.runs.list(tid)) == missing
    assert await status_of(b.runs.cancel(tid, rid)) == (404, "No runs found to cancel.")
    assert await status_of(b.runs.delete(tid, rid)) == (404, "Run not found")
    assert await status_of(b.runs.create(tid, "slow")) == (404, "Thread or assistant not found.")
    refused = await b.http.client.get(f"/threads/{tid}/runs/{rid}/join")
    assert (refused.status_code, refused.json()) == (404, {"detail": "Thread not found"})
    parts = [part async for part in b.runs.join_stream(tid, rid)]
    assert [(p.event, p.data) for p in parts] == [
        ("error", {"error": "HTTPException", "message": "404: Thread not found"})
    ]
    bulk = await b.http.client.post("/runs/cancel", json={"thread_id": tid, "run_ids": [rid]})
    assert (bulk.status_code, bulk.json()) == (404, {"detail": "No runs found to cancel."})
    assert (await a.runs.join(tid, rid))["log"] == ["worked:1", "done"]
    assert [r["run_id"] for r in await a.runs.list(tid)] == [rid]


async def test_the_graph_sees_its_caller(a: LangGraphClient) -> None:
    tid = (await a.threads.create())["thread_id"]
    out = await a.runs.wait(tid, "whoami", input={})
    assert out["seen"] == {
        "identity": "user-a",
        "item": "user-a",
        "display_name": "USER-A",
        "user_id": "user-a",
        "permissions": ["read", "write"],
        "configurable_user_id": "user-a",
    }
    stored = (await a.runs.list(tid))[0]["kwargs"]["config"]["configurable"]
    assert stored["langgraph_auth_user"]["identity"] == "user-a"


async def test_stateless_runs_stay_their_callers(a: LangGraphClient, b: LangGraphClient) -> None:
    out = await b.runs.wait(None, "whoami", input={})
    assert out["seen"]["identity"] == "user-b"
    run = await b.runs.create(None, "slow", input={"delay": 0}, on_completion="keep")
    await b.runs.join(run["thread_id"], run["run_id"])
    assert (await b.threads.get(run["thread_id"]))["metadata"]["owner"] == "user-b"
    assert await status_of(a.threads.get(run["thread_id"])) == (
        404,
        f"Thread with ID {run['thread_id']} not found",
    )


async def test_assistants_are_their_owners(a: LangGraphClient, b: LangGraphClient) -> None:
    mine = await a.assistants.create("chat", metadata={"k": 1}, name="mine")
    aid = mine["assistant_id"]
    assert mine["metadata"] == {"k": 1, "owner": "user-a"}
    assert await status_of(b.assistants.get(aid)) == (404, "Not Found")
    assert await status_of(b.assistants.update(aid, metadata={"q": 1})) == (404, "Not Found")
    assert await status_of(b.assistants.delete(aid)) == (
        404,
        f"Assistant with ID {aid} not found",
    )
    assert await status_of(b.assistants.get_versions(aid)) == (404, "Not Found")
    assert await status_of(b.assistants.set_latest(aid, 1)) == (404, "Not Found")
    assert await status_of(b.assistants.get_schemas(aid)) == (404, "Not Found")
    assert await status_of(b.assistants.get_graph(aid)) == (404, "Not Found")
    assert await status_of(b.runs.wait(None, aid, input={})) == (
        404,
        "Thread or assistant not found.",
    )
    assert await b.assistants.search() == []  # the graphs' own assistants have no owner
    assert await b.assistants.count() == 0
    assert [x["assistant_id"] for x in await a.assistants.search()] == [aid]
    patched = await a.assistants.update(aid, metadata={"q": 1})
    assert patched["metadata"] == {"k": 1, "owner": "user-a", "q": 1}


async def test_crons_are_their_owners(a: LangGraphClient, b: LangGraphClient) -> None:
    tid = (await a.threads.create())["thread_id"]
    cron = await a.crons.create_for_thread(tid, "chat", schedule="0 0 1 1 *")
    cid = cron["cron_id"]
    assert (cron["user_id"], cron["metadata"]) == ("user-a", {"owner": "user-a"})
    assert await status_of(b.crons.update(cid, enabled=False)) == (404, f"Cron '{cid}' not found")
    assert await status_of(b.crons.delete(cid)) == (404, "Not Found")
    assert await status_of(b.http.get(f"/runs/crons/{cid}")) == (404, "Not Found")
    assert (await a.http.get(f"/runs/crons/{cid}"))["cron_id"] == cid
    assert await b.crons.search() == []
    assert await b.crons.count() == 0
    assert await status_of(b.crons.create_for_thread(tid, "chat", schedule="0 0 1 1 *")) == (
        404,
        f"Thread with ID '{tid}' not found. Please verify the ID is correct and the thread "
        "hasn't been deleted or expired.",
    )
    assert [c["cron_id"] for c in await a.crons.search()] == [cid]
    await a.crons.delete(cid)


async def test_store_namespaces_are_rewritten(a: LangGraphClient, b: LangGraphClient) -> None:
    await a.store.put_item(["notes"], "k", {"v": 1})
    item = await a.store.get_item(["notes"], "k")
    assert item is not None and item["namespace"] == ["user-a", "notes"]
    assert await b.store.get_item(["notes"], "k") is None
    assert (await b.store.search_items([]))["items"] == []
    assert (await a.store.list_namespaces())["namespaces"] == [["user-a", "notes"]]
    await b.store.delete_item(["notes"], "k")  # B's own (empty) namespace
    assert await a.store.get_item(["notes"], "k") is not None


async def test_handler_refusals(clients: dict[str, LangGraphClient]) -> None:
    deny, rais = clients["deny"], clients["raise"]
    assert await status_of(deny.threads.create()) == (403, "Forbidden")
    assert await status_of(deny.threads.search()) == (403, "Forbidden")
    assert await status_of(deny.assistants.search()) == (403, "Forbidden")
    assert await status_of(deny.store.get_item(["n"], "k")) == (403, "Forbidden")
    assert await status_of(rais.threads.search()) == (409, "raised in a handler")
