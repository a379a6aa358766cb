"""The worker: this process's side of the shared run queue.

It claims runs from storage with a lease, executes each in its own task, and keeps its
leases alive with heartbeats. One loop per busy thread takes that thread's runs one after
another (a new run wakes it at once); a poll every `poll_seconds` takes runs queued by
other processes or due after a delay, hears cancels asked through other processes, and
re-queues runs whose worker stopped renewing its lease (any process may: a run whose
worker died is resumed by whoever notices first, and one that keeps dying is given up).
A worker that learns its own lease passed to another stops executing that run.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio
from anyio.abc import TaskGroup

from skeino.auth.user import revive
from skeino.clock import Clock
from skeino.ids import now_iso
from skeino.lifecycle import (
    RETRIES_EXHAUSTED,
    THREAD_WITH,
    Event,
    after_lost_lease,
    transition,
)
from skeino.metrics.runs import RunTally
from skeino.runs.bus import Bus
from skeino.runs.executor import ActiveRun, Executor
from skeino.runs.slots import Slots
from skeino.runs.webhook import Webhooks
from skeino.settings import JOBS_PER_WORKER
from skeino.storage.base import NO_OUTPUT, Claim, Run, RunChange, Storage

logger = logging.getLogger("skeino.runs")

MAX_DELAY = 3600.0  # a longer `after_seconds` is picked up by the poll


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class QueueSettings:
    worker_id: str
    lease_seconds: float = 30.0
    poll_seconds: float = 0.5
    max_attempts: int = 3
    webhooks: bool = True
    """False when `http.disable_webhooks` is set: runs' webhooks are not called."""
    jobs: int = JOBS_PER_WORKER
    """How many runs this process executes at once; the rest wait in the queue, in order,
    for this process or another."""


class Worker:
    def __init__(
        self,
        storage: Storage,
        executor: Executor,
        bus: Bus,
        clock: Clock,
        settings: QueueSettings,
        webhooks: Webhooks,
    ) -> None:
        self.storage = storage
        self.webhooks = webhooks
        self.executor = executor
        self.bus = bus
        self.clock = clock
        self.settings = settings
        self.active: dict[str, ActiveRun] = {}
        self.tally = RunTally()
        self._threads: set[str] = set()
        self._rewake: set[str] = set()
        self._slots = Slots(settings.jobs, self.poke)
        self._poked = anyio.Event()
        self._tg: TaskGroup | None = None

    @property
    def worker_id(self) -> str:
        return self.settings.worker_id

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Worker]:
        """Serve the queue; on exit, runs still executing go back to it."""
        async with anyio.create_task_group() as tg:
            self._tg = tg
            tg.start_soon(self._poll_loop)
            tg.start_soon(self._heartbeat_loop)
            tg.start_soon(self._fence_loop)
            try:
                yield self
            finally:
                tg.cancel_scope.cancel()
        self._tg = None

    # taking runs

    def wake(self, thread_id: str, delay: float | None = None) -> None:
        """Look for the thread's next run now (or after `delay`), in this process."""
        assert self._tg is not None, "the worker is not running"
        if delay:
            self._tg.start_soon(self._wake_later, thread_id, min(delay, MAX_DELAY))
        elif thread_id in self._threads:
            self._rewake.add(thread_id)
        else:
            self._threads.add(thread_id)
            self._tg.start_soon(self._work, thread_id, None)

    async def _wake_later(self, thread_id: str, delay: float) -> None:
        await anyio.sleep(delay)
        self.wake(thread_id)

    async def _claim(self, thread_id: str | None) -> Claim | None:
        now = self.clock.time()
        lease_until = now + self.settings.lease_seconds
        return await self.storage.claim_run(self.worker_id, now, lease_until, thread_id)

    async def _work(self, thread_id: str, claim: Claim | None) -> None:
        """Execute the thread's runs one after another until none is due; each claim waits
        for a free slot first (`claim` comes with its slot)."""
        try:
            while True:
                if claim is None:
                    self._rewake.discard(thread_id)
                    claim = await self._claim_in_slot(thread_id)
                    if claim is None:
                        if thread_id in self._rewake:
                            continue
                        return
                await self._execute_in_slot(claim)
                claim = None
        finally:
            self._threads.discard(thread_id)

    async def _claim_in_slot(self, thread_id: str | None) -> Claim | None:
        await self._slots.take()
        try:
            claim = await self._claim(thread_id)
        except BaseException:
            self._slots.give_back()
            raise
        if claim is None:
            self._slots.give_back()
        return claim

    async def _execute_in_slot(self, claim: Claim) -> None:
        try:
            await self._execute(claim)
        finally:
            self._slots.give_back()

    def _start(self, claim: Claim) -> None:
        assert self._tg is not None
        thread_id = claim.run["thread_id"]
        if thread_id in self._threads:
            self._tg.start_soon(self._execute_then_wake, claim)
        else:
            self._threads.add(thread_id)
            self._tg.start_soon(self._work, thread_id, claim)

    async def _execute_then_wake(self, claim: Claim) -> None:
        """Beside the thread's loop, which may have just found nothing to take."""
        await self._execute_in_slot(claim)
        self.wake(claim.run["thread_id"])

    async def _execute(self, claim: Claim) -> None:
        run = claim.run
        configurable = run["kwargs"]["config"]["configurable"]
        if configurable.get("langgraph_auth_user") is not None:  # stored as a plain dict
            configurable["langgraph_auth_user"] = revive(configurable["langgraph_auth_user"])
        run_id = run["run_id"]
        self.bus.open(run_id, run["thread_id"], run["kwargs"].get("resumable", False))
        active = self.active[run_id] = ActiveRun(claim, self.worker_id)
        finished, started = None, self.clock.time()
        try:
            finished = await self.executor.execute(active)
        except Exception:  # its lease lapses and another attempt (or the retry cap) ends it
            logger.exception("run %s could not be recorded", run_id)
        finally:
            del self.active[run_id]
            if active.reason == "lost":
                self.bus.broker.move(run_id)
            else:
                self.bus.end(run_id, NO_OUTPUT if finished is None else finished.output)
        if finished is not None:
            self.tally.record(finished.outcome.value, self.clock.time() - started)
        if finished is not None and run["kwargs"].get("webhook") and self.settings.webhooks:
            assert self._tg is not None
            self._tg.start_soon(self._webhook, run, claim.api_url or self.executor.api_url)

    async def _webhook(self, run: Run, server_url: str) -> None:
        """The run as it ended, with its thread's values, as the official server sends."""
        final = await self.storage.get_run(run["thread_id"], run["run_id"])
        thread = await self.storage.get_thread(run["thread_id"])
        payload = {
            **(final or run),
            "webhook_sent_at": now_iso(),
            "values": thread["values"] if thread is not None else None,
        }
        await self.webhooks.send(run["kwargs"]["webhook"], server_url, payload)

    # keeping the queue healthy

    def poke(self) -> None:
        """Another process queued a run or asked a cancel: poll now."""
        self._poked.set()

    async def _poll_loop(self) -> None:
        while True:
            with anyio.move_on_after(self.settings.poll_seconds):
                await self._poked.wait()
            self._poked = anyio.Event()
            try:
                await self.poll()
            except Exception:  # the database may be briefly unreachable: try again later
                logger.exception("queue poll failed")

    async def poll(self) -> None:
        """One round: re-queue abandoned runs, hear cancels, take what is due."""
        await self.reclaim()
        if self.active:
            for run_id, action in (await self.storage.cancel_requests(self.worker_id)).items():
                if run_id in self.active:
                    self.active[run_id].cancel(action)
        while self._slots.free > 0:
            claim = await self._claim_in_slot(None)
            if claim is None:
                break
            self._start(claim)
        self._slots.note_missed()
        await self._forget_channels_of_runs_elsewhere()

    async def _forget_channels_of_runs_elsewhere(self) -> None:
        """A run queued here but taken by another process leaves an unread local channel."""
        for run_id in self.bus.broker.unread(self.settings.lease_seconds, 100):
            found = await self.storage.run_output(run_id)
            gone = found is None or found[0] != "pending"
            if gone and run_id not in self.active:  # after the await: it may run here now
                self.bus.broker.discard(run_id)

    async def reclaim(self) -> list[str]:
        """Re-queue (or give up) runs whose lease ended; the ids this process changed."""
        changed = []
        now = self.clock.time()
        for claim in await self.storage.expired_runs(now):
            event = after_lost_lease(claim.attempt, self.settings.max_attempts)
            change = RunChange(transition(event, "running"), expired_by=now)
            if event is Event.GIVE_UP:
                thread = {"status": THREAD_WITH[event], "error": RETRIES_EXHAUSTED}
                change = RunChange(change.transition, thread=thread, expired_by=now)
            if await self.storage.change_run(claim.run["run_id"], change) is None:
                continue  # renewed, or reclaimed by another process first
            changed.append(claim.run["run_id"])
            logger.warning(
                "run %s: its worker stopped renewing its lease (attempt %d): %s",
                claim.run["run_id"],
                claim.attempt,
                event.value,
            )
        return changed

    async def _heartbeat_loop(self) -> None:
        while True:
            await anyio.sleep(self.settings.lease_seconds / 3)
            try:
                await self.heartbeat()
            except Exception:
                logger.exception("lease renewal failed")

    async def heartbeat(self) -> None:
        """Renew this worker's leases; stop any run another worker has taken over."""
        if not self.active:
            return
        lease_until = self.clock.time() + self.settings.lease_seconds
        asked = list(self.active)
        held = await self.storage.renew_leases(self.worker_id, asked, lease_until)
        for run_id in asked:  # not runs claimed during the renewal: their leases are fresh
            active = self.active.get(run_id)
            if active is None:
                continue  # ended meanwhile
            if run_id in held:
                active.held_until = lease_until
            elif active.reason is None:
                active.cancel("lost")

    async def _fence_loop(self) -> None:
        while True:
            await anyio.sleep(self.settings.lease_seconds / 10)
            self.fence()

    def fence(self) -> None:
        """Stop a run whose lease could not be renewed in time, before it can run out and
        another worker take it: two workers never execute one run at once."""
        margin = self.settings.lease_seconds / 5
        now = self.clock.time()
        for active in list(self.active.values()):
            if active.held_until - margin < now and active.reason is None:
                run_id = active.run["run_id"]
                logger.warning("run %s: its lease could not be renewed in time", run_id)
                active.cancel("lost")
