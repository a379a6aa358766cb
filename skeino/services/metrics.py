"""`/metrics`: the shared queue as storage sees it, and what this process counted.

Queue depth and waits come from the database, so any process answers for the whole
queue; requests, ended runs, run durations, active runs and stream subscribers are this
process's own (scrape every process of a deployment and sum them).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from skeino.metrics.exposition import Family, gauge
from skeino.metrics.http import HttpMetrics
from skeino.metrics.runs import RunTally
from skeino.runs.broker import Broker
from skeino.storage.base import Storage


@dataclass(frozen=True)
class QueueStats:
    """As upstream's `queue` object: waits in seconds, None when nothing is pending."""

    n_pending: int
    n_running: int
    pending_runs_wait_time_max_secs: float | None
    pending_runs_wait_time_med_secs: float | None
    pending_unblocked_runs_wait_time_max_secs: float | None


class MetricsService:
    def __init__(
        self, storage: Storage, active: dict[str, Any], tally: RunTally, broker: Broker
    ) -> None:
        self.storage = storage
        self.active = active
        self.tally = tally
        self.broker = broker
        self.http = HttpMetrics()

    async def queue(self, now: datetime) -> QueueStats:
        """Pending runs wait from their creation; one is blocked while its thread runs."""
        pending = await self.storage.runs_with_status(["pending"])
        running = await self.storage.runs_with_status(["running"])
        busy = {run["thread_id"] for run in running}
        waits = [(now - datetime.fromisoformat(r["created_at"])).total_seconds() for r in pending]
        unblocked = [w for w, r in zip(waits, pending, strict=True) if r["thread_id"] not in busy]
        return QueueStats(
            len(pending),
            len(running),
            max(waits, default=None),
            statistics.median(waits) if waits else None,
            max(unblocked, default=None),
        )

    def subscribers(self) -> int:
        """Readers of live run streams and of thread streams in this process."""
        runs = sum(len(channel.subscribers) for channel in self.broker.channels.values())
        return runs + sum(len(watches) for watches in self.broker.watches.values())

    async def as_json(self, now: datetime) -> dict[str, Any]:
        return {
            "queue": vars(await self.queue(now)),
            "api": {"http_requests_total": self.http.as_json()},
            "workers": {"active": len(self.active)},
            "runs": self.tally.as_json(),
            "streams": {"subscribers": self.subscribers()},
        }

    async def families(self, now: datetime) -> list[Family]:
        queue = await self.queue(now)
        return [
            gauge("lg_api_num_pending_runs", "Runs waiting in the queue.", queue.n_pending),
            gauge("lg_api_num_running_runs", "Runs executing now.", queue.n_running),
            gauge(
                "lg_api_pending_runs_wait_time_max_seconds",
                "Longest wait of a pending run.",
                queue.pending_runs_wait_time_max_secs or 0,
            ),
            gauge(
                "lg_api_pending_runs_wait_time_med_seconds",
                "Median wait of the pending runs.",
                queue.pending_runs_wait_time_med_secs or 0,
            ),
            gauge(
                "lg_api_pending_unblocked_runs_wait_time_max_seconds",
                "Longest wait of a pending run whose thread runs nothing else.",
                queue.pending_unblocked_runs_wait_time_max_secs or 0,
            ),
            gauge("lg_api_workers_active", "Runs this process executes now.", len(self.active)),
            gauge(
                "lg_api_stream_subscribers",
                "Open run and thread streams in this process.",
                self.subscribers(),
            ),
            *self.tally.families(),
            *self.http.families(),
        ]
