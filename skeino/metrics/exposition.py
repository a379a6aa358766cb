"""Prometheus' text exposition format (version 0.0.4), and the histogram kept for it."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

Labels = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Sample:
    labels: Labels
    value: float
    suffix: str = ""
    """`_bucket`, `_sum` or `_count` for a histogram's series; empty otherwise."""


@dataclass(frozen=True)
class Family:
    name: str
    kind: str
    """`counter`, `gauge` or `histogram`."""
    help: str
    samples: tuple[Sample, ...]


def gauge(name: str, help: str, value: float) -> Family:
    return Family(name, "gauge", help, (Sample((), value),))


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(float(value))


def render(families: Iterable[Family]) -> bytes:
    """One `# HELP`, one `# TYPE` and the samples of each family, newline-terminated."""
    lines: list[str] = []
    for family in families:
        lines.append(f"# HELP {family.name} {family.help}")
        lines.append(f"# TYPE {family.name} {family.kind}")
        for sample in family.samples:
            labels = ",".join(f'{k}="{_escape(v)}"' for k, v in sample.labels)
            series = f"{family.name}{sample.suffix}" + (f"{{{labels}}}" if labels else "")
            lines.append(f"{series} {_number(sample.value)}")
    return ("\n".join(lines) + "\n").encode()


class Histogram:
    """Observations by label set, counted into cumulative `le` buckets with a sum."""

    def __init__(self, bounds: tuple[float, ...]) -> None:
        self.bounds = (*bounds, math.inf)
        self._series: dict[Labels, tuple[list[int], list[float]]] = {}

    def observe(self, labels: Labels, value: float) -> None:
        counts, total = self._series.setdefault(labels, ([0] * len(self.bounds), [0.0]))
        for i, bound in enumerate(self.bounds):
            if value <= bound:
                counts[i] += 1
                break
        total[0] += value

    def summary(self) -> dict[Labels, tuple[int, float]]:
        """Count and sum of each label set."""
        return {labels: (sum(c), t[0]) for labels, (c, t) in self._series.items()}

    def family(self, name: str, help: str) -> Family:
        samples: list[Sample] = []
        for labels, (counts, total) in self._series.items():
            running = 0
            for bound, count in zip(self.bounds, counts, strict=True):
                running += count
                le = (("le", _number(bound)),)
                samples.append(Sample(labels + le, running, "_bucket"))
            samples.append(Sample(labels, total[0], "_sum"))
            samples.append(Sample(labels, running, "_count"))
        return Family(name, "histogram", help, tuple(samples))
