"""The executor's turns during a burst: a graph that queues thousands of events at once is
published in turns, so its readers drain as it goes and a cancel lands mid-burst."""

from __future__ import annotations

from typing import Any, TypedDict

import anyio
import httpx
import pytest
from langgraph.config import get_stream_writer
from langgraph.graph import START, StateGraph
from langgraph_sdk.client import LangGraphClient

import skeino
from tests.multiprocess.test_kill import ready
from tests.test_server import free_port, serving

pytestmark = pytest.mark.anyio


class Burst(TypedDict, total=False):
    count: int


async def _burst(state: Burst) -> Burst:
    """Every event written without a single await: LangGraph queues them all at once."""
    write = get_stream_writer()
    for i in range(state["count"]):
        write({"i": i})
    return {}


def _app(subscriber_buffer: int = 4096) -> Any:
    builder = StateGraph(Burst)
    builder.add_node("burst", _burst)
    builder.add_edge(START, "burst")
    settings = skeino.SkeinoSettings(database_uri="memory://", subscriber_buffer=subscriber_buffer)
    return skeino.create_app(graphs={"burst": builder.compile()}, settings=settings)


async def test_a_reader_with_a_small_buffer_keeps_up_with_a_burst() -> None:
    """8 events of buffer, 2,000 queued at once: the run lets the reader drain before it
    falls behind, so it is not cut off as a slow consumer and sees every event in order."""
    app = _app(subscriber_buffer=8)
    async with app.running():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://s") as http:
            client = LangGraphClient(http)
            thread_id = (await client.threads.create())["thread_id"]
            stream = client.runs.stream(
                thread_id, "burst", input={"count": 2000}, stream_mode="custom"
            )
            parts = [part async for part in stream]
    assert "error" not in [part.event for part in parts]
    assert [p.data["i"] for p in parts if p.event == "custom"] == list(range(2000))


async def test_a_cancel_mid_burst_stops_the_stream_before_the_burst_ends() -> None:
    """Server and client share one event loop, so the client reads, and its cancel is
    served, only in the turns the run gives the loop while it publishes a burst of 50,000
    queued events: the stream ends with the run interrupted long before the last."""
    count, app, port, stop = 50_000, _app(), free_port(), anyio.Event()
    url = f"http://127.0.0.1:{port}"
    async with anyio.create_task_group() as tg:  # hypercorn runs the app's lifespan
        tg.start_soon(serving, app, port, stop)
        with anyio.fail_after(30):
            await ready(url)
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            thread_id = (await http.post("/threads", json={})).json()["thread_id"]
            body = {"assistant_id": "burst", "input": {"count": count}, "stream_mode": "custom"}
            received, run_path = 0, ""
            async with http.stream("POST", f"/threads/{thread_id}/runs/stream", json=body) as r:
                async for chunk in r.aiter_bytes():
                    received += chunk.count(b"event: custom\r\n")
                    if not run_path and received:
                        run_path = r.headers["content-location"]
                        assert (await http.post(run_path + "/cancel")).status_code == 202
            run = (await http.get(run_path)).json()
        stop.set()
    assert run["status"] == "interrupted"
    assert 0 < received < count
