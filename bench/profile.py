"""`python -m bench --profile`: where skeino spends its CPU under runs.wait and custom events.

py-spy (installed into the bench tools dir, never a project dependency) samples the skeino
process while one workload runs. Each sample is charged to its deepest frame in skeino's
own code: that line is what a fix in skeino would change, whatever library it calls into.
"""

from __future__ import annotations

import collections
import signal
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench import envs, servers, streams, workloads
from bench.client import open_clients
from bench.sizes import FULL, QUICK

SKEINO_FRAME = "(skeino/"  # py-spy prints paths relative to sys.path entries
# Blocking waits that py-spy's idle detection misses on this VM: a sample whose leaf is one
# of these is a thread waiting for work, not a cost, so it is left out of the shares.
IDLE_LEAVES = (
    "EpollSelector.select (selectors.py:",
    "_connection_worker_thread (aiosqlite/core.py:59)",
    "_worker (concurrent/futures/thread.py:81)",
    "Condition.wait (threading.py:",  # anyio's idle worker threads, and threads waiting on the loop
    "GroupWriter._run (skeino/checkpoint/group_commit.py:74)",  # the checkpoint writer's queue get
)


Counts = collections.Counter[str]


def _parse(raw: Path) -> tuple[int, Counts, Counts, Counts]:
    """Busy samples, then busy samples by deepest skeino frame, by any skeino frame, by leaf."""
    total, by_skeino, inclusive, by_leaf = 0, Counts(), Counts(), Counts()
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        frames = stack.split(";")
        if not stack or frames[-1].startswith(IDLE_LEAVES):
            continue
        count = int(count_text)
        total += count
        by_leaf[frames[-1]] += count
        ours = [frame for frame in frames if SKEINO_FRAME in frame]
        by_skeino[ours[-1] if ours else "(no skeino frame)"] += count
        inclusive.update(dict.fromkeys(ours, count))
    return total, by_skeino, inclusive, by_leaf


def _table(title: str, total: int, counter: Counts, top: int) -> str:
    lines = [f"### {title} ({total} samples)", "", "| share | frame |", "|---:|---|"]
    lines += [f"| {n / total:.1%} | `{frame}` |" for frame, n in counter.most_common(top)]
    return "\n".join(lines)


async def _record(pid: int, run: Callable[[], Awaitable[object]], output: Path, fmt: str) -> None:
    """py-spy `pid` into `output` (format `raw` or `flamegraph`) while `run()` runs."""
    py_spy = envs.tools_dir() / "bin" / "py-spy"
    command = [str(py_spy), "record", "--pid", str(pid), "--rate", "200", "--format", fmt]
    spy = subprocess.Popen([*command, "--output", str(output)], stdout=subprocess.DEVNULL)
    try:
        await run()
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)


async def _sample(pid: int, name: str, run: Callable[[], Awaitable[object]], out: Path) -> str:
    """py-spy `pid` while `run()` runs; return the Markdown tables of its costs."""
    raw = out / f"{name}.txt"
    await _record(pid, run, raw, "raw")
    total, by_skeino, inclusive, by_leaf = _parse(raw)
    if not total:
        return f"### {name}: no samples"
    return "\n\n".join(
        [
            _table(f"{name}: by deepest skeino frame", total, by_skeino, 15),
            _table(f"{name}: inclusive, any skeino frame", total, inclusive, 15),
            _table(f"{name}: by leaf frame", total, by_leaf, 10),
        ]
    )


async def profile(quick: bool) -> None:
    """Profile runs.wait (sequential, then 32 in flight), custom-event streams (a burst),
    thread creation and the concurrent streams (a crowd); flame graphs of burst and crowd."""
    if not envs.ensure_tool("py-spy", "bin/py-spy"):
        raise SystemExit("py-spy is not installable here; cannot profile")
    sizes = QUICK if quick else FULL
    budget = sizes.budget_s
    out = envs.BENCH_DIR / "results" / "profile"
    out.mkdir(parents=True, exist_ok=True)
    reports = []
    with servers.skeino_cli() as server:
        async with open_clients(server.url) as (http, wire):
            await workloads.wait_latency(wire, sizes, budget)  # warm up before sampling

            async def waits() -> None:
                await workloads.wait_latency(wire, sizes, budget)
                await workloads.wait_throughput(wire, sizes, budget)

            async def events() -> None:
                await streams.custom_events(http, wire, sizes.events, sizes.repeats * 5)

            async def threads() -> None:
                await workloads.thread_create(wire, sizes, budget)

            async def crowd() -> None:
                await streams.concurrent_streams(http, wire, sizes.streams, budget * 6)

            runs = {
                "runs_wait": waits,
                "custom_events": events,
                "thread_create": threads,
                f"streams{sizes.streams}": crowd,
            }
            for name, run in runs.items():
                print(f"profiling {name} ...", flush=True)
                reports.append(await _sample(server.process.pid, name, run, out))
            for name in ("custom_events", f"streams{sizes.streams}"):  # a burst, and a crowd
                print(f"flame graph of {name} ...", flush=True)
                await _record(server.process.pid, runs[name], out / f"{name}.svg", "flamegraph")
    text = "\n\n".join(reports)
    (out / "profile.md").write_text(text + "\n")
    print(text)
    print(f"\nraw stacks and profile.md in {out}")
