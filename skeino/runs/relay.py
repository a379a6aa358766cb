"""Run events across processes: the database's event log, written and followed.

Every envelope this process publishes is queued and written to the log in batches by one
task (a graph's burst of events costs one transaction, not one per event), so the live
path stays in memory. `flush` writes what is queued before a run's end is recorded, so a
reader elsewhere that sees the run ended and reads once more has every event. A stream of
a run executing in another process `follow`s the log: it reads after its cursor, sleeps a
poll interval when nothing is new, and stops once the run has ended and nothing is left.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import anyio

from skeino.runs.broker import Envelope
from skeino.runs.events import EncodedEvent
from skeino.storage.base import EventLog, LoggedEvent

BATCH_WINDOW = 0.01
READ_LIMIT = 500
TRIM_EVERY = 60.0


class EventRelay:
    def __init__(self, log: EventLog, poll_seconds: float, retention_seconds: float) -> None:
        self.log = log
        self.poll_seconds = poll_seconds
        self.retention_seconds = retention_seconds
        self._queued: list[LoggedEvent] = []
        self._writing = anyio.Lock()
        self._wake = anyio.Event()

    def record(self, run_id: str, thread_id: str | None, item: Envelope) -> None:
        """The broker's sink: queue one envelope for the log (never waits)."""
        ms, seq = item.key
        self._queued.append(
            LoggedEvent(run_id, thread_id, ms, seq, item.event.event, item.event.data)
        )
        self._wake.set()

    async def flush(self) -> None:
        """Write everything queued so far, in order with any write under way."""
        async with self._writing:
            batch, self._queued = self._queued, []
            if batch:
                with anyio.CancelScope(shield=True):
                    await self.log.append_events(batch)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[EventRelay]:
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._write_loop)
            tg.start_soon(self._trim_loop)
            try:
                yield self
            finally:
                tg.cancel_scope.cancel()
        await self.flush()

    async def _write_loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake = anyio.Event()
            await anyio.sleep(BATCH_WINDOW)
            await self.flush()

    async def _trim_loop(self) -> None:
        while True:
            await anyio.sleep(TRIM_EVERY)
            await self.log.trim_events(int((time.time() - self.retention_seconds) * 1000))

    def follow(
        self, run_id: str, after: tuple[int, int] | None, ended: Callable[[], Awaitable[bool]]
    ) -> AsyncIterator[Envelope]:
        """The run's events after `after` (from now when None), until it ended."""
        cursor = after if after is not None else (int(time.time() * 1000), -1)
        return self._follow(run_id, cursor, ended)

    async def _follow(
        self, run_id: str, cursor: tuple[int, int], ended: Callable[[], Awaitable[bool]]
    ) -> AsyncIterator[Envelope]:
        last_look = False
        while True:
            rows = await self.log.read_events(run_id, cursor, READ_LIMIT)
            for row in rows:
                yield Envelope(f"{row.ms}-{row.seq}", EncodedEvent(row.event, bytes(row.data)))
            if rows:
                cursor = (rows[-1].ms, rows[-1].seq)
                continue
            if last_look:
                return
            if await ended():
                last_look = True  # its events were written before its end: one more read
                continue
            await anyio.sleep(self.poll_seconds)
