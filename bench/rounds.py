"""`--rounds N`: the headline figures, official and skeino on SQLite alternately, N times.

One run of each server is not a result on this shared 2-core machine (the official
server's runs.wait c32 went 11 → 213 → 91 runs/s within 40 minutes). Each round takes the
floor of skeino's checkpointer, then both servers back to back on fresh processes (the
order alternates round by round, so neither always gets the quieter minute), with the load
average when each starts; the verdict is read from the medians of the per-round ratios.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from bench import meta, servers, suite
from bench.floor import floor
from bench.servers import Server
from bench.sizes import Sizes
from bench.workloads import Figures

# skeino / official ratios per round, and skeino against its own in-process floor.
RATIOS = (
    "wait_c32_per_s",
    "wait_p50_ms",
    "thread_create_c32_per_s",
    "thread_create_c1_per_s",
    "events_per_s",
    "tokens_per_s",
)
OVER_FLOOR = "wait_p50_over_floor_ms"  # skeino's runs.wait p50 minus the floor's p50
FLOOR_FRACTIONS = ("events_per_s", "tokens_per_s")  # skeino's rate / the floor's rate


def _ratio(ours: float | None, theirs: float | None) -> float:
    if ours is None or theirs is None or not theirs:
        return math.nan
    return ours / theirs


def derived(round_: dict[str, Any]) -> Figures:
    """One round's ratios, skeino's p50 over the floor, and its stream rates / floor's."""
    skeino, official = round_.get("skeino_sqlite", {}), round_.get("official", {})
    base = round_.get("floor", {})
    figures = {
        f"ratio_{metric}": _ratio(skeino.get(metric), official.get(metric)) for metric in RATIOS
    }
    figures[OVER_FLOOR] = skeino.get("wait_p50_ms", math.nan) - base.get("p50_ms", math.nan)
    for metric in FLOOR_FRACTIONS:
        figures[f"floor_fraction_{metric}"] = _ratio(skeino.get(metric), base.get(metric))
    return figures


def summary(rounds: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Median, min and max over the rounds of every derived figure (NaN rounds left out)."""
    result = {}
    for name in rounds[0]["derived"] if rounds else ():
        values = [r["derived"][name] for r in rounds if not math.isnan(r["derived"][name])]
        if values:
            result[name] = {
                "median": statistics.median(values),
                "min": min(values),
                "max": max(values),
            }
    return result


def _servers(venv: Path) -> dict[str, Callable[[], AbstractContextManager[Server]]]:
    return {"official": lambda: servers.official(venv), "skeino_sqlite": servers.skeino_cli}


def _order(index: int) -> Iterator[str]:
    """Official first in odd rounds, skeino first in even ones."""
    names = ("official", "skeino_sqlite")
    return iter(names if index % 2 == 0 else names[::-1])


async def rounds(count: int, sizes: Sizes, venv: Path, failures: list[str]) -> list[dict[str, Any]]:
    """`count` rounds, each: skeino's SQLite floor, then both servers' headline figures."""
    done: list[dict[str, Any]] = []
    starts = _servers(venv)
    for index in range(count):
        print(f"round {index + 1} of {count} ...", flush=True)
        label = f"round {index + 1}"
        floors = await floor(sizes, None, failures, only=("skeino_sqlite",))
        round_: dict[str, Any] = {"round": index + 1, "loadavg": {}, "order": []}
        round_["floor"] = floors.get("skeino_sqlite", {})
        for name in _order(index):
            round_["order"].append(name)
            round_["loadavg"][name] = meta.loadavg()
            try:
                with starts[name]() as server:
                    round_[name] = await suite.full_suite(server, sizes, failures, suite.HEADLINE)
            except RuntimeError as exc:  # the server did not start: record, go on
                failures.append(f"{label}/{name}: {exc}")
        round_["derived"] = derived(round_)
        done.append(round_)
    return done
