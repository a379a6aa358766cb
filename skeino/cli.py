"""`skeino serve`: the app from a `langgraph.json`, on hypercorn, until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import socket
import sys
from dataclasses import replace

from hypercorn.asyncio import serve
from hypercorn.config import Config

from skeino.manifest import ManifestError, from_langgraph_json
from skeino.settings import SkeinoSettings

logger = logging.getLogger("skeino")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="skeino", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="serve the graphs of a langgraph.json")
    run.add_argument("config", nargs="?", default="langgraph.json", help="path to langgraph.json")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=int(os.environ.get("SKEINO_PORT") or 2024))
    run.add_argument(
        "--database",
        default=None,
        help="database URI (default: $SKEINO_DATABASE or sqlite:///.skeino/skeino.db)",
    )
    return parser


def _check_port_free(host: str, port: int) -> None:
    """Fail loudly on a busy port rather than moving elsewhere as `langgraph dev` does."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise SystemExit(f"skeino: cannot listen on {host}:{port}: {exc.strerror}") from None


async def _serve(args: argparse.Namespace) -> None:
    settings = SkeinoSettings()
    settings = replace(settings, api_url=f"http://{args.host}:{args.port}")
    if args.database:
        settings = replace(settings, database_uri=args.database)
    app = from_langgraph_json(args.config, settings=settings)
    config = Config()
    config.bind = [f"{args.host}:{args.port}"]
    config.accesslog = None
    config.graceful_timeout = 10.0
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    logger.info("skeino serving %s on http://%s:%d", args.config, args.host, args.port)
    await serve(app, config, shutdown_trigger=stop.wait)  # type: ignore[arg-type]
    logger.info("skeino stopped")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    _check_port_free(args.host, args.port)
    try:
        asyncio.run(_serve(args))
    except ManifestError as exc:
        print(f"skeino: {exc}", file=sys.stderr)
        return 1
    return 0
