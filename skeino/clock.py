"""Time as the run queue reads it: a seam, so lease and schedule tests need no sleeps."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def time(self) -> float:
        """Seconds since the epoch."""


class SystemClock:
    def time(self) -> float:
        return time.time()
