"""A reader's side of the broker: the `Envelope` (an encoded event with its stream id) and
the `Subscription`, a bounded queue that the run engine pushes to without ever waiting."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass

import anyio

from skeino.runs.events import EncodedEvent


@dataclass(frozen=True, slots=True)
class Envelope:
    """An encoded event with its stream id (`<ms>-<seq>`, ordered like the official ids)."""

    id: str
    event: EncodedEvent

    @property
    def key(self) -> tuple[int, int]:
        return id_key(self.id)


def id_key(event_id: str) -> tuple[int, int]:
    ms, _, seq = event_id.partition("-")
    try:
        return int(ms), int(seq or 0)
    except ValueError:
        return (-1, -1)


class Subscription:
    """One reader's bounded queue; iterate it to receive envelopes until the stream ends.

    Iterating yields one envelope at a time (without waiting while some are queued);
    `drain()` hands over everything queued at once, for a writer that sends in batches.
    """

    __slots__ = ("_closed", "_items", "_limit", "_wake", "moved", "overflowed")

    def __init__(self, limit: int) -> None:
        self._items: deque[Envelope] = deque()
        self._limit = limit
        # Only while the reader waits. asyncio's own Event: anyio's costs a backend lookup per
        # construction, and the server runs on asyncio (cancel scopes still cancel the wait).
        self._wake: asyncio.Event | None = None
        self._closed = False
        self.overflowed = False
        self.moved = False  # closed because the run went on in another process

    def push(self, item: Envelope) -> bool:
        """Queue an item; False (and the subscription closed) when the reader fell behind."""
        if self._closed:
            return False
        if len(self._items) >= self._limit:
            self.overflowed = True
            self.close()
            return False
        self._items.append(item)
        if self._wake is not None:
            self._wake.set()
        return True

    @property
    def backlogged(self) -> bool:
        """Half its buffer is queued: the reader should run before it is cut off."""
        return len(self._items) * 2 >= self._limit

    def close(self) -> None:
        self._closed = True
        if self._wake is not None:
            self._wake.set()

    async def _wait(self) -> None:
        wake = self._wake = asyncio.Event()
        try:
            await wake.wait()
        finally:
            self._wake = None

    def __aiter__(self) -> AsyncIterator[Envelope]:
        return self

    async def __anext__(self) -> Envelope:
        while not self._items:
            if self._closed:
                raise StopAsyncIteration
            await self._wait()
        return self._items.popleft()

    def ready(self) -> Envelope | None:
        """The next queued envelope, if one is; never waits."""
        return self._items.popleft() if self._items else None

    async def next_within(self, seconds: float) -> Envelope | None:
        """The next envelope, or None when none came within `seconds` (StopAsyncIteration
        once the stream ended); no timer is set while envelopes are queued."""
        if self._items:
            return self._items.popleft()
        with anyio.move_on_after(seconds):
            return await self.__anext__()
        return None

    async def drain(self) -> list[Envelope]:
        """Every queued envelope (waiting for one when none is); `[]` once the stream ended."""
        while not self._items:
            if self._closed:
                return []
            await self._wait()
        items = list(self._items)
        self._items.clear()
        return items

    async def batches(self) -> AsyncIterator[list[Envelope]]:
        """`drain()` until the stream ends: each list holds all that was queued at once."""
        while items := await self.drain():
            yield items
