"""Run endpoints through the real SDK: create, wait, list, get, delete, cancel, multitask."""

from __future__ import annotations

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.schema import Command

from tests.api.runs_support import run_ids_in_history, until_status, until_working

pytestmark = pytest.mark.anyio

SLOW = {"delay": 0.6, "steps": 6}


async def new_thread(client: LangGraphClient) -> str:
    return (await client.threads.create())["thread_id"]


async def test_create_answers_the_pending_run_with_its_location(http: httpx.AsyncClient) -> None:
    thread_id = (await http.post("/threads", json={})).json()["thread_id"]
    r = await http.post(f"/threads/{thread_id}/runs", json={"assistant_id": "slow", "input": {}})
    assert r.status_code == 200
    run = r.json()
    assert run["status"] == "pending" and run["thread_id"] == thread_id
    assert r.headers["content-location"] == f"/threads/{thread_id}/runs/{run['run_id']}"
    stateless = await http.post("/runs", json={"assistant_id": "slow", "input": {"delay": 0}})
    assert stateless.headers["content-location"] == f"/runs/{stateless.json()['run_id']}"


async def test_wait_join_and_headers(client: LangGraphClient, http: httpx.AsyncClient) -> None:
    thread_id = await new_thread(client)
    r = await http.post(
        f"/threads/{thread_id}/runs/wait", json={"assistant_id": "slow", "input": {"delay": 0}}
    )
    assert r.json() == {"delay": 0, "log": ["worked:1", "done"]}
    run_path = r.headers["content-location"]
    assert r.headers["location"] == run_path + "/join"
    run_id = run_path.rsplit("/", 1)[1]
    assert (await client.runs.get(thread_id, run_id))["status"] == "success"
    joined = await http.get(run_path + "/join")  # a join that starts after the run ended
    assert joined.json() == r.json() and joined.headers["location"] == run_path + "/join"


async def test_failed_run_answers_200_with_error(
    client: LangGraphClient, http: httpx.AsyncClient
) -> None:
    thread_id = await new_thread(client)
    failure = {"__error__": {"error": "ValueError", "message": "boom: x"}}
    r = await http.post(
        f"/threads/{thread_id}/runs/wait", json={"assistant_id": "failing", "input": {"value": "x"}}
    )
    assert (r.status_code, r.json()) == (200, failure)
    run_id = r.headers["content-location"].rsplit("/", 1)[1]
    assert await client.runs.join(thread_id, run_id) == failure
    assert (await client.runs.get(thread_id, run_id))["status"] == "error"
    thread = await client.threads.get(thread_id)
    assert thread["status"] == "error" and thread["error"] == failure["__error__"]


async def test_join_of_an_unknown_run_is_200_with_error(http: httpx.AsyncClient) -> None:
    thread_id = (await http.post("/threads", json={})).json()["thread_id"]
    missing = f"/threads/{thread_id}/runs/00000000-0000-0000-0000-000000000001"
    r = await http.get(missing + "/join")
    assert r.status_code == 200
    assert r.json() == {"__error__": {"error": "HTTPException", "message": "404: Run not found"}}


async def test_stateless_runs_delete_their_thread_unless_kept(client: LangGraphClient) -> None:
    out = await client.runs.wait(None, "slow", input={"delay": 0})
    assert out == {"delay": 0, "log": ["worked:1", "done"]}
    run = await client.runs.create(None, "slow", input={"delay": 0})
    await client.runs.join(run["thread_id"], run["run_id"])
    with pytest.raises(httpx.HTTPStatusError) as gone:
        await client.runs.get(run["thread_id"], run["run_id"])
    assert gone.value.response.status_code == 404
    assert gone.value.response.json()["detail"] == f"Thread with ID {run['thread_id']} not found"
    kept = await client.runs.create(None, "slow", input={"delay": 0}, on_completion="keep")
    await client.runs.join(kept["thread_id"], kept["run_id"])
    assert (await client.runs.get(kept["thread_id"], kept["run_id"]))["status"] == "success"
    assert (await client.threads.get(kept["thread_id"]))["values"]["log"] == ["worked:1", "done"]


async def test_batch_creates_stateless_runs(client: LangGraphClient) -> None:
    runs = await client.runs.create_batch(
        [
            {"assistant_id": "slow", "input": {"delay": 0}, "on_completion": "keep"},
            {"assistant_id": "custom", "input": {"count": 2}, "on_completion": "keep"},
        ]
    )
    assert [r["status"] for r in runs] == ["pending", "pending"]
    assert runs[0]["thread_id"] != runs[1]["thread_id"]
    assert (await client.runs.join(runs[1]["thread_id"], runs[1]["run_id"]))["emitted"] == 2


async def test_list_get_delete(client: LangGraphClient, http: httpx.AsyncClient) -> None:
    thread_id = await new_thread(client)
    ids = [
        (await client.runs.create(thread_id, "slow", input={"delay": 0}))["run_id"]
        for _ in range(3)
    ]
    await client.runs.join(thread_id, ids[-1])
    listed = await client.runs.list(thread_id)
    assert [r["run_id"] for r in listed] == ids[::-1]  # newest first
    assert [r["run_id"] for r in await client.runs.list(thread_id, limit=1, offset=1)] == [ids[1]]
    assert len(await client.runs.list(thread_id, status="success")) == 3
    assert await client.runs.list(thread_id, status="pending") == []
    selected = await client.runs.list(thread_id, select=["run_id", "status"])
    assert all(set(r) == {"run_id", "status"} for r in selected)
    r = await http.delete(f"/threads/{thread_id}/runs/{ids[0]}")
    assert r.status_code == 204
    assert (await http.get(f"/threads/{thread_id}/runs/{ids[0]}")).status_code == 404
    assert (await http.delete(f"/threads/{thread_id}/runs/{ids[0]}")).status_code == 404


async def test_delete_cancels_a_running_run(
    client: LangGraphClient, http: httpx.AsyncClient
) -> None:
    thread_id = await new_thread(client)
    run = await client.runs.create(thread_id, "slow", input=SLOW)
    await until_status(client, thread_id, run["run_id"], "running")
    assert (await http.delete(f"/threads/{thread_id}/runs/{run['run_id']}")).status_code == 204
    assert await client.runs.list(thread_id) == []


async def test_cancel_without_and_with_wait(
    client: LangGraphClient, http: httpx.AsyncClient
) -> None:
    thread_id = await new_thread(client)
    base = f"/threads/{thread_id}/runs"
    first = await client.runs.create(thread_id, "slow", input=SLOW)
    await until_working(client, thread_id, first["run_id"])
    r = await http.post(f"{base}/{first['run_id']}/cancel")
    assert (r.status_code, r.content) == (202, b"")
    await client.runs.join(thread_id, first["run_id"])
    assert (await client.runs.get(thread_id, first["run_id"]))["status"] == "interrupted"
    thread = await client.threads.get(thread_id)
    assert thread["status"] == "interrupted"  # cancelled mid-node: `work` is still next
    assert thread["error"]["error"] == "UserInterrupt"
    second = await client.runs.create(thread_id, "slow", input=SLOW)
    await until_working(client, thread_id, second["run_id"])
    r = await http.post(f"{base}/{second['run_id']}/cancel", params={"wait": "true"})
    assert (r.status_code, r.json()) == (200, {})
    assert r.headers["location"] == f"{base}/{second['run_id']}/join"
    assert (await client.runs.get(thread_id, second["run_id"]))["status"] == "interrupted"
    assert second["run_id"] in await run_ids_in_history(client, thread_id)
    again = await http.post(f"{base}/{second['run_id']}/cancel")
    assert again.status_code == 404  # it already ended, as upstream


async def test_cancel_rollback_deletes_run_and_checkpoints(client: LangGraphClient) -> None:
    thread_id = await new_thread(client)
    await client.runs.wait(thread_id, "slow", input={"delay": 0})
    run = await client.runs.create(thread_id, "slow", input=SLOW)
    await until_status(client, thread_id, run["run_id"], "running")
    await client.runs.cancel(thread_id, run["run_id"], wait=True, action="rollback")
    assert [r["run_id"] for r in await client.runs.list(thread_id)] != [run["run_id"]]
    assert len(await client.runs.list(thread_id)) == 1
    history = await run_ids_in_history(client, thread_id)
    assert run["run_id"] not in history and len(history) == 1  # the first run's survive
    state = await client.threads.get_state(thread_id)
    assert state["values"] == {"delay": 0, "log": ["worked:1", "done"]}


async def test_cancel_a_pending_run(client: LangGraphClient) -> None:
    thread_id = await new_thread(client)
    run = await client.runs.create(thread_id, "slow", input={"delay": 0}, after_seconds=30)
    await client.runs.cancel(thread_id, run["run_id"], wait=True)
    assert (await client.runs.get(thread_id, run["run_id"]))["status"] == "interrupted"
    assert await client.runs.join(thread_id, run["run_id"]) == {}


async def test_bulk_cancel(client: LangGraphClient, http: httpx.AsyncClient) -> None:
    thread_id = await new_thread(client)
    runs = [await client.runs.create(thread_id, "slow", input=SLOW) for _ in range(2)]
    ids = [r["run_id"] for r in runs]
    r = await http.post("/runs/cancel", json={"thread_id": thread_id, "run_ids": ids})
    assert r.status_code == 204
    for run_id in ids:
        await until_status(client, thread_id, run_id, "interrupted")
    again = await http.post("/runs/cancel", json={"thread_id": thread_id, "run_ids": ids})
    assert again.status_code == 404
    pending = await client.runs.create(thread_id, "slow", input={}, after_seconds=30)
    await client.runs.cancel_many(status="pending")
    await until_status(client, thread_id, pending["run_id"], "interrupted")
    assert (await http.post("/runs/cancel", json={"status": "running"})).status_code == 404


async def test_command_wins_over_input(client: LangGraphClient) -> None:
    """The official server accepts both and resumes with the command (our issue asked for
    a 422; the wire wins)."""
    thread_id = (await client.threads.create())["thread_id"]
    await client.runs.wait(thread_id, "interrupt", input={"topic": "a"})
    out = await client.runs.wait(
        thread_id, "interrupt", input={"topic": "b"}, command={"resume": "yes"}
    )
    assert out == {"topic": "a", "answer": "yes", "log": ["prepare:a", "ask", "act:yes"]}


async def test_if_not_exists(client: LangGraphClient) -> None:
    thread_id = "0190a0b1-0000-7000-8000-000000000001"
    with pytest.raises(httpx.HTTPStatusError) as rejected:
        await client.runs.create(thread_id, "slow", input={"delay": 0})
    assert rejected.value.response.status_code == 404
    out = await client.runs.wait(thread_id, "slow", input={"delay": 0}, if_not_exists="create")
    assert out["log"] == ["worked:1", "done"]


async def test_multitask_reject_and_enqueue(client: LangGraphClient) -> None:
    thread_id = await new_thread(client)
    first = await client.runs.create(thread_id, "slow", input=SLOW)
    with pytest.raises(httpx.HTTPStatusError) as busy:
        await client.runs.create(thread_id, "slow", input={}, multitask_strategy="reject")
    assert busy.value.response.status_code == 409
    queued = await client.runs.create(thread_id, "slow", input={"delay": 0})  # enqueue default
    assert queued["multitask_strategy"] == "enqueue"
    out = await client.runs.join(thread_id, queued["run_id"])
    assert out["log"] == ["worked:6", "done", "worked:6", "done"]  # `steps` stays in state
    assert (await client.runs.get(thread_id, first["run_id"]))["status"] == "success"


@pytest.mark.parametrize("strategy", ["interrupt", "rollback"])
async def test_multitask_interrupt_and_rollback(client: LangGraphClient, strategy: str) -> None:
    thread_id = await new_thread(client)
    first = await client.runs.create(thread_id, "slow", input=SLOW)
    await until_working(client, thread_id, first["run_id"])
    second = await client.runs.create(
        thread_id, "slow", input={"delay": 0}, multitask_strategy=strategy
    )
    assert (await client.runs.join(thread_id, second["run_id"]))["log"][-1] == "done"
    history = await run_ids_in_history(client, thread_id)
    if strategy == "interrupt":
        assert (await client.runs.get(thread_id, first["run_id"]))["status"] == "interrupted"
        assert first["run_id"] in history
    else:
        assert [r["run_id"] for r in await client.runs.list(thread_id)] == [second["run_id"]]
        assert history == {second["run_id"]}
    assert (await client.threads.get(thread_id))["status"] == "idle"


async def test_thread_status_follows_runs(client: LangGraphClient) -> None:
    thread_id = await new_thread(client)
    run = await client.runs.create(thread_id, "slow", input=SLOW)
    await until_status(client, thread_id, run["run_id"], "running")
    assert (await client.threads.get(thread_id))["status"] == "busy"
    await client.runs.join(thread_id, run["run_id"])
    assert (await client.threads.get(thread_id))["status"] == "idle"


async def test_after_seconds_delays_the_start(client: LangGraphClient) -> None:
    thread_id = await new_thread(client)
    run = await client.runs.create(thread_id, "slow", input={"delay": 0}, after_seconds=1)
    assert (await client.runs.get(thread_id, run["run_id"]))["status"] == "pending"
    assert (await client.runs.join(thread_id, run["run_id"]))["log"] == ["worked:1", "done"]


async def test_metadata_config_context_durability(client: LangGraphClient) -> None:
    thread_id = await new_thread(client)
    run = await client.runs.create(
        thread_id,
        "slow",
        input={"delay": 0},
        metadata={"who": "test"},
        config={"tags": ["t"]},
        context={"k": "v"},
        durability="exit",
    )
    await client.runs.join(thread_id, run["run_id"])
    stored = await client.runs.get(thread_id, run["run_id"])
    assert stored["metadata"]["who"] == "test"
    assert stored["kwargs"]["config"]["configurable"]["k"] == "v"  # context mirrored, as upstream
    assert stored["kwargs"]["context"] == {"k": "v"}
    assert len(await client.threads.get_history(thread_id)) == 1  # exit: one checkpoint


async def test_interrupt_and_resume(client: LangGraphClient) -> None:
    thread_id = await new_thread(client)
    out = await client.runs.wait(thread_id, "interrupt", input={"topic": "x"})
    [pending] = out["__interrupt__"]
    assert pending["value"] == {"question": "Approve x?"}
    runs = await client.runs.list(thread_id)
    assert runs[0]["status"] == "success"  # ending at an interrupt is a success upstream
    thread = await client.threads.get(thread_id)
    assert thread["status"] == "interrupted"
    assert [i["id"] for i in next(iter(thread["interrupts"].values()))] == [pending["id"]]
    state = await client.threads.get_state(thread_id)
    assert state["next"] == ["ask"] and state["interrupts"][0]["id"] == pending["id"]
    resumed = await client.runs.wait(thread_id, "interrupt", command=Command(resume="yes"))
    assert resumed["log"] == ["prepare:x", "ask", "act:yes"]
    assert (await client.threads.get(thread_id))["status"] == "idle"


async def test_resume_by_interrupt_id(client: LangGraphClient) -> None:
    thread_id = await new_thread(client)
    out = await client.runs.wait(thread_id, "interrupt", input={"topic": "y"})
    interrupt_id = out["__interrupt__"][0]["id"]
    resumed = await client.runs.wait(
        thread_id, "interrupt", command=Command(resume={interrupt_id: "ok"})
    )
    assert resumed["answer"] == "ok"


async def test_command_update_and_goto(client: LangGraphClient) -> None:
    """As upstream (checked): the update lands, and the pending interrupt asks again."""
    thread_id = await new_thread(client)
    await client.runs.wait(thread_id, "interrupt", input={"topic": "z"})
    out = await client.runs.wait(
        thread_id, "interrupt", command=Command(update={"answer": "forced"}, goto="act")
    )
    assert out["answer"] == "forced" and "__interrupt__" in out
    assert (await client.threads.get_state(thread_id))["next"] == ["ask"]


async def test_interrupt_before_and_after(client: LangGraphClient) -> None:
    thread_id = await new_thread(client)
    out = await client.runs.wait(thread_id, "slow", input={"delay": 0}, interrupt_before=["finish"])
    assert out["log"] == ["worked:1"]
    assert (await client.threads.get(thread_id))["status"] == "interrupted"
    assert (await client.threads.get_state(thread_id))["next"] == ["finish"]
    out = await client.runs.wait(thread_id, "slow", input=None)
    assert out["log"] == ["worked:1", "done"]
    other = await new_thread(client)
    out = await client.runs.wait(other, "slow", input={"delay": 0}, interrupt_after="*")
    assert out["log"] == ["worked:1"]
    assert (await client.threads.get_state(other))["next"] == ["finish"]


async def test_checkpoint_id_forks_from_an_earlier_state(client: LangGraphClient) -> None:
    thread_id = await new_thread(client)
    for _ in range(2):
        await client.runs.wait(thread_id, "slow", input={"delay": 0})
    history = await client.threads.get_history(thread_id, limit=20)
    first_end = next(s for s in history if s["values"]["log"] == ["worked:1", "done"])
    forked = ["worked:1", "done", "worked:1", "done"]
    out = await client.runs.wait(
        thread_id,
        "slow",
        input={"delay": 0},
        checkpoint_id=first_end["checkpoint"]["checkpoint_id"],
    )
    assert out["log"] == forked
    out = await client.runs.wait(
        thread_id, "slow", input={"delay": 0}, checkpoint=first_end["checkpoint"]
    )
    assert out["log"] == forked


async def test_run_of_neither_assistant_uuid_nor_graph_is_422(
    client: LangGraphClient, http: httpx.AsyncClient
) -> None:
    """A name that is no graph is refused with the choices; an unknown UUID stays a 404."""
    tid = await new_thread(client)
    graphs = (await http.post("/assistants/search", json={"limit": 100})).json()
    for path in (f"/threads/{tid}/runs/wait", f"/threads/{tid}/runs/stream", "/runs/wait"):
        answer = await http.post(path, json={"assistant_id": "non-existent", "input": {}})
        assert answer.status_code == 422
        detail = answer.json()["detail"]
        assert detail.startswith("Invalid assistant: 'non-existent'. Must be either:\n")
        assert detail.splitlines()[1] == "- A valid assistant UUID, or"
        listed = detail.splitlines()[2].removeprefix("- One of the registered graphs: ")
        assert set(listed.split(", ")) == {g["graph_id"] for g in graphs}
    missing = {"assistant_id": "00000000-0000-0000-0000-000000000000", "input": {}}
    answer = await http.post(f"/threads/{tid}/runs/wait", json=missing)
    assert answer.status_code == 404
