"""Run events across processes: the database's event log, written and followed.

Every envelope this process publishes is queued and written to the log by one task, a
row per run per batch (a graph's burst of events costs one row and one transaction, not
one per event), so the live path stays in memory and the database thread barely holds the
interpreter. A run's last events are written in the transaction that records its end
(`take`), so a reader elsewhere that sees the run ended and reads once more has them all.
A stream of a run executing in another process `follow`s the log: it reads after its
cursor, waits a short poll when nothing is new, and stops once the run has ended and
nothing is left.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager

import anyio

from skeino.runs.events import EncodedEvent
from skeino.runs.subscription import Envelope
from skeino.storage.base import EventBatch, EventLog

BATCH_WINDOW = 0.01
READ_LIMIT = 100
TRIM_EVERY = 60.0
FOLLOW_POLL = 0.1  # a stream of a run in another process lags by at most this much


def pack(items: list[Envelope]) -> bytes:
    """Envelopes as one blob: `id \\n event \\n length \\n data` each."""
    parts: list[bytes] = []
    for item in items:
        data = item.event.data
        parts.append(f"{item.id}\n{item.event.event}\n{len(data)}\n".encode())
        parts.append(data)
    return b"".join(parts)


def unpack(blob: bytes) -> Iterator[Envelope]:
    at = 0
    while at < len(blob):
        fields = []
        for _ in range(3):
            stop = blob.index(b"\n", at)
            fields.append(blob[at:stop])
            at = stop + 1
        event_id, event, size = fields
        end = at + int(size)
        yield Envelope(event_id.decode(), EncodedEvent(event.decode(), blob[at:end]))
        at = end


def _batch(run_id: str, thread_id: str | None, items: list[Envelope]) -> EventBatch:
    return EventBatch(run_id, thread_id, items[0].key, items[-1].key, pack(items))


class EventRelay:
    def __init__(self, log: EventLog, poll_seconds: float, retention_seconds: float) -> None:
        self.log = log
        self.poll_seconds = poll_seconds
        self.retention_seconds = retention_seconds
        self._queued: dict[str, tuple[str | None, list[Envelope]]] = {}
        self._writing = anyio.Lock()
        self._wake = anyio.Event()
        self._followers: dict[str, anyio.Event] = {}

    def record(self, run_id: str, thread_id: str | None, item: Envelope) -> None:
        """The broker's sink: queue one envelope for the log (never waits)."""
        queued = self._queued.get(run_id)
        if queued is None:
            self._queued[run_id] = (thread_id, [item])
            self._wake.set()
        else:
            queued[1].append(item)

    async def flush(self) -> None:
        """Write everything queued so far, in order with any write under way."""
        async with self._writing:
            queued, self._queued = self._queued, {}
            batches = [_batch(run_id, *entry) for run_id, entry in queued.items()]
            if batches:
                with anyio.CancelScope(shield=True):
                    await self.log.append_events(batches)

    async def take(self, run_id: str) -> list[EventBatch]:
        """A run's queued events, to be written with its end in one transaction; earlier
        ones being written now are written first, so the log never has a gap."""
        async with self._writing:
            entry = self._queued.pop(run_id, None)
        return [] if entry is None else [_batch(run_id, *entry)]

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

    async def follow(
        self, run_id: str, after: tuple[int, int], ended: Callable[[], Awaitable[bool]]
    ) -> AsyncIterator[Envelope]:
        """The run's events after `after`, until it ended."""
        last_look = False
        while True:
            batches = await self.log.read_events(run_id, after, READ_LIMIT)
            for batch in batches:
                for item in unpack(batch.events):
                    if item.key > after:
                        after = item.key
                        yield item
            if batches:
                continue
            if last_look:
                self._followers.pop(run_id, None)
                return
            if await ended():
                last_look = True  # its events were written before its end: one more read
                continue
            written = self._followers.setdefault(run_id, anyio.Event())
            with anyio.move_on_after(min(self.poll_seconds, FOLLOW_POLL)):
                await written.wait()

    def wake(self, run_id: str) -> None:
        """Another process wrote events of `run_id`: its followers here read now."""
        written = self._followers.pop(run_id, None)
        if written is not None:
            written.set()
