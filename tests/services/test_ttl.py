"""Thread and store TTL sweeps through the real app and SDK, on every backend, with a fake
clock: threads expire because the test moves the clock and sweeps, never by sleeping."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient

import skeino
from skeino.app import SkeinoApp
from skeino.manifest import ManifestError
from skeino.services.ttl import Sweeper
from skeino.settings import ThreadTtlSettings
from tests.conftest import MANIFEST
from tests.runs.test_worker import FakeClock

pytestmark = pytest.mark.anyio

HELLO = {"messages": [{"role": "user", "content": "hello"}]}


@asynccontextmanager
async def serving(
    uri: str, clock: FakeClock, name: str = "p1", **ttl: Any
) -> AsyncIterator[tuple[LangGraphClient, Sweeper]]:
    settings = skeino.SkeinoSettings(
        database_uri=uri,
        worker_id=name,
        thread_ttl=ThreadTtlSettings(**ttl),
        store_ttl={"sweep_interval_minutes": 5},
    )
    app = skeino.from_langgraph_json(MANIFEST, settings=settings, clock=clock)
    async with app.running():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://s") as http:
            yield LangGraphClient(http), sweeper(app)


def sweeper(app: SkeinoApp) -> Sweeper:
    assert app.services is not None
    return app.services.sweeper


async def exists(client: LangGraphClient, thread_id: str) -> bool:
    found = await client.threads.search(ids=[thread_id])
    return bool(found)


async def test_a_thread_with_a_short_ttl_disappears_after_a_sweep(database_uri: str) -> None:
    clock = FakeClock()
    async with serving(database_uri, clock) as (client, sweep):
        short = (await client.threads.create(ttl=1))["thread_id"]
        long = (await client.threads.create(ttl={"strategy": "delete", "ttl": 60}))["thread_id"]
        forever = (await client.threads.create())["thread_id"]
        await client.runs.wait(short, "chat", input=HELLO)
        clock.now += 30
        assert await sweep.sweep_threads() == 0
        clock.now += 31
        assert await sweep.sweep_threads() == 1
        assert not await exists(client, short)
        assert [await exists(client, t) for t in (long, forever)] == [True, True]
        gone = {"configurable": {"thread_id": short}}
        assert await sweep.checkpointer.aget_tuple(gone) is None  # its checkpoints went too
        clock.now += 3600
        assert await sweep.sweep_threads() == 1
        assert await exists(client, forever)


async def test_an_update_sets_a_new_ttl_from_now(database_uri: str) -> None:
    clock = FakeClock()
    async with serving(database_uri, clock) as (client, sweep):
        thread_id = (await client.threads.create(ttl=1))["thread_id"]
        clock.now += 50
        await client.threads.update(thread_id, metadata={"a": 1}, ttl=1)
        clock.now += 50
        assert await sweep.sweep_threads() == 0
        clock.now += 11
        assert await sweep.sweep_threads() == 1


async def test_keep_latest_keeps_only_the_newest_checkpoint(database_uri: str) -> None:
    clock = FakeClock()
    async with serving(database_uri, clock) as (client, sweep):
        ttl = {"strategy": "keep_latest", "ttl": 1}
        thread_id = (await client.threads.create(ttl=ttl))["thread_id"]
        for _ in range(2):
            await client.runs.wait(thread_id, "chat", input=HELLO)
        before = await client.threads.get_state(thread_id)
        assert len(await client.threads.get_history(thread_id, limit=100)) > 1
        clock.now += 61
        assert await sweep.sweep_threads() == 1
        history = await client.threads.get_history(thread_id, limit=100)
        assert [h["checkpoint"] for h in history] == [before["checkpoint"]]
        assert (await client.threads.get_state(thread_id))["values"] == before["values"]
        assert await sweep.sweep_threads() == 0  # armed again, from the sweep on
        out = await client.runs.wait(thread_id, "chat", input=HELLO)  # the thread goes on
        assert len(out["messages"]) == 6


async def test_the_default_ttl_applies_to_threads_runs_create(database_uri: str) -> None:
    clock = FakeClock()
    async with serving(database_uri, clock, default_ttl=5, sweep_limit=1) as (client, sweep):
        implicit = "5c1d1f3e-9d55-4bb4-9a0e-3f1f4f1f0a01"
        await client.runs.wait(implicit, "chat", input=HELLO, if_not_exists="create")
        explicit = (await client.threads.create())["thread_id"]
        clock.now += 301
        assert await sweep.sweep_threads() == 1  # `sweep_limit` per sweep
        clock.now += 300  # the next interval's turn
        assert await sweep.sweep_threads() == 1
        assert [await exists(client, t) for t in (implicit, explicit)] == [False, False]


async def test_one_process_sweeps_per_interval(shared_uri: str) -> None:
    """Two servers on one database: the lease lets one of them sweep each interval."""
    clock = FakeClock()
    async with (
        serving(shared_uri, clock, "p1") as (client, first),
        serving(shared_uri, clock, "p2") as (_, second),
    ):
        thread_id = (await client.threads.create(ttl=1))["thread_id"]
        clock.now += 61
        assert await first.sweep_threads() == 1
        assert await second.sweep_threads() is None
        clock.now += 300
        assert await second.sweep_threads() == 0
        assert await first.sweep_threads() is None
        assert not await exists(client, thread_id)


async def test_one_process_sweeps_the_store_per_interval(shared_uri: str) -> None:
    clock = FakeClock()
    async with (
        serving(shared_uri, clock, "p1") as (client, first),
        serving(shared_uri, clock, "p2") as (_, second),
    ):
        await client.store.put_item(["n"], "kept", {"v": 1})
        assert await first.sweep_store() == 0
        assert await second.sweep_store() is None
        clock.now += 300
        assert await second.sweep_store() == 0
        assert (await client.store.get_item(["n"], "kept"))["value"] == {"v": 1}


@pytest.fixture(params=["sqlite", "postgres"])
def shared_uri(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    from tests.postgres import database

    with database(request.param, tmp_path / "shared.db") as uri:
        yield uri


def test_the_manifest_reads_checkpointer_ttl(tmp_path: Path) -> None:
    def manifest(ttl: Any) -> Path:
        path = tmp_path / "langgraph.json"
        graphs = json.loads(MANIFEST.read_text())["graphs"]
        graphs = {k: str(MANIFEST.parent / v) for k, v in graphs.items()}
        path.write_text(json.dumps({"graphs": graphs, "checkpointer": {"ttl": ttl}}))
        return path

    ttl = {"strategy": "keep_latest", "default_ttl": 60, "sweep_interval_minutes": 2}
    app = skeino.from_langgraph_json(manifest(ttl))
    assert app.settings.thread_ttl == ThreadTtlSettings("keep_latest", 60, 2, 1000)
    for bad in ({"strategy": "archive"}, {"sweep_limit": "many"}, {"ttl": 5}):
        with pytest.raises(ManifestError):
            skeino.from_langgraph_json(manifest(bad))
