"""What runs against which server, in what order; one failing step never stops the rest."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench import envs, pg, servers, streams, workloads
from bench.client import open_clients
from bench.servers import Server
from bench.sizes import Sizes
from bench.wire import Client
from bench.workloads import Figures

Step = Callable[[], Awaitable[Figures]]


async def _steps(label: str, steps: dict[str, Step], failures: list[str]) -> Figures:
    """Run each step, merging its figures; log and record a failure instead of raising."""
    figures: Figures = {}
    for name, step in steps.items():
        print(f"  [{label}] {name} ...", flush=True)
        try:
            figures |= await step()
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            failures.append(f"{label}/{name}: {type(exc).__name__}: {exc}")
    return figures


# The workloads behind the headline figures, which `--rounds` repeats on both servers.
HEADLINE = (
    "thread create",
    "runs.wait latency",
    "runs.wait c32",
    "custom events",
    "message tokens",
)


async def full_suite(
    server: Server, sizes: Sizes, failures: list[str], only: tuple[str, ...] | None = None
) -> Figures:
    """Every workload of the comparison (or `only` those named) against one server."""
    budget = sizes.budget_s
    async with open_clients(server.url) as (http, wire):
        steps: dict[str, Step] = {
            "memory": lambda: workloads.memory(wire, sizes, budget, server),
            "thread create": lambda: workloads.thread_create(wire, sizes, budget),
            "runs.wait latency": lambda: workloads.wait_latency(wire, sizes, budget),
            "runs.wait c32": lambda: workloads.wait_throughput(wire, sizes, budget),
            "custom events": lambda: streams.custom_events(http, wire, sizes.events, sizes.repeats),
            "message tokens": lambda: streams.message_tokens(
                http, wire, sizes.tokens, sizes.repeats
            ),
            "concurrent streams": lambda: streams.concurrent_streams(
                http, wire, sizes.streams, budget * 6
            ),
            "concurrent waits": lambda: workloads.concurrent_waits(wire, sizes.streams, budget * 6),
            "state/history": lambda: workloads.state_history(http, wire, sizes, budget),
        }
        if only is not None:
            steps = {name: steps[name] for name in only}
        figures = {"startup_s": server.startup_s}
        return figures | await _steps(server.name, steps, failures)


async def short_suite(
    server: Server, sizes: Sizes, failures: list[str], crowd: bool = False
) -> Figures:
    """Thread-create rate and runs.wait p50: enough to compare sync levels; with `crowd`,
    also runs.wait c32 and the concurrent streams (what decides between ASGI servers)."""
    budget = sizes.server_budget_s
    async with open_clients(server.url) as (http, wire):
        steps: dict[str, Step] = {
            "thread create": lambda: workloads.thread_create(wire, sizes, budget),
            "runs.wait latency": lambda: workloads.wait_latency(wire, sizes, budget),
        }
        if crowd:
            steps["runs.wait c32"] = lambda: workloads.wait_throughput(wire, sizes, budget)
            steps["concurrent streams"] = lambda: streams.concurrent_streams(
                http, wire, sizes.streams, sizes.budget_s * 6
            )
        figures = {"startup_s": server.startup_s}
        return figures | await _steps(server.name, steps, failures)


async def compare(
    sizes: Sizes, official_venv: Path, postgres: str | None, failures: list[str]
) -> dict[str, Figures]:
    """skeino on SQLite, memory and Postgres (with a server URI), then the official server,
    one after the other so none steals another's CPU."""
    results = {}
    with servers.skeino_cli() as server:
        results["skeino_sqlite"] = await full_suite(server, sizes, failures)
    with servers.skeino_cli("memory://") as server:
        results["skeino_memory"] = await full_suite(server, sizes, failures)
    if postgres:
        try:
            with pg.fresh_database(postgres) as uri, servers.skeino_cli(uri) as server:
                results["skeino_postgres"] = await full_suite(server, sizes, failures)
        except Exception as exc:  # e.g. no server at that URI: say so, go on
            failures.append(f"skeino_postgres: {type(exc).__name__}: {exc}")
    with servers.official(official_venv) as server:
        results["official"] = await full_suite(server, sizes, failures)
    return results


async def asgi_servers(sizes: Sizes, failures: list[str]) -> dict[str, Figures]:
    """skeino's app under hypercorn (its CLI), uvicorn and granian, where installable."""
    results = {}
    with servers.skeino_cli() as server:
        results["hypercorn"] = await short_suite(server, sizes, failures, crowd=True)
    for runner in ("uvicorn", "granian"):
        if not envs.ensure_tool(runner, runner):
            failures.append(f"{runner}: not installable, skipped")
            continue
        try:
            with servers.skeino_asgi(runner) as server:
                results[runner] = await short_suite(server, sizes, failures, crowd=True)
        except RuntimeError as exc:
            failures.append(f"{runner}: {exc}")
    return results


async def sync_levels(sizes: Sizes, failures: list[str]) -> dict[str, Figures]:
    """skeino (hypercorn CLI on bench.asgi_app) with SQLite synchronous NORMAL vs FULL."""
    results = {}
    for level in ("NORMAL", "FULL"):
        try:
            with servers.skeino_asgi("hypercorn", level) as server:
                results[f"sync={level}"] = await short_suite(server, sizes, failures)
        except RuntimeError as exc:
            failures.append(f"sync={level}: {exc}")
    return results


async def postgres_scaling(sizes: Sizes, postgres: str, failures: list[str]) -> dict[str, Figures]:
    """skeino on Postgres with 1, 2 and 4 processes: runs.wait throughput at concurrency 32
    and the database transactions each run costs. Each configuration gets a fresh schema."""
    results = {}
    for workers in (1, 2, 4):
        label = f"postgres/{workers}"
        try:
            with pg.fresh_database(postgres) as uri, servers.skeino_cli(uri, workers) as server:
                async with Client(server.url) as wire:
                    steps: dict[str, Step] = {
                        "runs.wait c32": lambda: pg.counting_transactions(
                            uri, workloads.wait_throughput(wire, sizes, sizes.budget_s)
                        ),
                    }
                    results[label] = await _steps(label, steps, failures)
        except Exception as exc:  # e.g. no server at that URI: say so, go on
            failures.append(f"{label}: {type(exc).__name__}: {exc}")
    return results
