"""A thread's runs as one feed: each run's events in order, then its end.

Runs on a thread execute one at a time, so a thread stream reads them one after the
other, oldest first, wherever each executes (memory, or the database's event log when it
runs in another process). Where a feed starts:

- `FIRST`: every run from its first kept event. The thread-centric protocol replays a
  thread on every connection, so that connections number the same events the same way.
- `None`: from now (a legacy thread stream): runs that ended already are skipped, runs
  under way are joined from now, later ones are read from their first event.
- an event id (a legacy `Last-Event-ID`): every event after it, then live.

A run opened in this process after the feed started comes with a subscription made as
its channel opened (see `ThreadWatch`), so none of its events can slip past; runs of
other processes are noticed at the next poll. State updates made here come as
`ThreadEvent`s between runs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from skeino.lifecycle import TERMINAL
from skeino.runs.bus import FIRST, Bus, Source
from skeino.runs.subscription import Envelope, id_key
from skeino.runs.watch import ThreadWatch
from skeino.storage.base import Run, Storage

HISTORY = 100  # runs a thread stream replays at most (newest kept)
RETRIES = 3  # times a reader cut off for lagging picks up again from its last event


@dataclass(frozen=True, slots=True)
class RunEvent:
    run: Run
    item: Envelope


@dataclass(frozen=True, slots=True)
class RunEnded:
    """A run's end as its record shows it: `interrupted` when it stopped at an interrupt;
    `last` the id of its last event (None when none was seen)."""

    run: Run
    status: str
    interrupted: bool
    last: str | None


@dataclass(frozen=True, slots=True)
class ThreadEvent:
    item: Envelope


FeedItem = RunEvent | RunEnded | ThreadEvent


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

    async def feed(self, thread_id: str, after: str | None = FIRST) -> AsyncIterator[FeedItem]:
        watch = self.bus.broker.watch_thread(thread_id)
        seen: set[str] = set()
        joining = after is None  # the runs found first are joined from now
        try:
            while not self.closing:
                runs = await self.storage.list_runs(thread_id, None, HISTORY, 0)
                fresh = sorted((r for r in runs if r["run_id"] not in seen), key=_created)
                for run in fresh:
                    seen.add(run["run_id"])
                    source = self._source(run, watch, after, joining)
                    if source is not None:
                        async for item in self._run(run, source, after):
                            yield item
                    for event in _drained(watch):
                        yield event
                    if self.closing:
                        return
                joining = False
                for event in _drained(watch):
                    yield event
                if not fresh:
                    await watch.wait(self.poll_seconds)
        finally:
            self.bus.broker.unwatch_thread(thread_id, watch)

    def _source(
        self, run: Run, watch: ThreadWatch, after: str | None, joining: bool
    ) -> Source | None:
        run_id = run["run_id"]
        local = watch.opened.pop(run_id, None)
        if local is None and joining:
            return None if run["status"] in TERMINAL else self.bus.subscribe(run_id)
        return self.bus.replay(run_id, after or FIRST, local)

    async def _run(self, run: Run, source: Source, after: str | None) -> AsyncIterator[FeedItem]:
        run_id, last = run["run_id"], None
        skip = id_key(after) if after is not None else None
        for _ in range(RETRIES):
            self._open[source] = run_id
            try:
                async for item in source:
                    last = item.id
                    if skip is None or item.key > skip:
                        yield RunEvent(run, item)
            finally:
                self._open.pop(source, None)
                self.bus.unsubscribe(run_id, source)
            if not source.overflowed or self.closing:
                break
            source = self.bus.subscribe(run_id, last or FIRST)  # lagged: pick up again
        found = await self.storage.run_output(run_id)
        if found is not None and found[0] in TERMINAL:
            yield RunEnded(run, found[0], _stopped_at_interrupt(found[1]), last)


def _drained(watch: ThreadWatch) -> list[ThreadEvent]:
    found = [ThreadEvent(item) for item in watch.events]
    watch.events.clear()
    return found


def _created(run: Run) -> tuple[str, str]:
    return run["created_at"], run["run_id"]


def _stopped_at_interrupt(output: Any) -> bool:
    return isinstance(output, dict) and bool(output.get("__interrupt__"))
