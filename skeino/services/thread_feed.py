"""A thread's runs as one feed: each run's events from its first kept one, then its end.

The thread-centric protocol replays a thread from its beginning on every connection, so
that every connection numbers the same events the same way (a reconnecting client's
`since` means the same event on its new connection). Runs are read oldest first, each to
its end, wherever it executes (the bus picks memory or the database's event log); new
runs are noticed at once when they publish in this process, else at the next poll.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from skeino.lifecycle import TERMINAL
from skeino.runs.broker import Envelope
from skeino.runs.bus import Bus, Source
from skeino.storage.base import Run, Storage

HISTORY = 100  # runs a thread stream replays at most (newest kept)


@dataclass(frozen=True, slots=True)
class RunEvent:
    run: Run
    item: Envelope


@dataclass(frozen=True, slots=True)
class RunEnded:
    """A run's end as its record shows it: `interrupted` when it stopped at an interrupt."""

    run: Run
    status: str
    interrupted: bool


FeedItem = RunEvent | RunEnded


class ThreadFeeds:
    """Opens feeds; `close_all()` ends every one of them (the server is stopping)."""

    def __init__(self, storage: Storage, bus: Bus, poll_seconds: float) -> None:
        self.storage = storage
        self.bus = bus
        self.poll_seconds = poll_seconds
        self.closing = False
        self._open: dict[Source, str] = {}

    def close_all(self) -> None:
        self.closing = True
        for source, run_id in list(self._open.items()):
            self.bus.unsubscribe(run_id, source)

    async def feed(self, thread_id: str) -> AsyncIterator[FeedItem]:
        seen: set[str] = set()
        while not self.closing:
            fresh = await self._wait_for_runs(thread_id, seen)
            for run in fresh:
                seen.add(run["run_id"])
                async for item in self._run(run):
                    yield item
                if self.closing:
                    return

    async def _wait_for_runs(self, thread_id: str, seen: set[str]) -> list[Run]:
        """The thread's runs not read yet, oldest first; waits a poll when there are none."""
        broker = self.bus.broker
        wake = broker.subscribe_thread(thread_id)  # before looking, so no run slips past
        try:
            runs = await self.storage.list_runs(thread_id, None, HISTORY, 0)
            fresh = sorted((r for r in runs if r["run_id"] not in seen), key=_created)
            if not fresh:
                with contextlib.suppress(StopAsyncIteration):  # cut off: look again now
                    await wake.next_within(self.poll_seconds)
            return fresh
        finally:
            broker.unsubscribe_thread(thread_id, wake)

    async def _run(self, run: Run) -> AsyncIterator[FeedItem]:
        run_id = run["run_id"]
        source = self.bus.replay(run_id)
        self._open[source] = run_id
        try:
            async for item in source:
                yield RunEvent(run, item)
        finally:
            self._open.pop(source, None)
            self.bus.unsubscribe(run_id, source)
        found = await self.storage.run_output(run_id)
        if found is not None and found[0] in TERMINAL:
            yield RunEnded(run, found[0], _stopped_at_interrupt(found[1]))


def _created(run: Run) -> tuple[str, str]:
    return run["created_at"], run["run_id"]


def _stopped_at_interrupt(output: Any) -> bool:
    return isinstance(output, dict) and bool(output.get("__interrupt__"))
