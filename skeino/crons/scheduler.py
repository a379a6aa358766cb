"""The scheduler: one task that sleeps until the earliest due cron, fires it, repeats.

It wakes early when a cron is created, changed or deleted (`wake`), and at the latest
every `MAX_SLEEP` seconds, a backstop for crons another process added to a shared file;
there is no polling loop besides that. Each firing queues a normal run through the
`RunManager`: on the cron's thread, or, for a stateless cron, on a new thread that the
run deletes when it completes unless `on_run_completed` is "keep".

Under custom auth a cron fires as the user who made it: its run is authorized by
`threads.create_run` for that user, and carries that user and the metadata the handler
stamps, exactly as a run the user created by hand.

Missed firings: a cron whose next run date has passed (the server was down, or busy)
fires once, and its next run date moves to the first slot after *now*. A server that was
down for a day therefore runs an hourly cron once at start-up, not 24 times. This is what
the official server does; it keeps a long outage from becoming a burst of runs.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import anyio
from anyio.abc import TaskGroup

from skeino.auth.authorize import Access, Authorizer
from skeino.auth.user import AuthUser
from skeino.crons.schedule import next_run_date
from skeino.crons.storage import Cron, CronStore
from skeino.errors import SkeinoError
from skeino.models.crons import run_request
from skeino.runs.manager import RunManager

logger = logging.getLogger("skeino.crons")

MAX_SLEEP = 60.0


class CronScheduler:
    def __init__(
        self, store: CronStore, runs: RunManager, authorizer: Authorizer | None = None
    ) -> None:
        self.store = store
        self.runs = runs
        self.authorizer = authorizer
        self._changed = anyio.Event()
        self._tg: TaskGroup | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[CronScheduler]:
        """The scheduler's lifetime; enter it inside the run manager's."""
        async with anyio.create_task_group() as tg:
            self._tg = tg
            tg.start_soon(self._loop)
            try:
                yield self
            finally:
                tg.cancel_scope.cancel()
        self._tg = None

    def wake(self) -> None:
        """Crons changed: look again at what is due next."""
        self._changed.set()

    async def _loop(self) -> None:
        while True:
            self._changed = anyio.Event()  # before reading, so no change slips past
            await self.fire_due()
            with anyio.move_on_after(await self._sleep_seconds()):
                await self._changed.wait()

    async def _sleep_seconds(self) -> float:
        earliest = await self.store.next_due()
        if earliest is None:
            return MAX_SLEEP
        wait = (datetime.fromisoformat(earliest) - datetime.now(UTC)).total_seconds()
        return min(max(wait, 0.0), MAX_SLEEP)

    async def fire_due(self) -> None:
        """Fire every due cron once."""
        now = datetime.now(UTC)
        for cron in await self.store.due(now.isoformat()):
            try:
                await self._fire(cron, now)
            except SkeinoError as exc:
                logger.warning("cron %s did not fire: %s", cron["cron_id"], exc.detail)
                await self._forget_if_orphaned(cron)
            except Exception:  # one broken cron must not stop the others, nor the server
                logger.exception("cron %s did not fire", cron["cron_id"])

    async def _fire(self, cron: Cron, now: datetime) -> None:
        """Claim this firing (move the next run date past now), then queue its run."""
        due = cron["next_run_date"]
        assert due is not None
        if await self.store.advance(cron["cron_id"], due, _following(cron, now)):
            await self._create_run(cron)

    async def _create_run(self, cron: Cron) -> None:
        thread_id = cron["thread_id"]
        body = run_request(cron["payload"], stateless=thread_id is None)
        run, _ = await self.runs.create(thread_id, body, access=await self._creator(cron))
        if thread_id is None and body.metadata:
            # the official server labels a stateless cron's threads with its metadata
            await self.runs.storage.update_thread(run["thread_id"], {"metadata": body.metadata})

    async def _creator(self, cron: Cron) -> Access | None:
        """The access of the cron's maker; None without auth (or for a cron made without)."""
        if self.authorizer is None:
            return None
        user = await self.store.creator(cron["cron_id"])
        return None if user is None else Access(self.authorizer, AuthUser(user))

    async def _forget_if_orphaned(self, cron: Cron) -> None:
        """A thread cron has nothing left to fire on once its thread is deleted: drop it."""
        thread_id = cron["thread_id"]
        if thread_id is not None and await self.runs.storage.get_thread(thread_id) is None:
            await self.store.delete(cron["cron_id"])
            logger.info("deleted cron %s: its thread %s is gone", cron["cron_id"], thread_id)


def _following(cron: Cron, now: datetime) -> str | None:
    """The next run date; None (the cron rests) when it cannot be computed, say for a
    timezone the system no longer knows, so a broken cron is never due again at once."""
    try:
        return next_run_date(cron["schedule"], cron["timezone"], now)
    except Exception:
        logger.exception("cron %s cannot be scheduled any more", cron["cron_id"])
        return None
