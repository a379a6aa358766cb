"""Runs this process executed to their end: how many by final status, and how long."""

from __future__ import annotations

from skeino.metrics.exposition import Family, Histogram, Sample

DURATION_BUCKETS = (0.05, 0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 3600)


class RunTally:
    def __init__(self) -> None:
        self.ended: dict[str, int] = {}
        self.durations = Histogram(DURATION_BUCKETS)

    def record(self, status: str, seconds: float) -> None:
        self.ended[status] = self.ended.get(status, 0) + 1
        self.durations.observe((("status", status),), seconds)

    def families(self) -> list[Family]:
        ended = tuple(Sample((("status", s),), n) for s, n in sorted(self.ended.items()))
        return [
            Family("lg_api_runs_ended_total", "counter", "Runs executed here, by outcome.", ended),
            self.durations.family(
                "lg_api_run_duration_seconds", "Execution time of runs executed here, by outcome."
            ),
        ]

    def as_json(self) -> dict[str, object]:
        summary = self.durations.summary()
        return {
            "ended_total": dict(self.ended),
            "duration_seconds": {
                dict(labels)["status"]: {"count": count, "sum": total}
                for labels, (count, total) in summary.items()
            },
        }
