"""Crons fire as the user who made them: the run is authorized, stamped and seen as that
user's own, exactly like a run the user created by hand."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.errors import NotFoundError

pytestmark = pytest.mark.anyio

EVERY_SECOND = "* * * * * *"


async def first_run(client: LangGraphClient, thread_id: str) -> Any:
    with anyio.fail_after(10):
        while not (runs := await client.runs.list(thread_id)):
            await anyio.sleep(0.1)
    return runs[-1]


async def test_a_thread_cron_runs_as_its_maker(a: LangGraphClient, b: LangGraphClient) -> None:
    thread_id = (await a.threads.create())["thread_id"]
    cron = await a.crons.create_for_thread(thread_id, "whoami", schedule=EVERY_SECOND, input={})
    [found] = await a.crons.search()
    assert "creator" not in cron and "creator" not in found
    run = await first_run(a, thread_id)
    await a.crons.delete(cron["cron_id"])
    assert run["metadata"]["run_owner"] == "user-a"
    assert run["kwargs"]["config"]["configurable"]["langgraph_auth_user_id"] == "user-a"
    out = await a.runs.join(thread_id, run["run_id"])
    assert out["seen"]["identity"] == "user-a"
    assert out["seen"]["permissions"] == ["read", "write"]
    with pytest.raises(NotFoundError):
        await b.runs.list(thread_id)


async def test_a_stateless_cron_makes_threads_its_maker_owns(
    a: LangGraphClient, b: LangGraphClient
) -> None:
    cron = await a.crons.create("whoami", schedule=EVERY_SECOND, input={}, on_run_completed="keep")
    with anyio.fail_after(10):
        while not (threads := await a.threads.search(metadata={"graph_id": "whoami"})):
            await anyio.sleep(0.1)
    await a.crons.delete(cron["cron_id"])
    thread_id = threads[0]["thread_id"]
    assert threads[0]["metadata"]["owner"] == "user-a"
    assert await b.threads.search(metadata={"graph_id": "whoami"}) == []
    run = await first_run(a, thread_id)
    assert run["metadata"]["run_owner"] == "user-a"
