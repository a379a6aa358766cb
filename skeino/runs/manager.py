"""The run queue: one worker per busy thread, multitask strategies, cancel, wait.

Storage is the queue of record: a run is inserted `pending` and a thread's worker claims
runs one at a time (`Storage.claim_run`), so at most one run executes per thread. Creating a
run wakes the thread's worker at once, in this process; a slow poll picks up runs that
another process queued. At start-up, runs left `running` by a dead process are put back to
`pending` (they resume from their last checkpoint) and every thread with pending runs is
woken.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from anyio.abc import TaskGroup

from skeino.auth.authorize import Access
from skeino.auth.filters import matches
from skeino.auth.runs import THREAD_OR_ASSISTANT, authorize_run, cancellable, may_cancel
from skeino.auth.user import revive
from skeino.errors import Conflict, NotFound
from skeino.ids import now_iso, uuid7
from skeino.models.runs import RunCreate
from skeino.runs.broker import Broker, Subscription
from skeino.runs.config import Origin, build_run
from skeino.runs.executor import ActiveRun, CancelAction, Executor, Finished
from skeino.runs.status import TERMINAL, check_transition
from skeino.runs.webhook import send_webhook
from skeino.services.assistants import AssistantService
from skeino.services.threads import ThreadService, new_thread
from skeino.storage.base import Run, RunStatus, Storage

logger = logging.getLogger("skeino.runs")

POLL_SECONDS = 2.0
RESULT_RETENTION = 300.0
BUSY = ("pending", "running")
NOTHING_TO_CANCEL = "No runs found to cancel."
NOT_CANCELLABLE = (
    "No matching runs to cancel. Please verify the thread ID and run IDs are correct, "
    "and the runs haven't been deleted or completed."
)


class RunManager:
    def __init__(
        self,
        storage: Storage,
        assistants: AssistantService,
        threads: ThreadService,
        executor: Executor,
        broker: Broker,
    ) -> None:
        self.storage = storage
        self.assistants = assistants
        self.threads = threads
        self.executor = executor
        self.broker = broker
        self.active: dict[str, ActiveRun] = {}
        self.results: dict[str, tuple[float, Finished]] = {}
        self._done: dict[str, anyio.Event] = {}
        self._workers: set[str] = set()
        self._api_urls: dict[str, str] = {}
        self._rewake: set[str] = set()
        self._tg: TaskGroup | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[RunManager]:
        """The lifetime of the queue: recover, serve, and on exit cancel what still runs."""
        async with anyio.create_task_group() as tg:
            self._tg = tg
            await self._recover()
            tg.start_soon(self._poll)
            try:
                yield self
            finally:
                tg.cancel_scope.cancel()
        self._tg = None

    # creating runs

    async def create(
        self,
        thread_id: str | None,
        body: RunCreate,
        subscribe: bool = False,
        origin: Origin | None = None,
        access: Access | None = None,
    ) -> tuple[Run, Subscription | None]:
        """Queue a run (stateless when `thread_id` is None); optionally subscribe first.

        Under auth, `threads.create_run` decides: its filter must pass the thread, the
        metadata it writes joins the run's, and the caller reaches the graph's config.
        """
        origin = origin or Origin()
        try:
            assistant = await self.assistants.resolve(body.assistant_id, access)
        except NotFound:
            raise NotFound(THREAD_OR_ASSISTANT) from None
        stateless = thread_id is None
        found = None if thread_id is None else await self.storage.get_thread(thread_id)
        if thread_id is not None and found is None and body.if_not_exists != "create":
            raise NotFound(THREAD_OR_ASSISTANT)
        thread_id = thread_id or uuid7()
        run = build_run(
            uuid7(),
            thread_id,
            assistant,
            body,
            temporary=stateless and body.on_completion == "delete",
            thread_metadata=None if stateless else (found or {}).get("metadata", {}),
            origin=origin,
        )
        owner = {}
        if access is not None:
            owner = await authorize_run(run, body, found, access, stateless=stateless)
        created = None if found else await self.storage.create_thread(new_thread(thread_id, owner))
        if created is None and not stateless:  # existing, or created by a racing request
            await self._apply_multitask(thread_id, body)
        if origin.api_url:
            self._api_urls[run["run_id"]] = origin.api_url
        await self.storage.update_thread(
            thread_id,
            {
                "metadata": {
                    "graph_id": assistant["graph_id"],
                    "assistant_id": assistant["assistant_id"],
                }
            },
        )
        self.broker.open(run["run_id"], thread_id, keep_log=body.stream_resumable)
        subscription = self.broker.subscribe(run["run_id"]) if subscribe else None
        self._done[run["run_id"]] = anyio.Event()
        created = await self.storage.create_run(run)
        self.wake(thread_id, body.after_seconds)
        return created, subscription

    async def _apply_multitask(self, thread_id: str, body: RunCreate) -> None:
        inflight = await self._inflight(thread_id)
        if not inflight or body.multitask_strategy == "enqueue":
            return
        if body.multitask_strategy == "reject":
            raise Conflict(
                "Thread is already running a task. Wait for it to finish or choose a "
                "different multitask strategy."
            )
        action: CancelAction = "rollback" if body.multitask_strategy == "rollback" else "interrupt"
        for run in inflight:
            await self._cancel_run(run, action)

    async def _inflight(self, thread_id: str) -> list[Run]:
        runs: list[Run] = []
        for status in BUSY:
            runs += await self.storage.list_runs(thread_id, status, 1000, 0)  # type: ignore[arg-type]
        return runs

    # the queue

    def wake(self, thread_id: str, delay: float | None = None) -> None:
        """Start the thread's worker now (or after `delay`), or tell the running one to look."""
        assert self._tg is not None, "the run manager is not running"
        if delay:
            self._tg.start_soon(self._wake_later, thread_id, delay)
        elif thread_id in self._workers:
            self._rewake.add(thread_id)
        else:
            self._workers.add(thread_id)
            self._tg.start_soon(self._work, thread_id)

    async def _wake_later(self, thread_id: str, delay: float) -> None:
        await anyio.sleep(delay)
        self.wake(thread_id)

    async def _work(self, thread_id: str) -> None:
        try:
            while True:
                self._rewake.discard(thread_id)
                run = await self.storage.claim_run(thread_id, now_iso())
                if run is None:
                    if thread_id in self._rewake:
                        continue
                    break
                await self._execute(run)
        finally:
            self._workers.discard(thread_id)

    async def _execute(self, run: Run) -> None:
        configurable = run["kwargs"]["config"]["configurable"]
        if configurable.get("langgraph_auth_user") is not None:  # stored as a plain dict
            configurable["langgraph_auth_user"] = revive(configurable["langgraph_auth_user"])
        run_id = run["run_id"]
        active = self.active[run_id] = ActiveRun(run, api_url=self._api_urls.pop(run_id, ""))
        await self.storage.update_thread(
            run["thread_id"], {"status": "busy", "updated_at": now_iso()}
        )
        try:
            finished = await self.executor.execute(active)
        finally:
            del self.active[run_id]
            self.broker.end(run_id)
        self._remember(run_id, finished)
        if run["kwargs"].get("webhook"):
            assert self._tg is not None
            self._tg.start_soon(self._webhook, run)

    def _remember(self, run_id: str, finished: Finished) -> None:
        now = time.monotonic()
        self.results[run_id] = (now, finished)
        for old in [k for k, (at, _) in self.results.items() if now - at > RESULT_RETENTION]:
            del self.results[old]
        done = self._done.pop(run_id, None)
        if done is not None:
            done.set()

    async def _webhook(self, run: Run) -> None:
        final = await self.storage.get_run(run["thread_id"], run["run_id"])
        await send_webhook(run["kwargs"]["webhook"], final or run)

    async def _poll(self) -> None:
        """A backstop for runs queued by other processes; local runs start on wake-up."""
        while True:
            await anyio.sleep(POLL_SECONDS)
            for run in await self.storage.runs_with_status(["pending"]):
                if run["thread_id"] not in self._workers:
                    self.wake(run["thread_id"])

    async def _recover(self) -> None:
        for run in await self.storage.runs_with_status(["running"]):
            status = check_transition("running", "pending")
            await self.storage.update_run(run["run_id"], {"status": status})
            logger.info("re-queued run %s left running by a previous process", run["run_id"])
        for run in await self.storage.runs_with_status(["pending"]):
            self.broker.open(run["run_id"], run["thread_id"], run["kwargs"].get("resumable", False))
            if run["thread_id"] not in self._workers:
                self.wake(run["thread_id"])

    # reading, cancelling, waiting

    async def list(
        self,
        thread_id: str,
        status: RunStatus | None,
        limit: int,
        offset: int,
        access: Access | None = None,
    ) -> list[Run]:
        await self.threads.get(thread_id, access)
        return await self.storage.list_runs(thread_id, status, limit, offset)

    async def delete_thread(self, thread_id: str, access: Access | None = None) -> None:
        """Cancel what runs on the thread, then delete it with its runs and checkpoints."""
        if access is not None:
            await self.threads.visible(thread_id, "delete", {"thread_id": thread_id}, access)
        for run in await self._inflight(thread_id):
            await self._cancel_run(run, "interrupt")
        await self.threads.delete(thread_id)

    async def get(self, thread_id: str, run_id: str, access: Access | None = None) -> Run:
        """The run; 404 names the thread when it is gone (a finished stateless run's is),
        or when the caller may not read it."""
        if access is not None:
            await self.threads.get(thread_id, access)
        run = await self.storage.get_run(thread_id, run_id)
        if run is not None:
            return run
        if await self.storage.get_thread(thread_id) is None:
            raise NotFound(f"Thread with ID {thread_id} not found")
        raise NotFound("Not Found")

    async def cancel(
        self,
        thread_id: str,
        run_id: str,
        action: CancelAction,
        wait: bool = False,
        access: Access | None = None,
    ) -> None:
        """Cancel a pending or running run; 404 (as upstream) for one that already ended."""
        if not await may_cancel(self.storage, thread_id, [run_id], action, access):
            raise NotFound(NOTHING_TO_CANCEL)
        run = await self.storage.get_run(thread_id, run_id)
        if run is None:
            raise NotFound(NOTHING_TO_CANCEL)
        if run["status"] in TERMINAL:
            raise NotFound(NOT_CANCELLABLE)
        await self._cancel_run(run, action)
        if wait:
            await self.wait(run)

    async def _cancel_run(self, run: Run, action: CancelAction) -> None:
        active = self.active.get(run["run_id"])
        if active is not None:
            active.cancel(action)
        elif run["status"] == "pending":
            if action == "rollback":
                await self.storage.delete_run(run["thread_id"], run["run_id"])
            else:
                status = check_transition("pending", "interrupted")
                await self.storage.update_run(
                    run["run_id"], {"status": status, "updated_at": now_iso()}
                )
            self.broker.end(run["run_id"])
            done = self._done.pop(run["run_id"], None)
            if done is not None:
                done.set()  # `wait` answers the thread's values, as for any ended run

    async def cancel_many(
        self,
        thread_id: str | None,
        run_ids: list[str] | None,
        status: str | None,
        action: CancelAction,
        access: Access | None = None,
    ) -> None:
        """Cancel runs by id or by status; 404 when none of them can be cancelled."""
        if thread_id and run_ids:
            if not await may_cancel(self.storage, thread_id, run_ids, action, access):
                raise NotFound(NOTHING_TO_CANCEL)
            found = [await self.storage.get_run(thread_id, run_id) for run_id in run_ids]
            runs = [run for run in found if run is not None]
            if not runs:
                raise NotFound(NOTHING_TO_CANCEL)
            runs = [run for run in runs if run["status"] not in TERMINAL]
            if not runs:
                raise NotFound(NOT_CANCELLABLE)
        else:
            wanted = list(BUSY) if status in (None, "all") else [status]
            runs = await self.storage.runs_with_status(wanted)  # type: ignore[arg-type]
            if access is not None:
                runs = await cancellable(self.storage, runs, status, action, access)
            if not runs:
                raise NotFound(NOTHING_TO_CANCEL)
        for run in runs:
            await self._cancel_run(run, action)

    async def delete(self, thread_id: str, run_id: str, access: Access | None = None) -> None:
        """Delete a run; one still queued or running is cancelled first, as upstream does."""
        if access is not None:
            value = {"run_id": run_id, "thread_id": thread_id}
            auth_filter = await access.check("threads", "delete", value)
            thread = await self.storage.get_thread(thread_id)
            if thread is None or not matches(thread["metadata"], auth_filter):
                raise NotFound("Run not found")
        run = await self.storage.get_run(thread_id, run_id)
        if run is None:
            raise NotFound("Run not found")
        if run["status"] not in TERMINAL:
            await self._cancel_run(run, "interrupt")
            await self.wait(run)
        await self.storage.delete_run(thread_id, run_id)

    async def wait(self, run: Run) -> Any:
        """Block until the run ends; its output (`__error__` / `__interrupt__` as upstream)."""
        run_id = run["run_id"]
        while run_id not in self.results:
            done = self._done.get(run_id)
            if done is None:  # not ours, or ended: storage knows (a local run's status
                # turns terminal before its thread is synced, so ours wait for `done`)
                current = await self.storage.get_run(run["thread_id"], run_id)
                if current is None or current["status"] in TERMINAL:
                    break
            with anyio.move_on_after(POLL_SECONDS):
                await (done.wait() if done is not None else anyio.sleep(POLL_SECONDS))
        if run_id in self.results:
            return self.results[run_id][1].output
        thread = await self.storage.get_thread(run["thread_id"])
        return (thread["values"] if thread else None) or {}
