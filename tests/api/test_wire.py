"""Answers that follow the official server where a scenario cannot pin them word for word."""

from __future__ import annotations

import anyio
import httpx
import pytest
from langgraph_sdk.client import LangGraphClient

pytestmark = pytest.mark.anyio


async def test_a_state_update_while_a_run_is_in_flight_is_a_conflict(
    client: LangGraphClient,
) -> None:
    """Upstream answers 409 (its detail lists the runs in Python's repr, so the
    conformance suite cannot compare it; the status and the start of it are pinned here)."""
    thread_id = (await client.threads.create())["thread_id"]
    run = await client.runs.create(thread_id, "slow", input={"delay": 30, "steps": 300})
    with pytest.raises(httpx.HTTPStatusError) as refused:
        await client.threads.update_state(thread_id, {"log": ["edited"]})
    assert refused.value.response.status_code == 409
    detail = refused.value.response.json()["detail"]
    assert detail.startswith(f"Thread {thread_id} has in-flight runs") and run["run_id"] in detail
    await client.runs.cancel(thread_id, run["run_id"], wait=True)
    with anyio.fail_after(10):
        await client.threads.update_state(thread_id, {"log": ["edited"]})


async def test_a_state_update_as_no_node_or_with_no_object_is_a_400(
    client: LangGraphClient,
) -> None:
    """As upstream, with LangGraph's own message (it was a 500)."""
    thread_id = (await client.threads.create())["thread_id"]
    await client.runs.wait(thread_id, "slow", input={"delay": 0})
    for values, node, message in (
        ({"log": ["x"]}, "nope", "Node nope does not exist"),
        ([1, 2], "work", "Expected dict, got [1, 2]"),
    ):
        with pytest.raises(httpx.HTTPStatusError) as refused:
            await client.threads.update_state(thread_id, values, as_node=node)  # type: ignore[arg-type]
        assert refused.value.response.status_code == 400
        assert refused.value.response.json()["detail"].startswith(message)
