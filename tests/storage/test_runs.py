"""Runs as a queue: claims with leases, compare-and-set transitions, cancels, on both
backends, with times given (no clock, no sleeps)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import anyio
import pytest

from skeino.backend import open_backend
from skeino.ids import iso_at
from skeino.lifecycle import Event, transition
from skeino.storage import Claim, Run, RunChange, Storage
from skeino.storage.base import NO_OUTPUT
from tests.postgres import fresh_schema
from tests.storage.records import run, thread, ts

LEASE = 30.0

pytestmark = pytest.mark.anyio


async def _queue(storage: Storage, *runs: Run) -> None:
    await storage.create_thread(thread("t1"))
    for record in runs:
        await storage.create_run(record)


async def test_create_get_delete(storage: Storage) -> None:
    record = run("r1", kwargs={"input": {"x": [1, None]}}, metadata={"m": 1})
    await _queue(storage)
    assert await storage.create_run(record) == record
    with pytest.raises(ValueError):
        await storage.create_run(record)
    assert await storage.get_run("t1", "r1") == record
    assert await storage.get_run("t2", "r1") is None
    assert await storage.run_output("r1") == ("pending", NO_OUTPUT)
    assert await storage.delete_run("t2", "r1") is False
    assert await storage.delete_run("t1", "r1") is True
    assert await storage.get_run("t1", "r1") is None
    assert await storage.run_output("r1") is None


async def test_a_run_is_queued_with_its_thread_change_in_one_step(storage: Storage) -> None:
    await storage.create_thread(thread("t1", metadata={"owner": "me", "graph_id": "old"}))
    target = {"graph_id": "g", "assistant_id": "a1"}
    await storage.create_run(run("r1"), thread={"metadata": target})
    stored = await storage.get_thread("t1")
    assert stored is not None and stored["metadata"] == {"owner": "me", **target}
    with pytest.raises(ValueError):  # a field threads do not have: nothing is written
        await storage.create_run(run("r2"), thread={"colour": "red"})
    assert await storage.get_run("t1", "r2") is None


async def test_list_runs_newest_first(storage: Storage) -> None:
    await _queue(
        storage,
        run("r1", created_at=ts(1)),
        run("r2", created_at=ts(2), status="success"),
        run("r3", created_at=ts(2)),
        run("other", "t2", created_at=ts(5)),
    )
    listed = await storage.list_runs("t1", None, 10, 0)
    assert [r["run_id"] for r in listed] == ["r3", "r2", "r1"]
    assert [r["run_id"] for r in await storage.list_runs("t1", "pending", 10, 0)] == ["r3", "r1"]
    assert [r["run_id"] for r in await storage.list_runs("t1", None, 1, 1)] == ["r2"]


async def _claim(storage: Storage, now: float, thread_id: str | None = "t1", worker: str = "w1"):
    return await storage.claim_run(worker, now, now + LEASE, thread_id)


async def _finish(storage: Storage, run_id: str, worker: str = "w1", output: object = None):
    change = RunChange(transition(Event.SUCCEED), thread={"status": "idle"}, output=output)
    return await storage.change_run(run_id, replace(change, worker_id=worker))


async def test_claim_takes_the_oldest_due_run_one_at_a_time(storage: Storage) -> None:
    await storage.create_thread(thread("t1"))
    await storage.create_run(run("late", created_at=ts(0)), not_before=100.0)
    await storage.create_run(run("second", created_at=ts(2)))
    await storage.create_run(run("first", created_at=ts(1)), not_before=5.0, api_url="http://x")
    claim = await _claim(storage, 10.0)
    assert claim is not None
    assert (claim.run["run_id"], claim.run["status"], claim.attempt, claim.api_url) == (
        "first",
        "running",
        1,
        "http://x",
    )
    assert claim.run["updated_at"] == iso_at(10.0)
    assert await storage.get_run("t1", "first") == claim.run
    assert (await storage.get_thread("t1"))["status"] == "busy"  # type: ignore[index]
    assert await _claim(storage, 10.0) is None  # one running run per thread
    assert await _claim(storage, 10.0, None) is None  # from any thread, too
    await _finish(storage, "first")
    assert (await _claim(storage, 10.0)).run["run_id"] == "second"  # type: ignore[union-attr]
    await _finish(storage, "second")
    assert await _claim(storage, 99.0) is None  # not_before not reached
    assert (await _claim(storage, 100.0, None)).run["run_id"] == "late"  # type: ignore[union-attr]
    assert await _claim(storage, 100.0, "other-thread") is None


async def test_concurrent_claims_never_both_succeed(storage: Storage) -> None:
    await _queue(storage, run("r1", created_at=ts(1)), run("r2", created_at=ts(2)))
    results: list[Claim | None] = []

    async def claim(worker: str) -> None:
        results.append(await _claim(storage, 10.0, None, worker))

    async with anyio.create_task_group() as group:
        for n in range(5):
            group.start_soon(claim, f"w{n}")
    assert [c.run["run_id"] for c in results if c is not None] == ["r1"]


async def test_claims_from_two_processes_on_one_file(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path}/shared.db"
    async with open_backend(uri) as one, open_backend(uri) as two:
        first, second = one.storage, two.storage
        await _queue(first, run("r1", created_at=ts(1)), run("r2", created_at=ts(2)))
        results: list[Claim | None] = []

        async def claim(store: Storage, worker: str) -> None:
            results.append(await _claim(store, 10.0, None, worker))

        async with anyio.create_task_group() as group:
            for n, store in enumerate((first, second, first, second)):
                group.start_soon(claim, store, f"w{n}")
        assert [c.run["run_id"] for c in results if c is not None] == ["r1"]


async def test_only_the_holder_ends_a_run_with_its_thread_in_one_step(storage: Storage) -> None:
    await _queue(storage, run("r1"))
    await _claim(storage, 10.0)
    assert await _finish(storage, "r1", worker="someone-else") is None
    assert (await storage.get_run("t1", "r1"))["status"] == "running"  # type: ignore[index]
    ended = await _finish(storage, "r1", output={"answer": 42})
    assert ended is not None and ended["status"] == "success"
    assert (await storage.get_thread("t1"))["status"] == "idle"  # type: ignore[index]
    assert await storage.run_output("r1") == ("success", {"answer": 42})
    assert await _finish(storage, "r1") is None  # a lost race: nothing is overwritten
    assert await storage.renew_leases("w1", ["r1"], 99.0) == set()  # no lease outlives its run


async def test_cancel_racing_a_claim_is_heard_by_the_claimer(storage: Storage) -> None:
    await _queue(storage, run("r1"))
    await _claim(storage, 10.0)  # the claim wins the race
    cancel = RunChange(transition(Event.CANCEL_PENDING, "pending"))
    assert await storage.change_run("r1", cancel) is None
    assert (await storage.get_run("t1", "r1"))["status"] == "running"  # type: ignore[index]
    assert await storage.request_cancel("r1", "interrupt") == "running"
    assert await storage.request_cancel("r1", "rollback") == "running"  # the first one wins
    assert await storage.cancel_requests("w1") == {"r1": "interrupt"}
    assert await storage.cancel_requests("w2") == {}
    assert await storage.request_cancel("gone", "interrupt") is None


async def test_cancel_before_a_claim_wins_and_nobody_takes_the_run(storage: Storage) -> None:
    await _queue(storage, run("r1"), run("r2", created_at=ts(1)))
    cancel = RunChange(transition(Event.CANCEL_PENDING, "pending"))
    assert (await storage.change_run("r1", cancel))["status"] == "interrupted"  # type: ignore[index]
    drop = RunChange(transition(Event.DROP_PENDING, "pending"))
    assert await storage.change_run("r2", drop) is not None
    assert await storage.get_run("t1", "r2") is None
    assert await _claim(storage, 10.0) is None


async def test_an_expired_lease_puts_the_run_back_then_gives_up(storage: Storage) -> None:
    await _queue(storage, run("r1"))
    await _claim(storage, 0.0, worker="dead")  # lease until LEASE
    assert await storage.renew_leases("dead", ["r1"], LEASE + 5) == {"r1"}
    assert await storage.expired_runs(LEASE + 1) == []
    [expired] = await storage.expired_runs(LEASE + 6)
    assert (expired.run["run_id"], expired.attempt) == ("r1", 1)
    requeue = RunChange(transition(Event.REQUEUE, "running"), expired_by=LEASE + 6)
    assert await storage.change_run("r1", replace(requeue, expired_by=LEASE)) is None  # renewed
    assert (await storage.change_run("r1", requeue))["status"] == "pending"  # type: ignore[index]
    assert await storage.renew_leases("dead", ["r1"], 1000.0) == set()  # the dead worker lost it
    again = await _claim(storage, 100.0, worker="alive")
    assert again is not None and again.attempt == 2
    give_up = RunChange(
        transition(Event.GIVE_UP, "running"), thread={"status": "error"}, expired_by=1000.0
    )
    assert (await storage.change_run("r1", give_up))["status"] == "error"  # type: ignore[index]
    assert (await storage.get_thread("t1"))["status"] == "error"  # type: ignore[index]


async def test_a_state_update_never_unbusies_a_running_thread(storage: Storage) -> None:
    await _queue(storage, run("r1"))
    await storage.update_thread("t1", {"status": "interrupted"}, at_rest=True)
    assert (await storage.get_thread("t1"))["status"] == "interrupted"  # type: ignore[index]
    await _claim(storage, 10.0)
    updated = await storage.update_thread("t1", {"status": "idle", "values": {}}, at_rest=True)
    assert updated is not None and (updated["status"], updated["values"]) == ("busy", {})


async def test_runs_with_status_oldest_first(storage: Storage) -> None:
    await _queue(
        storage,
        run("r3", created_at=ts(3), status="running"),
        run("r1", created_at=ts(1)),
        run("r2", created_at=ts(2), status="success"),
        run("r0", "t2", created_at=ts(1)),
    )
    found = await storage.runs_with_status(["pending", "running"])
    assert [r["run_id"] for r in found] == ["r0", "r1", "r3"]
    assert await storage.runs_with_status([]) == []


async def test_a_claim_never_skips_ahead_of_a_run_another_worker_is_taking() -> None:
    """Postgres: while one worker holds the thread's oldest run locked (mid-claim), another
    finds nothing on that thread rather than taking the next run out of order."""
    import psycopg

    with fresh_schema() as uri:
        async with open_backend(uri) as backend:
            storage = backend.storage
            await _queue(storage, run("r1", created_at=ts(1)), run("r2", created_at=ts(2)))
            await storage.create_thread(thread("t2"))
            await storage.create_run(run("other", "t2", created_at=ts(3)))
            async with await psycopg.AsyncConnection.connect(uri) as taking:
                await taking.execute("SELECT 1 FROM runs WHERE run_id = 'r1' FOR UPDATE")
                claim = await _claim(storage, 10.0, None, "w2")
                assert claim is not None and claim.run["run_id"] == "other"
                assert await _claim(storage, 10.0, None, "w2") is None
