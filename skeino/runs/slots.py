"""How many runs one process executes at once: each claim takes a slot first.

A run that finds no slot stays in the queue, where this process (when a slot is given
back) or another one takes it, oldest first.
"""

from __future__ import annotations

from collections.abc import Callable

import anyio


class Slots:
    def __init__(self, jobs: int, on_free: Callable[[], None]) -> None:
        self._semaphore = anyio.Semaphore(jobs, max_value=jobs)
        self._on_free = on_free
        self._missed = False

    @property
    def free(self) -> int:
        return self._semaphore.value

    async def take(self) -> None:
        await self._semaphore.acquire()

    def give_back(self) -> None:
        self._semaphore.release()
        if self._missed:
            self._missed = False
            self._on_free()

    def note_missed(self) -> None:
        """A look at the queue stopped for want of a slot: call `on_free` when one is back."""
        self._missed = self._semaphore.value == 0
