"""Tables and targets from the figures: printed as Markdown and saved as JSON.

Ratios are always skeino / official; whether higher is better depends on the unit
(`_per_s` and counts higher; times, MiB and errors lower), shown in the last column.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

Figures = dict[str, float]
_HIGHER_IS_BETTER = ("_per_s", "_samples", "_seen", "_created")


def _fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def _ratio(ours: float | None, theirs: float | None) -> float | None:
    if ours is None or theirs is None or not theirs or math.isnan(ours) or math.isnan(theirs):
        return None
    return ours / theirs


def comparison(variants: dict[str, Figures], base: str = "official") -> str:
    """Metric | each variant | each other variant / `base` | better, one row per metric."""
    others = [name for name in variants if name != base]
    header = ["metric", *variants, *(f"{name}/{base}" for name in others), "better"]
    rows = ["| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(header) - 2) + "---|"]
    for metric in sorted(set().union(*variants.values()), key=_order(*variants.values())):
        values = [_fmt(figs.get(metric)) for figs in variants.values()]
        ratios = [
            "-"
            if (r := _ratio(variants[name].get(metric), variants[base].get(metric))) is None
            else f"{r:.2f}x"
            for name in others
        ]
        better = "higher" if metric.endswith(_HIGHER_IS_BETTER) else "lower"
        rows.append("| " + " | ".join([metric, *values, *ratios, better]) + " |")
    return "\n".join(rows)


# Which floor each skeino variant sits on: the same checkpointer, in-process, no HTTP.
FLOOR_OF = {
    "skeino_memory": "memory",
    "skeino_sqlite": "skeino_sqlite",
    "skeino_postgres": "postgres",
}


def over_floor(variants: dict[str, Figures], floors: dict[str, Figures]) -> str:
    """Each skeino variant against the floor of its own checkpointer."""
    rows = [
        "| skeino on | floor p50 ms | server p50 ms | over floor ms | floor c32 /s "
        "| server c32 /s | server/floor c32 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, floor_name in FLOOR_OF.items():
        figs, floor = variants.get(name), floors.get(floor_name)
        if not figs or not floor:
            continue
        p50, floor_p50 = figs.get("wait_p50_ms", math.nan), floor.get("p50_ms", math.nan)
        rate, floor_rate = figs.get("wait_c32_per_s"), floor.get("c32_per_s")
        ratio = _ratio(rate, floor_rate)
        cells = [_fmt(floor_p50), _fmt(p50), f"{p50 - floor_p50:+.2f}", _fmt(floor_rate)]
        cells += [_fmt(rate), "-" if ratio is None else f"{ratio:.2f}x"]
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _order(*figures: Figures) -> Callable[[str], int]:
    """Keep metrics in the order they were measured."""
    seen: list[str] = []
    for figs in figures:
        seen.extend(name for name in figs if name not in seen)
    return seen.index


def simple(title: str, figures: dict[str, Figures]) -> str:
    """A table with one column per variant (ASGI servers, sync levels, floor)."""
    metrics: list[str] = []
    for figs in figures.values():
        metrics.extend(name for name in figs if name not in metrics)
    header = f"| {title} | " + " | ".join(figures) + " |"
    rows = [header, "|---|" + "---:|" * len(figures)]
    for metric in metrics:
        cells = " | ".join(_fmt(figs.get(metric)) for figs in figures.values())
        rows.append(f"| {metric} | {cells} |")
    return "\n".join(rows)


def targets(
    skeino: Figures, official: Figures, floors: dict[str, Figures]
) -> list[tuple[str, str, bool]]:
    """Each goal of issue 14 for skeino on SQLite, with where it is and whether it is met."""

    def ratio(metric: str) -> float:
        return _ratio(skeino.get(metric), official.get(metric)) or math.nan

    over = skeino.get("wait_p50_ms", math.nan) - floors.get("skeino_sqlite", {}).get(
        "p50_ms", math.nan
    )
    checks = [
        ("runs.wait c32 >= 5x", ratio("wait_c32_per_s"), 5.0),
        ("thread create c32 >= 5x", ratio("thread_create_c32_per_s"), 5.0),
        ("custom events/s >= 20x", ratio("events_per_s"), 20.0),
        ("message tokens/s: keep (>= 3x)", ratio("tokens_per_s"), 3.0),
    ]
    rows = [(name, f"{value:.2f}x", value >= goal) for name, value, goal in checks]
    rows.append(("runs.wait p50 within 3 ms of its floor", f"+{over:.2f} ms", over <= 3.0))
    for prefix in ("streams", "waits"):
        seconds = next((m for m in skeino if m.startswith(prefix) and m.endswith("_seconds")), "")
        errors = seconds.replace("_seconds", "_errors")
        rows.append(
            (
                f"{seconds}: faster than official, 0 errors",
                f"{ratio(seconds):.2f}x time, {_fmt(skeino.get(errors))} errors",
                ratio(seconds) < 1.0 and skeino.get(errors) == 0,
            )
        )
    rows.append(
        ("idle RSS below official", f"{ratio('rss_idle_mib'):.2f}x", ratio("rss_idle_mib") < 1.0)
    )
    return rows


def targets_table(rows: list[tuple[str, str, bool]]) -> str:
    lines = ["| target | now | met |", "|---|---:|---|"]
    lines.extend(f"| {name} | {now} | {'yes' if met else 'NO'} |" for name, now, met in rows)
    return "\n".join(lines)


def save(results: dict[str, Any], path: Path) -> None:
    """Write the results as JSON (NaN as null, so any JSON reader accepts the file)."""

    def clean(value: Any) -> Any:
        if isinstance(value, float) and math.isnan(value):
            return None
        if isinstance(value, dict):
            return {key: clean(item) for key, item in value.items()}
        if isinstance(value, list):
            return [clean(item) for item in value]
        return value

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(clean(results), indent=2) + "\n")


def scaling(postgres: dict[str, Figures], skeino: Figures, official: Figures) -> str:
    """runs.wait throughput on Postgres by process count, against one process, skeino on
    SQLite and the official server of the same run."""
    one = postgres.get("postgres/1", {}).get("wait_c32_per_s")
    rows = [
        "| processes | runs.wait c32 /s | vs 1 process | vs skeino SQLite | vs official "
        "| transactions/run | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, figs in postgres.items():
        rate = figs.get("wait_c32_per_s")
        cells = [
            _fmt(rate),
            *(
                "-" if (r := _ratio(rate, base)) is None else f"{r:.2f}x"
                for base in (one, skeino.get("wait_c32_per_s"), official.get("wait_c32_per_s"))
            ),
            _fmt(figs.get("transactions_per_run")),
            _fmt(figs.get("wait_c32_errors")),
        ]
        rows.append(f"| {label.partition('/')[2]} | " + " | ".join(cells) + " |")
    return "\n".join(rows)
