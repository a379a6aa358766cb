"""The bus: how run events travel from the engine to streams, in this process or another.

The in-process `Broker` fans events out to local readers. Where several processes share
the database, an `EventRelay` also keeps every event in the database's log, and a stream
of a run executing elsewhere follows that log; without one (`memory://`) every run is
local. The engine publishes, hands a run's last events to the transaction that records
its end (`take`), and ends; streams subscribe through `subscribe`, which picks the source.

A run is usually executed by the process that queued it, so a stream starts on the local
broker; when no event came for a poll interval and the run turns out not to be executing
here (another process took it, or it ended there), the stream hands over to the log from
its last event, so no event is lost and none is repeated.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, Protocol

from skeino.runs.broker import Broker
from skeino.runs.events import EncodedEvent
from skeino.runs.relay import EventRelay
from skeino.runs.subscription import Envelope, Subscription, id_key
from skeino.storage.base import NO_OUTPUT, EventBatch

FIRST = "0-0"  # before any event id


class Whereabouts(Protocol):
    """Where a run is, as the queue knows it."""

    def active_here(self, run_id: str) -> bool:
        """Executing in this process now."""

    async def executing_here(self, run_id: str) -> bool:
        """Executing in this process, or not yet taken by any."""

    async def has_ended(self, run_id: str) -> bool: ...


class Handover:
    """A reader that starts on the local broker and moves to the log when the run is
    elsewhere; subscription-shaped, so stream writers need not know which it reads. While
    events are queued locally it costs what a plain subscription costs."""

    def __init__(
        self, bus: Bus, run_id: str, local: Subscription | None, after: tuple[int, int]
    ) -> None:
        self.bus, self.run_id, self.local = bus, run_id, local
        self._after = after
        self._last: Envelope | None = None
        self._followed: AsyncIterator[Envelope] | None = None

    @property
    def overflowed(self) -> bool:
        return self.local is not None and self.local.overflowed

    def ready(self) -> Envelope | None:
        """The next locally queued envelope, if one is; never waits, never reads the log."""
        item = None if self.local is None else self.local.ready()
        if item is not None:
            self._last = item
        return item

    def close(self) -> None:
        if self.local is not None:
            self.bus.broker.unsubscribe(self.run_id, self.local)

    def __aiter__(self) -> Handover:
        return self

    async def __anext__(self) -> Envelope:
        local = self.local
        if local is not None:
            item = local.ready() or await self._wait(local)
            if item is not None:
                self._last = item
                return item
        return await self._follow()

    async def _wait(self, local: Subscription) -> Envelope | None:
        """The next local event; None once the run turned out to execute elsewhere."""
        relay, where = self.bus.relay, self.bus.where
        assert relay is not None and where is not None
        while True:
            if where.active_here(self.run_id):  # its channel ends (or moves) when it does
                try:
                    return await local.__anext__()
                except StopAsyncIteration:
                    if not local.moved:
                        raise
                    break
            item = await local.next_within(relay.poll_seconds)  # StopAsyncIteration: ended
            if item is not None:
                return item
            if local.moved or not await where.executing_here(self.run_id):
                break
        self.close()
        if not where.active_here(self.run_id):  # checked after the await: taken here meanwhile?
            self.bus.broker.discard(self.run_id)
        self.local = None
        return None

    async def _follow(self) -> Envelope:
        if self._followed is None:
            relay, where = self.bus.relay, self.bus.where
            assert relay is not None and where is not None
            after = self._after if self._last is None else self._last.key
            ended = partial(where.has_ended, self.run_id)
            self._followed = relay.follow(self.run_id, after, ended)
        return await self._followed.__anext__()


Source = Subscription | Handover


class Bus:
    def __init__(self, broker: Broker, relay: EventRelay | None = None) -> None:
        self.broker = broker
        self.relay = relay
        self.where: Whereabouts | None = None
        if relay is not None:
            broker.sink = relay.record

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Bus]:
        if self.relay is None:
            yield self
            return
        async with self.relay.running():
            yield self

    def open(self, run_id: str, thread_id: str | None, keep_log: bool) -> None:
        self.broker.open(run_id, thread_id, keep_log)

    def publish(self, run_id: str, event: EncodedEvent) -> bool:
        """Never waits; True when a reader should get a turn soon (see `Broker.publish`)."""
        return self.broker.publish(run_id, event)

    async def take(self, run_id: str) -> list[EventBatch]:
        """A run's events not yet in the log, to be written with its end."""
        return [] if self.relay is None else await self.relay.take(run_id)

    def end(self, run_id: str, output: Any = NO_OUTPUT) -> None:
        self.broker.end(run_id, output)

    def subscribe(self, run_id: str, last_event_id: str | None = None) -> Source:
        """A reader of the run from now (or after `last_event_id`), wherever it executes.

        A replay reads the log: a run resumed here after its first worker died has only the
        events since then in this process's memory, the log has them all."""
        if self.relay is None:
            return self.broker.subscribe(run_id, last_event_id)
        if last_event_id is not None:
            return Handover(self, run_id, None, id_key(last_event_id))
        local = self.broker.subscribe(run_id) if run_id in self.broker.channels else None
        return Handover(self, run_id, local, (int(time.time() * 1000), -1))

    def replay(self, run_id: str, after: str = FIRST, local: Subscription | None = None) -> Source:
        """A reader of the run from after `after` (as far as its events are kept), then live.

        `local`, a subscription made when the run's channel opened here, holds all its
        events; else a run executing here with its whole log in memory is read from memory;
        either is handed over to the database's log should the run move. Any other run is
        read from the log. (Events at or before `after` are the reader's to skip.)"""
        if local is None:
            channel = self.broker.channels.get(run_id)
            if channel is not None and channel.keep_log and channel.ended_at is None:
                local = self.broker.subscribe(run_id, after)
            elif self.relay is None:
                return self.broker.subscribe(run_id, after)
        if self.relay is None:
            assert local is not None
            return local
        return Handover(self, run_id, local, id_key(after))

    def unsubscribe(self, run_id: str, source: Source) -> None:
        if isinstance(source, Subscription):
            self.broker.unsubscribe(run_id, source)
        else:
            source.close()
