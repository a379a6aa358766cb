"""Run streams through the real SDK: modes, joins, resumption, volume and concurrency."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest
from langgraph.graph import START, StateGraph
from langgraph_sdk.client import LangGraphClient

import skeino

pytestmark = pytest.mark.anyio


async def collect(parts: Any) -> list[Any]:
    return [part async for part in parts]


def names(parts: list[Any]) -> list[str]:
    return [part.event for part in parts]


async def new_thread(client: LangGraphClient) -> str:
    return (await client.threads.create())["thread_id"]


async def test_stream_one_mode_and_many(client: LangGraphClient) -> None:
    thread_id = await new_thread(client)
    parts = await collect(client.runs.stream(thread_id, "slow", input={"delay": 0}))
    assert names(parts) == ["metadata", "values", "values", "values"]
    assert parts[0].data["run_id"] and parts[-1].data["log"] == ["worked:1", "done"]
    parts = await collect(
        client.runs.stream(
            thread_id, "custom", input={"count": 2}, stream_mode=["updates", "custom"]
        )
    )
    assert names(parts) == ["metadata", "custom", "custom", "updates"]


async def test_stream_subgraphs(client: LangGraphClient) -> None:
    thread_id = await new_thread(client)
    parts = await collect(
        client.runs.stream(
            thread_id, "subgraph", input={}, stream_mode="updates", stream_subgraphs=True
        )
    )
    assert any(name.startswith("updates|child:") for name in names(parts))


async def test_failing_stream_ends_with_error(client: LangGraphClient) -> None:
    thread_id = await new_thread(client)
    parts = await collect(client.runs.stream(thread_id, "failing", input={"value": "v"}))
    assert names(parts) == ["metadata", "values", "error"]
    assert parts[-1].data == {"error": "ValueError", "message": "boom: v"}


async def test_stateless_stream_sends_no_checkpoints(client: LangGraphClient) -> None:
    """Upstream's temporary threads keep no history, so no checkpoint events either."""
    modes: list[Any] = ["values", "checkpoints", "debug"]
    parts = await collect(client.runs.stream(None, "slow", input={"delay": 0}, stream_mode=modes))
    assert "checkpoints" not in names(parts) and "values" in names(parts)
    assert all(p.data.get("type") != "checkpoint" for p in parts if p.event == "debug")
    kept = await collect(
        client.runs.stream(
            None, "slow", input={"delay": 0}, stream_mode=modes, on_completion="keep"
        )
    )
    assert "checkpoints" in names(kept)


async def test_stream_headers(http: httpx.AsyncClient) -> None:
    thread_id = (await http.post("/threads", json={})).json()["thread_id"]
    body = {"assistant_id": "slow", "input": {"delay": 0}}
    r = await http.post(f"/threads/{thread_id}/runs/stream", json=body)
    run_path = r.headers["content-location"]
    assert run_path.startswith(f"/threads/{thread_id}/runs/")
    assert r.headers["location"] == run_path + "/stream"
    assert r.headers["content-type"] == "text/event-stream; charset=utf-8"


async def test_resume_with_last_event_id_gets_exactly_what_was_missed(
    client: LangGraphClient,
) -> None:
    thread_id = await new_thread(client)
    parts = await collect(
        client.runs.stream(
            thread_id,
            "custom",
            input={"count": 20},
            stream_mode=["custom", "values"],
            stream_resumable=True,
        )
    )
    ids = [part.id for part in parts]
    assert all(i and i.count("-") == 1 for i in ids)
    run_id = parts[0].data["run_id"]
    for cut in (0, 5, len(parts) - 1):
        resumed = await collect(client.runs.join_stream(thread_id, run_id, last_event_id=ids[cut]))
        assert [(p.event, p.data, p.id) for p in resumed] == [
            (p.event, p.data, p.id) for p in parts[cut + 1 :]
        ]
    only_custom = await collect(
        client.runs.join_stream(thread_id, run_id, last_event_id="0", stream_mode="custom")
    )
    assert names(only_custom) == ["custom"] * 20


async def test_join_stream_after_the_run_ended(client: LangGraphClient) -> None:
    """As upstream: no Last-Event-ID means "from now", which is nothing once it ended."""
    thread_id = await new_thread(client)
    for resumable in (False, True):
        run = await client.runs.create(
            thread_id, "slow", input={"delay": 0}, stream_resumable=resumable
        )
        await client.runs.join(thread_id, run["run_id"])
        assert await collect(client.runs.join_stream(thread_id, run["run_id"])) == []


async def test_join_stream_of_a_live_run(client: LangGraphClient) -> None:
    thread_id = await new_thread(client)
    run = await client.runs.create(
        thread_id, "slow", input={"delay": 0.3, "steps": 3}, stream_mode=["values", "updates"]
    )
    parts = await collect(client.runs.join_stream(thread_id, run["run_id"], stream_mode="updates"))
    assert names(parts) == ["updates", "updates"]


async def test_join_stream_of_an_unknown_run(http: httpx.AsyncClient) -> None:
    thread_id = (await http.post("/threads", json={})).json()["thread_id"]
    r = await http.get(f"/threads/{thread_id}/runs/00000000-0000-0000-0000-000000000001/stream")
    assert r.status_code == 200
    assert r.text.startswith('event: error\r\ndata: {"error":"HTTPException"')


async def test_ten_thousand_custom_events_arrive_complete_and_in_order(
    client: LangGraphClient,
) -> None:
    thread_id = await new_thread(client)
    parts = await collect(
        client.runs.stream(thread_id, "custom", input={"count": 10_000}, stream_mode="custom")
    )
    assert [p.data["i"] for p in parts if p.event == "custom"] == list(range(10_000))


async def test_two_hundred_concurrent_streams_lose_nothing(client: LangGraphClient) -> None:
    count = 25
    results: dict[int, list[int]] = {}

    async def one(n: int) -> None:
        thread_id = await new_thread(client)
        parts = await collect(
            client.runs.stream(thread_id, "custom", input={"count": count}, stream_mode="custom")
        )
        results[n] = [p.data["i"] for p in parts if p.event == "custom"]

    with anyio.fail_after(60):
        async with anyio.create_task_group() as tg:
            for n in range(200):
                tg.start_soon(one, n)
    assert len(results) == 200
    assert all(events == list(range(count)) for events in results.values())


class Secret(Exception):
    """A graph's own exception: its message may carry what callers must not see."""


def _leaky(state: dict[str, Any]) -> dict[str, Any]:
    raise Secret("password=hunter2")


async def test_error_messages_of_a_graphs_own_exceptions_are_not_shown() -> None:
    """The class name is shown everywhere, the message only for builtin and LangGraph kinds
    (the `failing` graph's ValueError above); task errors read back from a checkpoint stay
    the string LangGraph stored, as the official server answers."""
    builder = StateGraph(dict)
    builder.add_node("leak", _leaky)
    builder.add_edge(START, "leak")
    app = skeino.create_app(
        graphs={"leaky": builder.compile()},
        settings=skeino.SkeinoSettings(database_uri="memory://"),
    )
    hidden = {"error": "Secret", "message": "An internal error occurred"}
    async with app.running():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://s") as http:
            client = LangGraphClient(http)
            tid = (await client.threads.create())["thread_id"]
            modes: list[Any] = ["values", "tasks", "debug"]
            parts = [p async for p in client.runs.stream(tid, "leaky", input={}, stream_mode=modes)]
            assert parts[-1].event == "error" and parts[-1].data == hidden
            [result] = [p.data for p in parts if p.event == "tasks" and "result" in p.data]
            assert result["error"] == hidden
            assert (await client.threads.get(tid))["error"] == hidden
            [task] = (await client.threads.get_state(tid))["tasks"]
            assert task["error"] == "Secret('password=hunter2')"
