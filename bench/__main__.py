"""`python -m bench [--quick] [--rounds N] [--official-venv DIR]`: skeino vs official.

Prints Markdown tables (figures, skeino/official ratios, per-round ratios, issue 14's
goals) and writes bench/results/<date>-<host>.json. `--profile` instead profiles skeino.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import shutil
import socket
import time
from pathlib import Path
from typing import Any

from bench import envs, meta, report, rounds, sizes, suite
from bench.client_cost import client_cost
from bench.floor import floor


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small counts: a smoke run")
    parser.add_argument(
        "--streams", type=int, default=None, help="concurrent streams and waits (1000)"
    )
    parser.add_argument(
        "--official-venv",
        default=None,
        help=f"venv with langgraph-cli[inmem] (${envs.OFFICIAL_VENV_VAR})",
    )
    parser.add_argument(
        "--skip-servers",
        action="store_true",
        help="skip the uvicorn/granian and sync=FULL comparisons",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES"),
        help="a Postgres server URI ($BENCH_POSTGRES): adds skeino on Postgres, 1/2/4 processes",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="rounds of the headline figures, official and skeino alternately (1)",
    )
    parser.add_argument(
        "--rounds-only",
        action="store_true",
        help="only the floors, the client cost and the rounds (no full comparison)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile skeino under runs.wait and custom events (py-spy)",
    )
    return parser


async def _run(args: argparse.Namespace) -> None:
    chosen = sizes.with_streams(sizes.QUICK if args.quick else sizes.FULL, args.streams)
    venv = envs.official_venv(args.official_venv)
    envs.ensure_official(venv)
    failures: list[str] = []
    started = time.perf_counter()
    results: dict[str, Any] = {"meta": meta.collect(venv, args.quick), "sizes": vars(chosen).copy()}
    print("floor (in-process) ...", flush=True)
    results["floor"] = await floor(chosen, args.postgres, failures)
    print("client cost ...", flush=True)
    results["client_cost"] = await client_cost(chosen)
    results["rounds"] = await rounds.rounds(args.rounds, chosen, venv, failures)
    results["rounds_summary"] = rounds.summary(results["rounds"])
    results["servers"] = {}
    if not args.rounds_only:
        results["servers"] = await suite.compare(chosen, venv, args.postgres, failures)
    if not (args.skip_servers or args.rounds_only):
        results["asgi_servers"] = await suite.asgi_servers(chosen, failures)
        results["sync_levels"] = await suite.sync_levels(chosen, failures)
    if args.postgres and not args.rounds_only:
        results["postgres"] = await suite.postgres_scaling(chosen, args.postgres, failures)
    results["failures"] = failures
    results["meta"]["loadavg_end"] = meta.loadavg()
    results["meta"]["elapsed_s"] = round(time.perf_counter() - started, 1)
    _print(results)
    path = _results_path(args)
    report.save(results, path)
    print(f"\nresults written to {path}")


def _results_path(args: argparse.Namespace) -> Path:
    """results/<date>-<host>[-rounds][-quick].json, with the time added rather than
    overwrite an earlier run of the day (whose JSON may be committed)."""
    now = datetime.datetime.now()
    suffix = ("-rounds" if args.rounds_only else "") + ("-quick" if args.quick else "")
    stem = f"{now.date().isoformat()}-{socket.gethostname()}"
    path = envs.BENCH_DIR / "results" / f"{stem}{suffix}.json"
    if path.exists() and not args.quick:
        path = path.with_name(f"{stem}-{now:%H%M}{suffix}.json")
    return path


def _print(results: dict[str, Any]) -> None:
    variants, floors = results["servers"], results["floor"]
    skeino, official = variants.get("skeino_sqlite", {}), variants.get("official", {})
    if variants:
        print("\n## skeino (SQLite, memory, Postgres) vs official\n")
        print(report.comparison(variants))
    print("\n## in-process floors (no HTTP: one-node runs; events and chat streams)\n")
    print(report.simple("floor", floors))
    if variants:
        print("\n## skeino over the floor of its own checkpointer\n")
        print(report.over_floor(variants, floors))
    print("\n## client cost (32 in flight against skeino on SQLite)\n")
    print(report.simple("client", {"figures": results["client_cost"]}))
    for key, title in (("asgi_servers", "ASGI server"), ("sync_levels", "SQLite synchronous")):
        if results.get(key):
            print(f"\n## {title}\n")
            print(report.simple("metric", results[key]))
    if results.get("postgres"):
        print("\n## skeino on Postgres\n")
        print(report.simple("metric", results["postgres"]))
        print()
        print(report.scaling(results["postgres"], skeino, official))
    if results["rounds"]:
        print("\n## rounds: skeino on SQLite / official, and skeino over its floor\n")
        print(report.round_table(results["rounds"], results["rounds_summary"]))
    print("\n## goals of issue 14\n")
    print(report.goals_table(report.goals(results["rounds_summary"], skeino, official)))
    for failure in results["failures"]:
        print(f"FAILED: {failure}")
    print(f"\nelapsed {results['meta']['elapsed_s']} s")


def main() -> None:
    parser = _parser()
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    snapshot = envs.snapshot_skeino()
    os.environ["PYTHONPATH"] = str(snapshot)  # every skeino server runs this same copy
    print(f"skeino source snapshot: {snapshot}", flush=True)
    try:
        if args.profile:
            from bench.profile import profile

            asyncio.run(profile(args.quick))
        else:
            asyncio.run(_run(args))
    finally:
        shutil.rmtree(snapshot, ignore_errors=True)


if __name__ == "__main__":
    main()
