"""Runs as the API sees them: create (multitask strategies), read, cancel, wait, delete.

Storage is the queue of record: a run is inserted `pending` and executed by whichever
process's `Worker` claims it (this one's, woken at once, unless the thread is busy
elsewhere). Nothing here depends on where a run executes: cancel is a compare-and-set on a
pending run or a stored request the holding worker hears, and `wait` reads the run's
recorded output once it ended, woken at once when it ends in this process.
"""

from __future__ import annotations

import logging
from typing import Any

import anyio

from skeino.auth.authorize import Access
from skeino.auth.filters import matches
from skeino.auth.runs import THREAD_OR_ASSISTANT, authorize_run, cancellable, may_cancel
from skeino.errors import Conflict, InvalidInput, NotFound
from skeino.ids import is_uuid, now_iso, uuid7
from skeino.lifecycle import ACTIVE, TERMINAL, Event, transition
from skeino.models.common import check_configurable_or_context
from skeino.models.runs import RunCreate
from skeino.runs.bus import Bus, Source
from skeino.runs.config import Origin, build_run
from skeino.runs.worker import Worker
from skeino.services.assistants import AssistantService
from skeino.services.threads import ThreadService, new_thread
from skeino.storage.base import NO_OUTPUT, CancelAction, Run, RunChange, RunStatus, Storage

logger = logging.getLogger("skeino.runs")
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
        worker: Worker,
        bus: Bus,
    ) -> None:
        self.storage = storage
        self.assistants = assistants
        self.threads = threads
        self.worker = worker
        self.bus = bus
        bus.where = self

    # creating runs

    async def create(
        self,
        thread_id: str | None,
        body: RunCreate,
        subscribe: bool = False,
        origin: Origin | None = None,
        access: Access | None = None,
    ) -> tuple[Run, Source | None]:
        """Queue a run (stateless when `thread_id` is None); optionally subscribe first.

        Under auth, `threads.create_run` decides: its filter must pass the thread, the
        metadata it writes joins the run's, and the caller reaches the graph's config.
        """
        origin = origin or Origin()
        self.assistants.check_run_target(body.assistant_id)
        if body.checkpoint_id and not is_uuid(body.checkpoint_id):
            raise InvalidInput("Invalid checkpoint ID")
        check_configurable_or_context(body.config, body.context)
        await self.worker.webhooks.check(body.webhook)
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
            # a thread the run creates takes the run's metadata, and the run names no
            # graph_id then (it has no thread metadata yet), as upstream
            thread_metadata=found["metadata"] if found else None,
            origin=origin,
        )
        owner = {}
        if access is not None:
            owner = await authorize_run(run, body, found, access, stateless=stateless)
        initial = {**(body.metadata or {}), **owner}
        fresh = None if found else await self.storage.create_thread(new_thread(thread_id, initial))
        if fresh is not None:
            await self.threads.ttl.assign(thread_id)
        if fresh is None and not stateless:  # existing, or created by a racing request
            await self._apply_multitask(thread_id, body)
        self.bus.open(run["run_id"], thread_id, keep_log=body.stream_resumable)
        subscription = self.bus.subscribe(run["run_id"]) if subscribe else None
        delay = body.after_seconds or None
        not_before = None if delay is None else self.worker.clock.time() + delay
        target = {"graph_id": assistant["graph_id"], "assistant_id": assistant["assistant_id"]}
        created = await self.storage.create_run(
            run, not_before=not_before, api_url=origin.api_url, thread={"metadata": target}
        )
        self.worker.wake(thread_id, delay)
        return created, subscription

    async def _apply_multitask(self, thread_id: str, body: RunCreate) -> None:
        if body.multitask_strategy == "enqueue":
            return
        inflight = await self.threads.in_flight(thread_id)
        if not inflight:
            return
        if body.multitask_strategy == "reject":
            raise Conflict(
                "Thread is already running a task. Wait for it to finish or choose a "
                "different multitask strategy."
            )
        action: CancelAction = "rollback" if body.multitask_strategy == "rollback" else "interrupt"
        for run in inflight:
            await self._cancel_run(run, action)

    # where runs are (the bus's `Whereabouts`)

    def active_here(self, run_id: str) -> bool:
        return run_id in self.worker.active

    async def executing_here(self, run_id: str) -> bool:
        if run_id in self.worker.active:
            return True
        found = await self.storage.run_output(run_id)
        return found is not None and found[0] == "pending"

    async def has_ended(self, run_id: str) -> bool:
        found = await self.storage.run_output(run_id)
        return found is None or found[0] in TERMINAL

    # reading, cancelling, waiting

    async def list_runs(
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
        for run in await self.threads.in_flight(thread_id):
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
        """Cancel a run wherever it is: executing here, still queued, or held elsewhere."""
        run_id = run["run_id"]
        active = self.worker.active.get(run_id)
        if active is not None:
            active.cancel(action)
            return
        if run["status"] == "pending":
            event = Event.DROP_PENDING if action == "rollback" else Event.CANCEL_PENDING
            change = RunChange(transition(event, "pending"), {"updated_at": now_iso()})
            if await self.storage.change_run(run_id, change) is not None:
                self.bus.end(run_id)
                return
            # lost the race: a worker took the run meanwhile, so ask that worker
        await self.storage.request_cancel(run_id, action)
        active = self.worker.active.get(run_id)
        if active is not None:  # the worker that took it meanwhile is this one
            active.cancel(action)

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
            wanted = list(ACTIVE) if status in (None, "all") else [status]
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

    async def wait(self, run: Run, *, queued_now: bool = False) -> Any:
        """Block until the run ends; its output (`__error__` / `__interrupt__` as upstream),
        or the thread's values for a run that ended without one (cancelled while queued).

        `queued_now`: the caller queued the run a moment ago, so while its channel here has
        not ended, a first read would find it pending: the wait starts without one."""
        run_id = run["run_id"]
        unread = queued_now and self.bus.broker.live(run_id)
        while True:
            ending = self.bus.broker.ending(run_id)  # before reading, so no end slips past
            if not unread:
                found = await self.storage.run_output(run_id)
                if found is None or found[0] in TERMINAL:
                    break
            unread = False
            with anyio.move_on_after(self.worker.settings.poll_seconds):
                await ending.event.wait()
            if ending.output is not NO_OUTPUT:  # it ended here, recorded: no read back
                return ending.output
        if found is not None and found[1] is not NO_OUTPUT:
            return found[1]
        if ending.output is not NO_OUTPUT:  # ended and deleted (stateless) during that read
            return ending.output
        thread = await self.storage.get_thread(run["thread_id"])
        return (thread["values"] if thread else None) or {}
