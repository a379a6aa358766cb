"""A thread stream's view of the broker (see `Broker.watch_thread`)."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import anyio

if TYPE_CHECKING:
    from skeino.runs.subscription import Envelope, Subscription


class ThreadWatch:
    """A thread stream's view of the broker: a subscription of each run opened on the
    thread since it started watching, and the thread's own events, in order."""

    __slots__ = ("_wake", "events", "opened")

    def __init__(self) -> None:
        self.opened: dict[str, Subscription] = {}
        self.events: deque[Envelope] = deque(maxlen=1024)
        self._wake: anyio.Event | None = None

    def poke(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def wait(self, seconds: float) -> None:
        """Until a run opens or a thread event comes, at most `seconds`."""
        if self.opened or self.events:
            return
        wake = self._wake = anyio.Event()
        try:
            with anyio.move_on_after(seconds):
                await wake.wait()
        finally:
            self._wake = None
