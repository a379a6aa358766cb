"""The worker and the shared queue, driven deterministically: a fake clock, named workers,
and a "ghost" worker that claims runs through storage and then vanishes. No sleeps decide
anything here: leases expire because the test moves the clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from langgraph_sdk.client import LangGraphClient

import skeino
from skeino.app import SkeinoApp
from skeino.services.container import Services
from tests.conftest import MANIFEST

pytestmark = pytest.mark.anyio

LEASE = 30.0
FAR = 10_000.0  # `after_seconds` that keeps a run queued until the test lets a worker take it


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_app(database_uri: str, clock: FakeClock, max_attempts: int = 2) -> SkeinoApp:
    settings = skeino.SkeinoSettings(
        database_uri=database_uri,
        worker_id="alive",
        lease_seconds=LEASE,
        poll_seconds=3600,  # the test calls `poll()` itself (Postgres' wake-ups aside)
        max_attempts=max_attempts,
    )
    return skeino.from_langgraph_json(MANIFEST, settings=settings, clock=clock)


@pytest.fixture
async def app(database_uri: str, clock: FakeClock) -> AsyncIterator[SkeinoApp]:
    async with make_app(database_uri, clock).running() as application:
        yield application


def services(app: SkeinoApp) -> Services:
    assert app.services is not None
    return app.services


async def queued_and_taken_by_a_ghost(
    client: LangGraphClient, app: SkeinoApp, clock: FakeClock
) -> tuple[str, str]:
    """A run that a worker claimed (lease and all) and then vanished with."""
    thread_id = (await client.threads.create())["thread_id"]
    run = await client.runs.create(thread_id, "slow", input={"delay": 0}, after_seconds=FAR)
    now = clock.now + FAR
    claim = await services(app).storage.claim_run("ghost", now, now + LEASE)
    assert claim is not None and claim.run["run_id"] == run["run_id"]
    return thread_id, run["run_id"]


async def test_a_run_whose_worker_vanished_is_taken_again_and_ends_once(
    client: LangGraphClient, app: SkeinoApp, clock: FakeClock
) -> None:
    thread_id, run_id = await queued_and_taken_by_a_ghost(client, app, clock)
    worker = services(app).worker
    clock.now += FAR + LEASE / 2
    assert await worker.reclaim() == []  # the lease still holds
    clock.now += LEASE
    await worker.poll()  # re-queued, and taken by the live worker
    with anyio.fail_after(10):
        out = await client.runs.join(thread_id, run_id)
    assert out["log"] == ["worked:1", "done"]  # every step once
    assert (await client.runs.get(thread_id, run_id))["status"] == "success"
    assert (await client.threads.get(thread_id))["status"] == "idle"
    ghost_lease = await services(app).storage.renew_leases("ghost", [run_id], clock.now + LEASE)
    assert ghost_lease == set()


async def test_a_run_that_keeps_losing_its_worker_is_given_up(
    database_uri: str, clock: FakeClock
) -> None:
    """With one attempt allowed, the first lost lease ends the run (more attempts re-queue
    it, as the test above shows)."""
    async with make_app(database_uri, clock, max_attempts=1).running() as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://s") as http:
            client = LangGraphClient(http)
            thread_id, run_id = await queued_and_taken_by_a_ghost(client, app, clock)
            storage, worker = services(app).storage, services(app).worker
            clock.now += FAR + 2 * LEASE
            assert await worker.reclaim() == [run_id]  # attempt 1 of 1: given up
            with anyio.fail_after(10):
                await client.runs.join(thread_id, run_id)
            await given_up(client, storage, thread_id, run_id)


async def given_up(client: LangGraphClient, storage: Any, thread_id: str, run_id: str) -> None:
    assert (await client.runs.get(thread_id, run_id))["status"] == "error"
    thread = await storage.get_thread(thread_id)
    assert thread is not None and thread["status"] == "error"
    assert thread["error"]["error"] == "RunAbandoned"


async def test_a_cancel_that_loses_the_race_to_a_claim_is_heard_by_the_claimer(
    client: LangGraphClient, app: SkeinoApp, clock: FakeClock
) -> None:
    thread_id, run_id = await queued_and_taken_by_a_ghost(client, app, clock)
    await client.runs.cancel(thread_id, run_id)  # it was pending when the request looked
    storage = services(app).storage
    assert (await client.runs.get(thread_id, run_id))["status"] == "running"  # not overwritten
    assert await storage.cancel_requests("ghost") == {run_id: "interrupt"}
    clock.now += FAR + 2 * LEASE  # the ghost never ends it: the live worker does, as asked
    await services(app).worker.poll()
    with anyio.fail_after(10):
        await client.runs.join(thread_id, run_id)
    assert (await client.runs.get(thread_id, run_id))["status"] == "interrupted"
    values = (await client.threads.get_state(thread_id))["values"]
    assert not values.get("log")  # no step of it ran


async def test_a_worker_that_lost_its_lease_stops_the_run(
    client: LangGraphClient, app: SkeinoApp, clock: FakeClock
) -> None:
    thread_id = (await client.threads.create())["thread_id"]
    run = await client.runs.create(thread_id, "slow", input={"delay": 30, "steps": 30})
    storage, worker = services(app).storage, services(app).worker
    with anyio.fail_after(10):
        while run["run_id"] not in worker.active:
            await anyio.sleep(0.01)
    clock.now += 2 * LEASE  # as if this process had stalled past its lease
    change_hands = await storage.expired_runs(clock.now)
    assert [c.run["run_id"] for c in change_hands] == [run["run_id"]]
    await worker.reclaim()
    assert await storage.claim_run("other", clock.now, clock.now + LEASE) is not None
    await worker.heartbeat()  # learns the run is another worker's now, and stops it
    with anyio.fail_after(10):
        while run["run_id"] in worker.active:
            await anyio.sleep(0.01)
    current = await client.runs.get(thread_id, run["run_id"])
    assert current["status"] == "running"  # nothing written over the new holder's run
    assert await storage.cancel_requests("other") == {}


async def test_the_database_is_shared_by_two_apps_on_one_file(tmp_path: Path) -> None:
    """Two apps (as two processes would) on one file: a run created through one is
    cancelled and joined through the other."""
    uri = f"sqlite:///{tmp_path}/shared.db"
    apps = [
        skeino.from_langgraph_json(
            MANIFEST,
            settings=skeino.SkeinoSettings(database_uri=uri, worker_id=name, poll_seconds=0.05),
        )
        for name in ("one", "two")
    ]
    async with apps[0].running(), apps[1].running():
        one, two = (
            LangGraphClient(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=a), base_url="http://s")
            )
            for a in apps
        )
        thread_id = (await one.threads.create())["thread_id"]
        run = await one.runs.create(thread_id, "slow", input={"delay": 30, "steps": 300})
        with anyio.fail_after(10):
            while (await two.runs.get(thread_id, run["run_id"]))["status"] != "running":
                await anyio.sleep(0.02)
        await two.runs.cancel(thread_id, run["run_id"], wait=True)
        assert (await one.runs.get(thread_id, run["run_id"]))["status"] == "interrupted"
        with anyio.fail_after(10):
            joined = await two.runs.join(thread_id, run["run_id"])
        assert joined is not None
        assert (await two.threads.get(thread_id))["status"] != "busy"


async def test_a_run_claimed_while_leases_are_renewed_keeps_running(
    client: LangGraphClient, app: SkeinoApp, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The renewal answers for the runs it was asked about: a run that started while it
    was on its way is not taken for one whose lease passed to another worker."""
    storage, worker = services(app).storage, services(app).worker
    slow = {"delay": 30, "steps": 30}
    first = await client.runs.create(
        (await client.threads.create())["thread_id"], "slow", input=slow
    )
    second_thread = (await client.threads.create())["thread_id"]
    with anyio.fail_after(10):
        while first["run_id"] not in worker.active:
            await anyio.sleep(0.01)
    renew = storage.renew_leases
    started: list[str] = []

    async def renew_while_a_run_starts(worker_id: str, run_ids: Any, until: float) -> set[str]:
        second = await client.runs.create(second_thread, "slow", input=slow)
        with anyio.fail_after(10):
            while second["run_id"] not in worker.active:
                await anyio.sleep(0.01)
        started.append(second["run_id"])
        return await renew(worker_id, run_ids, until)

    monkeypatch.setattr(storage, "renew_leases", renew_while_a_run_starts)
    await worker.heartbeat()
    assert worker.active[started[0]].reason is None
    assert worker.active[first["run_id"]].reason is None


async def test_a_worker_executes_at_most_its_jobs_at_once(
    database_uri: str, clock: FakeClock
) -> None:
    """With one job per worker a second run waits in the queue, even through a poll, and
    starts once the first ends."""
    settings = skeino.SkeinoSettings(
        database_uri=database_uri, lease_seconds=LEASE, poll_seconds=3600, jobs_per_worker=1
    )
    app = skeino.from_langgraph_json(MANIFEST, settings=settings, clock=clock)
    async with app.running():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://s") as http:
            client = LangGraphClient(http)
            worker = services(app).worker
            first_thread = (await client.threads.create())["thread_id"]
            second_thread = (await client.threads.create())["thread_id"]
            first = await client.runs.create(first_thread, "slow", input={"delay": 30})
            second = await client.runs.create(second_thread, "slow", input={"delay": 0})
            with anyio.fail_after(10):
                while first["run_id"] not in worker.active:
                    await anyio.sleep(0.01)
            await worker.poll()
            assert list(worker.active) == [first["run_id"]]
            assert (await client.runs.get(second_thread, second["run_id"]))["status"] == "pending"
            await client.runs.cancel(first_thread, first["run_id"])
            with anyio.fail_after(10):
                await client.runs.join(second_thread, second["run_id"])
            assert (await client.runs.get(second_thread, second["run_id"]))["status"] == "success"
