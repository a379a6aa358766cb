"""Three real `skeino serve` processes on one fresh database (a SQLite file, or a Postgres
schema), started at once, calls spread over them, one killed with SIGKILL mid-run: every
run ends `success` once, no step is lost or repeated, no thread stays busy, and cancel,
join, stream-join and `Last-Event-ID` replay work from a process other than the one
executing the run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from tests.postgres import database
from tests.test_server import free_port

pytestmark = pytest.mark.anyio

HERE = Path(__file__).resolve().parent
THREADS, RUNS_PER_THREAD, GOAL = 10, 3, 6
LEASE = 3.0


@pytest.fixture(params=["sqlite", "postgres"])
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(request.param, tmp_path / "shared.db") as uri:
        yield uri


@pytest.fixture
def servers(shared: str, tmp_path: Path) -> Iterator[list[tuple[subprocess.Popen[bytes], str]]]:
    env = {**os.environ, "SKEINO_LEASE_SECONDS": str(LEASE), "SKEINO_POLL_SECONDS": "0.1"}
    started, logs = [], []
    for n in range(3):
        port = free_port()
        log = open(tmp_path / f"server{n}.log", "wb")  # noqa: SIM115 - closed with the process
        command = [sys.executable, "-m", "skeino", "serve", str(HERE / "langgraph.json")]
        command += ["--port", str(port), "--database", shared]
        proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        logs.append(log)
        started.append((proc, f"http://127.0.0.1:{port}"))
    try:
        yield started
    finally:
        for proc, _ in started:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc, _ in started:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        for log in logs:
            log.close()


async def ready(url: str) -> None:
    async with httpx.AsyncClient() as probe:
        while True:
            try:
                if (await probe.get(url + "/ok")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await anyio.sleep(0.05)


async def until(check, seconds: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    with anyio.fail_after(seconds):
        while not await check():
            await anyio.sleep(0.1)


async def test_three_processes_one_killed(
    servers: list[tuple[subprocess.Popen[bytes], str]], tmp_path: Path
) -> None:
    with anyio.fail_after(60):
        for proc, url in servers:
            await ready(url)
            assert proc.poll() is None, (tmp_path / "server0.log").read_text()
    clients: list[LangGraphClient] = [get_client(url=url) for _, url in servers]
    try:
        await _exercise(servers, clients)
    finally:
        for client in clients:
            await client.aclose()


async def _exercise(
    servers: list[tuple[subprocess.Popen[bytes], str]], clients: list[LangGraphClient]
) -> None:
    threads = [(await clients[n % 3].threads.create())["thread_id"] for n in range(THREADS)]
    runs = []
    for round_ in range(RUNS_PER_THREAD):
        for n, thread_id in enumerate(threads):
            client = clients[(n + round_) % 3]
            body = {"goal": GOAL * (round_ + 1), "delay": 0.05}
            run = await client.runs.create(
                thread_id, "ticker", input=body, multitask_strategy="enqueue"
            )
            runs.append((thread_id, run["run_id"]))
    survivor = clients[1]
    await until(lambda: _any_running(survivor, threads))
    servers[0][0].send_signal(signal.SIGKILL)  # mid-run, holding leases

    # cancel, join and stream-join, each through a process other than the executing one
    thread_id = (await clients[1].threads.create())["thread_id"]
    long = await clients[1].runs.create(thread_id, "slow", input={"delay": 60, "steps": 600})
    await until(lambda: _status(clients[2], thread_id, long["run_id"], "running"))
    await clients[2].runs.cancel(thread_id, long["run_id"], wait=True)
    assert (await clients[1].runs.get(thread_id, long["run_id"]))["status"] == "interrupted"

    joined_thread = (await clients[1].threads.create())["thread_id"]
    joined = await clients[1].runs.create(joined_thread, "ticker", input={"goal": 10, "delay": 0.1})
    await until(lambda: _status(clients[2], joined_thread, joined["run_id"], "running"))
    events = [
        part.event
        async for part in clients[2].runs.join_stream(
            joined_thread, joined["run_id"], stream_mode="values"
        )
    ]
    assert "values" in events, events
    out = await clients[2].runs.join(joined_thread, joined["run_id"])
    assert out["ticks"] == list(range(1, 11))

    replayed = await clients[1].runs.create(
        joined_thread, "ticker", input={"goal": 13, "delay": 0.01}, stream_resumable=True
    )
    await clients[1].runs.join(joined_thread, replayed["run_id"])
    parts = [
        part
        async for part in clients[2].runs.join_stream(
            joined_thread, replayed["run_id"], last_event_id="0-0"
        )
    ]
    assert parts[0].event == "metadata"
    ticks = [part.data["ticks"] for part in parts if part.event == "values"]
    assert ticks[-1] == list(range(1, 14)) and len(ticks) == 4  # the input, then 3 steps

    async def all_ended() -> bool:
        for thread_id, run_id in runs:
            if (await survivor.runs.get(thread_id, run_id))["status"] in ("pending", "running"):
                return False
        return True

    await until(all_ended, 90)
    for thread_id, run_id in runs:
        assert (await survivor.runs.get(thread_id, run_id))["status"] == "success"
    for thread_id in threads:
        state = await survivor.threads.get_state(thread_id)
        ticks = state["values"]["ticks"]
        if ticks != list(range(1, GOAL * RUNS_PER_THREAD + 1)):
            history = await survivor.threads.get_history(thread_id, limit=100)
            steps = [
                (
                    h["metadata"].get("run_id"),
                    h["metadata"]["step"],
                    len(h["values"].get("ticks", [])),
                )
                for h in history
            ]
            pytest.fail(f"thread {thread_id}: ticks {ticks}; checkpoints, newest first: {steps}")
        assert (await survivor.threads.get(thread_id))["status"] == "idle"
    busy = await survivor.threads.search(status="busy")
    assert busy == []


async def _any_running(client: LangGraphClient, threads: list[str]) -> bool:
    found = await client.threads.search(status="busy", limit=100)
    return len(found) >= 3


async def _status(client: LangGraphClient, thread_id: str, run_id: str, status: str) -> bool:
    return (await client.runs.get(thread_id, run_id))["status"] == status
