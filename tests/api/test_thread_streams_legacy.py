"""`GET /threads/{id}/stream` through a real `skeino serve`: its modes as the official
server reads them (`stream_modes`, comma-separated), `Last-Event-ID` replay, errors."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest
from langgraph_sdk.client import LangGraphClient

pytestmark = pytest.mark.anyio


async def listen(
    streams_client: LangGraphClient, thread_id: str, into: list[Any], stop: str, **kwargs: Any
) -> None:
    """Parts of the thread stream until one whose event (or metadata status) is `stop`."""
    async for part in await streams_client.threads.join_stream(thread_id, **kwargs):
        into.append(part)
        status = part.data.get("status") if isinstance(part.data, dict) else None
        if stop in (part.event, status):
            return


async def streamed(
    streams_client: LangGraphClient, thread_id: str, stop: str, work: Any, **kwargs: Any
) -> list[Any]:
    seen: list[Any] = []
    with anyio.fail_after(30):
        async with anyio.create_task_group() as tg:
            tg.start_soon(lambda: listen(streams_client, thread_id, seen, stop, **kwargs))
            await anyio.sleep(0.3)  # the stream is open (it starts at "now")
            await work()
    return seen


async def test_run_modes_by_default(streams_client: LangGraphClient) -> None:
    thread_id = (await streams_client.threads.create())["thread_id"]

    async def work() -> None:
        await streams_client.runs.wait(thread_id, "slow", input={"delay": 0})

    seen = await streamed(streams_client, thread_id, "run_done", work)
    assert [p.event for p in seen] == ["metadata", "values", "values", "values", "metadata"]
    assert seen[-1].data["status"] == "run_done"
    assert all(p.id for p in seen)


async def test_lifecycle_mode_sends_run_starts_and_ends(streams_client: LangGraphClient) -> None:
    thread_id = (await streams_client.threads.create())["thread_id"]

    async def work() -> None:
        await streams_client.runs.wait(thread_id, "slow", input={"delay": 0})

    params = {"stream_modes": "lifecycle"}
    seen = await streamed(streams_client, thread_id, "run_done", work, params=params)
    assert [(p.event, sorted(p.data)) for p in seen] == [
        ("metadata", ["attempt", "run_id"]),
        ("metadata", ["run_id", "status"]),
    ]


async def test_state_update_mode(streams_client: LangGraphClient) -> None:
    thread_id = (await streams_client.threads.create())["thread_id"]
    await streams_client.runs.wait(thread_id, "slow", input={"delay": 0})

    async def work() -> None:
        await streams_client.threads.update_state(thread_id, {"log": ["edited"]}, as_node="finish")

    params = {"stream_modes": "state_update"}
    seen = await streamed(streams_client, thread_id, "state_update", work, params=params)
    assert [p.event for p in seen] == ["state_update"]
    assert seen[0].data["thread_id"] == thread_id
    assert seen[0].data["state"]["values"]["log"][-1] == "edited"


async def test_last_event_id_replays_what_followed(streams_client: LangGraphClient) -> None:
    thread_id = (await streams_client.threads.create())["thread_id"]
    run = await streams_client.runs.create(
        thread_id, "slow", input={"delay": 0}, stream_mode="values", stream_resumable=True
    )
    await streams_client.runs.join(thread_id, run["run_id"])
    whole: list[Any] = []
    with anyio.fail_after(30):
        await listen(streams_client, thread_id, whole, "run_done", last_event_id="-")
    assert [p.event for p in whole] == ["metadata", "values", "values", "values", "metadata"]
    rest: list[Any] = []
    with anyio.fail_after(30):
        await listen(streams_client, thread_id, rest, "run_done", last_event_id=whole[1].id)
    assert [p.id for p in rest] == [p.id for p in whole[2:]]


@pytest.mark.parametrize(
    ("headers", "params", "detail"),
    [
        (
            {"Last-Event-ID": "garbage"},
            {},
            "Invalid last-event-id: must be a valid Redis stream ID",
        ),
        ({}, {"stream_modes": "run_modes,bogus"}, "Invalid stream mode: bogus"),
    ],
)
async def test_bad_requests(
    streams_client: LangGraphClient, streams_server: str, headers: Any, params: Any, detail: str
) -> None:
    thread_id = (await streams_client.threads.create())["thread_id"]
    async with httpx.AsyncClient(base_url=streams_server) as http:
        found = await http.get(f"/threads/{thread_id}/stream", headers=headers, params=params)
    assert found.status_code == 422
    assert found.json() == {"detail": detail}
