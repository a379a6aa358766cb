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
    """Each skeino variant against the floor of its own checkpointer: runs.wait p50 and c32,
    and (where the stream floors were taken) custom events/s and tokens/s."""
    rows = [
        "| skeino on | floor p50 ms | server p50 ms | over floor ms | floor c32 /s "
        "| server c32 /s | server/floor c32 | server/floor events/s | server/floor tokens/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
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
        for metric in ("events_per_s", "tokens_per_s"):
            fraction = _ratio(figs.get(metric), floor.get(metric))
            cells.append("-" if fraction is None else f"{fraction:.2f}x")
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


def _pair(round_: dict[str, Any], name: str) -> str:
    """ " (skeino / official)" behind a ratio cell, so the rates themselves stay visible."""
    if not name.startswith("ratio_"):
        return ""
    metric = name.removeprefix("ratio_")
    ours, theirs = (round_.get(side, {}).get(metric) for side in ("skeino_sqlite", "official"))
    return f" ({_fmt(ours)} / {_fmt(theirs)})"


def round_table(rounds: list[dict[str, Any]], summary: dict[str, dict[str, float]]) -> str:
    """One row per derived figure: each round's value, then the median and min-max; the
    first rows say when each server ran and how loaded the machine was."""
    names = [str(r["round"]) for r in rounds]
    rows = [
        "| figure | " + " | ".join(f"round {n}" for n in names) + " | median | min-max |",
        "|---|" + "---:|" * (len(names) + 2),
        "| order | " + " | ".join(" then ".join(r["order"]) for r in rounds) + " | | |",
    ]
    for server in ("official", "skeino_sqlite"):
        loads = [r["loadavg"].get(server, "-").split(" ")[0] for r in rounds]
        rows.append(f"| load average (1 min) at {server} | " + " | ".join(loads) + " | | |")
    for name, stats in summary.items():
        unit = "x" if name.startswith("ratio_") else ""
        cells = [f"{_fmt(r['derived'].get(name))}{unit}{_pair(r, name)}" for r in rounds]
        spread = f"{_fmt(stats['min'])}-{_fmt(stats['max'])}"
        median = f"**{_fmt(stats['median'])}{unit}**"
        rows.append(f"| {name} | " + " | ".join([*cells, median, spread]) + " |")
    return "\n".join(rows)


def _median(summary: dict[str, dict[str, float]], name: str, unit: str = "") -> tuple[float, str]:
    """The median of a derived figure, and it with its min-max as text."""
    stats = summary.get(name)
    if not stats:
        return math.nan, "-"
    spread = f"{_fmt(stats['min'])}-{_fmt(stats['max'])}"
    return stats["median"], f"{_fmt(stats['median'])}{unit} ({spread})"


def _verdict(value: float, met: bool) -> str:
    return "not measured" if math.isnan(value) else "yes" if met else "NO"


def goals(
    summary: dict[str, dict[str, float]], skeino: Figures, official: Figures
) -> list[tuple[str, str, str]]:
    """Issue 14's goals: rates and p50 from the rounds' medians (min-max beside them), the
    crowds and memory from the full comparison of skeino on SQLite with the official server."""
    rows = []
    for name, metric, goal in (
        ("runs.wait c32 >= 5x official", "ratio_wait_c32_per_s", 5.0),
        ("thread create c32 >= 5x official", "ratio_thread_create_c32_per_s", 5.0),
    ):
        value, text = _median(summary, metric, "x")
        rows.append((name, text, _verdict(value, value >= goal)))
    value, text = _median(summary, "ratio_events_per_s", "x")
    fraction, fraction_text = _median(summary, "floor_fraction_events_per_s")
    verdict = "bound by the graph" if value < 20 and fraction >= 0.8 else None
    name = "custom events/s >= 20x official, toward the floor"
    now = f"{text}; {fraction_text} of the floor"
    rows.append((name, now, verdict or _verdict(value, value >= 20)))
    over, text = _median(summary, "wait_p50_over_floor_ms", " ms")
    rows.append(("runs.wait p50 within 3 ms of the floor", f"+{text}", _verdict(over, over <= 3)))
    value, text = _median(summary, "ratio_tokens_per_s", "x")
    _, fraction_text = _median(summary, "floor_fraction_tokens_per_s")
    now = f"{text}; {fraction_text} of the floor"
    rows.append(("tokens/s kept (>= 3x official)", now, _verdict(value, value >= 3)))
    for prefix in ("streams", "waits"):
        seconds = next((m for m in skeino if m.startswith(prefix) and m.endswith("_seconds")), "")
        errors = skeino.get(seconds.replace("_seconds", "_errors"))
        ratio = _ratio(skeino.get(seconds), official.get(seconds)) or math.nan
        now = "-" if math.isnan(ratio) else f"{ratio:.2f}x the time, {_fmt(errors)} errors"
        name = f"{seconds or prefix + '1000_seconds'}: faster than official, 0 errors"
        rows.append((name, now, _verdict(ratio, ratio < 1.0 and errors == 0)))
    rss = _ratio(skeino.get("rss_idle_mib"), official.get("rss_idle_mib")) or math.nan
    now = "-" if math.isnan(rss) else f"{rss:.2f}x"
    rows.append(("idle RSS kept (below official)", now, _verdict(rss, rss < 1.0)))
    return rows


def goals_table(rows: list[tuple[str, str, str]]) -> str:
    lines = ["| goal (issue 14) | now: median (min-max) | met? |", "|---|---:|---|"]
    lines.extend(f"| {name} | {now} | {met} |" for name, now, met in rows)
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
