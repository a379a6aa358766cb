"""The run queue across restarts: runs left running or pending resume at the next start."""

from __future__ import annotations

from pathlib import Path

import anyio
import httpx
import pytest
from langgraph_sdk.client import LangGraphClient

import skeino
from tests.conftest import MANIFEST

pytestmark = pytest.mark.anyio


def make_app(path: Path) -> skeino.SkeinoApp:
    settings = skeino.SkeinoSettings(database_uri=f"sqlite:///{path}", heartbeat_seconds=0.5)
    return skeino.from_langgraph_json(MANIFEST, settings=settings)


def sdk(app: skeino.SkeinoApp) -> tuple[httpx.AsyncClient, LangGraphClient]:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://skeino")
    return http, LangGraphClient(http)


async def test_runs_left_running_or_pending_resume_after_restart(tmp_path: Path) -> None:
    db = tmp_path / "recover.db"
    first = make_app(db)
    async with first.running():
        http, client = sdk(first)
        async with http:
            thread_id = (await client.threads.create())["thread_id"]
            running = await client.runs.create(thread_id, "slow", input={"delay": 1.0, "steps": 4})
            queued = await client.runs.create(thread_id, "slow", input={"delay": 0})
            with anyio.fail_after(10):
                while (await client.runs.get(thread_id, running["run_id"]))["status"] != "running":
                    await anyio.sleep(0.02)
    second = make_app(db)
    async with second.running():
        http, client = sdk(second)
        async with http:
            with anyio.fail_after(20):
                await client.runs.join(thread_id, queued["run_id"])
            statuses = {r["run_id"]: r["status"] for r in await client.runs.list(thread_id)}
            assert statuses == {running["run_id"]: "success", queued["run_id"]: "success"}
            state = await client.threads.get_state(thread_id)
            assert state["values"]["log"][-1] == "done"
