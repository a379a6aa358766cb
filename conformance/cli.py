"""Command line: record, check, compatibility, list, table, serve-official, serve-aegra."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio

from conformance import aegra, api, markdown, official, profiles, recording, runner, scenarios
from conformance import table as endpoint_table
from conformance.report import Report
from conformance.target import Target

SHOWN_DIFFERENCES = 20


def _check_parser(commands: argparse._SubParsersAction) -> None:
    chk = commands.add_parser("check", help="replay recordings against a server and compare")
    chk.add_argument("--url", required=True)
    chk.add_argument("--only", action="append", help="scenario name (repeatable)")
    chk.add_argument(
        "--profile",
        choices=sorted(profiles.PROFILES),
        default=profiles.STRICT.name,
        help="strict (default): every difference fails; lenient: extra keys, error wording "
        "and incidental 4xx codes are notes",
    )
    chk.add_argument("--json", action="store_true", help="print the JSON report instead")
    chk.add_argument("--label", help="the server's name in reports (default: GET /info name)")
    chk.add_argument("--write-json", type=Path, help="also write the JSON report here")
    chk.add_argument("--write-markdown", type=Path, help="also write a Markdown report here")


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m conformance", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser(
        "record", help="run scenarios against the official server and save them"
    )
    rec.add_argument("--url", required=True)
    rec.add_argument("--only", action="append", help="scenario name (repeatable)")
    _check_parser(commands)
    compat = commands.add_parser(
        "compatibility", help="render JSON reports of several servers side by side"
    )
    compat.add_argument("reports", nargs="+", type=Path, help="files written by --write-json")
    compat.add_argument(
        "--write", type=Path, help="replace the generated part of this file (else print)"
    )
    commands.add_parser("list", help="list scenarios with their one-line description")
    commands.add_parser("table", help="print the README's endpoint x scenario table")
    serve = commands.add_parser("serve-official", help="run the official server (langgraph dev)")
    serve.add_argument("--port", type=int, help="default: a free port")
    serve.add_argument(
        "--venv", help=f"default: ${official.VENV_ENV_VAR} or {official.DEFAULT_VENV}"
    )
    aegra.add_parser(commands)
    return parser.parse_args(argv)


def _server_info(target: Target) -> dict[str, Any]:
    try:
        return runner.info(target)
    except (OSError, ValueError):
        return {}


def check(args: argparse.Namespace) -> int:
    """Run the check, print lines + capability table (or JSON), write reports; exit 1 on any
    failure. The closing line is `N passed, M failed`."""
    target = Target.url(args.url)
    profile = profiles.get(args.profile)
    server = _server_info(target)
    verdicts = anyio.run(api.check_async, target, args.only, profile)
    label = args.label or str(server.get("name") or args.url)
    data = Report(verdicts, profile, label, target.base_url, server).to_json()
    if args.write_json:
        args.write_json.write_text(json.dumps(data, indent=1) + "\n")
    if args.write_markdown:
        args.write_markdown.write_text(markdown.report_markdown(data))
    if args.json:
        print(json.dumps(data, indent=1))
    else:
        _print_text(data)
        print(f"{data['summary']['passed']} passed, {data['summary']['failed']} failed")
    return 1 if data["summary"]["failed"] else 0


def _print_text(data: dict[str, Any]) -> None:
    for verdict in data["scenarios"]:
        status = {"pass": "PASS", "fail": "FAIL"}.get(verdict["status"], "NOT SET UP")
        score = f"{verdict['exchanges_passed']}/{verdict['exchanges_total']} exchanges"
        notes = f", {len(verdict['notes'])} notes" if verdict["notes"] else ""
        print(f"{status} {verdict['name']}  ({score}{notes})")
        for difference in verdict["differences"][:SHOWN_DIFFERENCES]:
            print(f"    {difference}")
        if len(verdict["differences"]) > SHOWN_DIFFERENCES:
            print(f"    ... {len(verdict['differences']) - SHOWN_DIFFERENCES} more")
    print(f"\ncapabilities (profile {data['profile']['name']}):")
    print(markdown.capability_table(data, markdown=False))
    print(f"\n{markdown.summary_line(data)}")


def compatibility(args: argparse.Namespace) -> int:
    reports = [json.loads(path.read_text()) for path in args.reports]
    generated = markdown.compatibility_markdown(reports)
    if not args.write:
        print(generated, end="")
        return 0
    existing = args.write.read_text() if args.write.exists() else ""
    kept = existing.split(markdown.GENERATED_MARK)[0]
    args.write.write_text(kept + generated)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if args.command == "list":
        for name in scenarios.names():
            print(f"{name:32} {scenarios.get(name).description}")
        return 0
    if args.command == "table":
        print(endpoint_table.endpoint_table())
        return 0
    if args.command == "serve-official":
        return official.serve(args.port, args.venv)
    if args.command == "serve-aegra":
        return aegra.serve(args)
    if args.command == "compatibility":
        return compatibility(args)
    if args.command == "check":
        return check(args)
    target = Target.url(args.url)
    failures = anyio.run(runner.record, target, args.only or scenarios.names())
    for failure in failures:
        print(f"FAILED {failure}")
    print(
        f"recorded {len(args.only or scenarios.names()) - len(failures)} scenarios "
        f"into {recording.RECORDINGS_DIR}"
    )
    return 1 if failures else 0
