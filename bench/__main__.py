"""`python -m bench [--quick] [--streams N] [--official-venv DIR]`: skeino vs official.

Prints Markdown tables (figures, skeino/official ratios, targets) and writes
bench/results/<date>-<host>.json. `--profile` instead profiles skeino with py-spy.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import shutil
import socket
import time

from bench import envs, meta, report, sizes, suite
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
    results = {"meta": meta.collect(venv, args.quick), "sizes": vars(chosen).copy()}
    print("floor (in-process) ...", flush=True)
    results["floor"] = await floor(chosen, args.postgres, failures)
    results["servers"] = await suite.compare(chosen, venv, args.postgres, failures)
    if not args.skip_servers:
        results["asgi_servers"] = await suite.asgi_servers(chosen, failures)
        results["sync_levels"] = await suite.sync_levels(chosen, failures)
    if args.postgres:
        results["postgres"] = await suite.postgres_scaling(chosen, args.postgres, failures)
    results["failures"] = failures
    results["meta"]["loadavg_end"] = meta.loadavg()
    results["meta"]["elapsed_s"] = round(time.perf_counter() - started, 1)
    _print(results)
    stamp = datetime.date.today().isoformat()
    suffix = "-quick" if args.quick else ""
    path = envs.BENCH_DIR / "results" / f"{stamp}-{socket.gethostname()}{suffix}.json"
    report.save(results, path)
    print(f"\nresults written to {path}")


def _print(results: dict) -> None:
    variants, floors = results["servers"], results["floor"]
    skeino, official = variants.get("skeino_sqlite", {}), variants.get("official", {})
    print("\n## skeino (SQLite, memory, Postgres) vs official\n")
    print(report.comparison(variants))
    print("\n## in-process floors (one-node graph, no HTTP)\n")
    print(report.simple("floor", floors))
    print("\n## skeino over the floor of its own checkpointer\n")
    print(report.over_floor(variants, floors))
    for key, title in (("asgi_servers", "ASGI server"), ("sync_levels", "SQLite synchronous")):
        if results.get(key):
            print(f"\n## {title}\n")
            print(report.simple("metric", results[key]))
    if results.get("postgres"):
        print("\n## skeino on Postgres\n")
        print(report.simple("metric", results["postgres"]))
        print()
        print(report.scaling(results["postgres"], skeino, official))
    print("\n## targets\n")
    print(report.targets_table(report.targets(skeino, official, floors)))
    for failure in results["failures"]:
        print(f"FAILED: {failure}")
    print(f"\nelapsed {results['meta']['elapsed_s']} s")


def main() -> None:
    args = _parser().parse_args()
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
