"""Command line: record, check, list, serve-official."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

import anyio

from conformance import api, official, recording, runner, scenarios, table
from conformance.runner import Verdict
from conformance.target import Target


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m conformance", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser(
        "record", help="run scenarios against the official server and save them"
    )
    rec.add_argument("--url", required=True)
    rec.add_argument("--only", action="append", help="scenario name (repeatable)")
    chk = commands.add_parser("check", help="replay recordings against a server and compare")
    chk.add_argument("--url", required=True)
    chk.add_argument("--only", action="append", help="scenario name (repeatable)")
    chk.add_argument("--json", action="store_true", help="print one JSON document instead of lines")
    commands.add_parser("list", help="list scenarios with their one-line description")
    commands.add_parser("table", help="print the README's endpoint x scenario table")
    serve = commands.add_parser("serve-official", help="run the official server (langgraph dev)")
    serve.add_argument("--port", type=int, help="default: a free port")
    serve.add_argument(
        "--venv", help=f"default: ${official.VENV_ENV_VAR} or {official.DEFAULT_VENV}"
    )
    return parser.parse_args(argv)


def report(verdicts: list[Verdict], as_json: bool) -> int:
    """One line per scenario, the differences of failures, and the `N passed, M failed` line."""
    passed = sum(verdict.passed for verdict in verdicts)
    failed = len(verdicts) - passed
    if as_json:
        print(
            json.dumps(
                {
                    "passed": passed,
                    "failed": failed,
                    "scenarios": [verdict.to_json() for verdict in verdicts],
                },
                indent=1,
            )
        )
    else:
        for verdict in verdicts:
            print(f"{'PASS' if verdict.passed else 'FAIL'} {verdict.name}")
            for difference in verdict.differences:
                print(f"    {difference}")
        print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if args.command == "list":
        for name in scenarios.names():
            print(f"{name:32} {scenarios.get(name).description}")
        return 0
    if args.command == "table":
        print(table.endpoint_table())
        return 0
    if args.command == "serve-official":
        return official.serve(args.port, args.venv)
    target = Target.url(args.url)
    if args.command == "record":
        failures = anyio.run(runner.record, target, args.only or scenarios.names())
        for failure in failures:
            print(f"FAILED {failure}")
        print(
            f"recorded {len(args.only or scenarios.names()) - len(failures)} scenarios "
            f"into {recording.RECORDINGS_DIR}"
        )
        return 1 if failures else 0
    return report(anyio.run(api.check_async, target, args.only), args.json)
