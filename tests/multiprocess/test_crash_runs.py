"""`kill -9` of a `skeino serve` on SQLite while 100 runs write checkpoints, then a new
process on the file: every checkpoint that was served before the kill is still there, and
every run finishes exactly once (success, each step once, one run per thread)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import anyio
import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from tests.api.streams_support import stop
from tests.multiprocess.test_kill import HERE, ready, until
from tests.test_server import free_port

pytestmark = pytest.mark.anyio
RUNS, GOAL = 100, 60


@contextmanager
def serve(database: str, log: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    env = {**os.environ, "SKEINO_LEASE_SECONDS": "2", "SKEINO_POLL_SECONDS": "0.1"}
    port = free_port()
    command = [sys.executable, "-m", "skeino", "serve", str(HERE / "langgraph.json")]
    command += ["--port", str(port), "--database", database]
    with open(log, "wb") as out:  # the child keeps its own descriptor
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc, f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


@pytest.mark.timeout(300)
async def test_kill_9_mid_runs_then_restart(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path}/crash.db"
    with serve(database, tmp_path / "first.log") as (first, url):
        with anyio.fail_after(60):
            await ready(url)
        client = get_client(url=url)
        threads = [(await client.threads.create())["thread_id"] for _ in range(RUNS)]
        runs = {}
        for thread_id in threads:
            body = {"goal": GOAL, "delay": 0.05}
            runs[thread_id] = (await client.runs.create(thread_id, "ticker", input=body))["run_id"]
        seen = await _served_checkpoints(client, threads)
        in_flight = await client.threads.search(status="busy", limit=RUNS)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=20)
        await client.aclose()
    assert in_flight, "every run ended before the kill: nothing was tested"

    with serve(database, tmp_path / "second.log") as (_, url):
        with anyio.fail_after(60):
            await ready(url)
        client = get_client(url=url)
        try:
            await until(lambda: _all_ended(client, runs), 240)
            for thread_id, run_id in runs.items():
                assert [r["run_id"] for r in await client.runs.list(thread_id)] == [run_id]
                assert (await client.runs.get(thread_id, run_id))["status"] == "success"
                state = await client.threads.get_state(thread_id)
                assert state["values"]["ticks"] == list(range(1, GOAL + 1))
                history = await client.threads.get_history(thread_id, limit=GOAL + 10)
                kept = {h["checkpoint"]["checkpoint_id"] for h in history}
                assert seen[thread_id] <= kept, thread_id
        finally:
            await client.aclose()


async def _served_checkpoints(client: LangGraphClient, threads: list[str]) -> dict[str, set[str]]:
    """Each thread's checkpoints as the server answered them (so committed: it reads only
    committed data), read once runs are under way."""
    await until(lambda: _some_checkpointed(client, threads[-1]), 60)
    seen: dict[str, set[str]] = {}

    async def read(thread_id: str) -> None:
        history = await client.threads.get_history(thread_id, limit=GOAL + 10)
        seen[thread_id] = {h["checkpoint"]["checkpoint_id"] for h in history}

    async with anyio.create_task_group() as tasks:
        for thread_id in threads:
            tasks.start_soon(read, thread_id)
    return seen


async def _some_checkpointed(client: LangGraphClient, thread_id: str) -> bool:
    return len(await client.threads.get_history(thread_id, limit=3)) >= 3


async def _all_ended(client: LangGraphClient, runs: dict[str, str]) -> bool:
    for thread_id, run_id in runs.items():
        if (await client.runs.get(thread_id, run_id))["status"] in ("pending", "running"):
            return False
    return True
