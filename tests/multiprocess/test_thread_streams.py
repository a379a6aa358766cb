"""Thread streams across processes: two `skeino serve` on one database (a SQLite file, or a
Postgres schema); a stream opened on one process sees a run started through the other."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from langgraph_sdk import get_client

from tests.api.streams_support import command, raw_events, run_start, serving
from tests.postgres import database

pytestmark = pytest.mark.anyio

FAST = {"SKEINO_POLL_SECONDS": "0.1"}


@pytest.fixture(params=["sqlite", "postgres"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    with database(request.param, tmp_path / "shared.db") as uri, ExitStack() as stack:
        first = stack.enter_context(_server(tmp_path / "a", uri))
        second = stack.enter_context(_server(tmp_path / "b", uri))
        yield first, second


@contextmanager
def _server(tmp: Path, uri: str) -> Iterator[str]:
    tmp.mkdir()
    yield from serving(tmp, uri, FAST)


async def test_protocol_stream_follows_a_run_started_elsewhere(pair: tuple[str, str]) -> None:
    here, there = pair
    thread_id = str(uuid.uuid4())
    body = {"channels": ["values", "lifecycle"]}
    found: list[Any] = []

    async def watch() -> None:
        found.extend(await raw_events(here, thread_id, body, "lifecycle:completed"))

    with anyio.fail_after(60):
        async with anyio.create_task_group() as tg:
            tg.start_soon(watch)
            await anyio.sleep(0.3)
            started = await command(there, thread_id, run_start("slow", {"delay": 0.2}))
            assert started.json()["type"] == "success"
    assert [e["method"] for e in found] == ["lifecycle", *["values"] * 3, "lifecycle"]
    assert found[-1]["params"]["data"]["event"] == "completed"


async def test_legacy_stream_follows_a_run_started_elsewhere(pair: tuple[str, str]) -> None:
    here, there = pair
    near, far = get_client(url=here), get_client(url=there)
    thread_id = (await far.threads.create())["thread_id"]
    seen: list[Any] = []

    async def listen() -> None:
        async for part in await near.threads.join_stream(thread_id):
            seen.append(part)
            if isinstance(part.data, dict) and part.data.get("status") == "run_done":
                return

    with anyio.fail_after(60):
        async with anyio.create_task_group() as tg:
            tg.start_soon(listen)
            await anyio.sleep(0.5)
            await far.runs.wait(thread_id, "slow", input={"delay": 0.2})
    assert [p.event for p in seen] == ["metadata", "values", "values", "values", "metadata"]
    await near.aclose()
    await far.aclose()
