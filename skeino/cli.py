"""`skeino serve`: the app from a `langgraph.json`, on hypercorn, until SIGINT or SIGTERM.

With `--workers N` (N > 1) this process only supervises: it opens the port once and runs N
copies of itself on that socket (`--fd`, see `skeino.workers`), all on one database. With
`--reload` it does the same, restarting them when the project's files change
(`skeino.reload`).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import socket
import sys
from dataclasses import replace
from pathlib import Path

import anyio
from hypercorn.asyncio import serve
from hypercorn.config import Config

from skeino.manifest import ManifestError, from_langgraph_json, read_manifest
from skeino.reload import reloading
from skeino.settings import DEFAULT_DATABASE, JOBS_PER_WORKER, SkeinoSettings
from skeino.storage.uri import scheme_of
from skeino.workers import Supervisor

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
    run.add_argument(
        "--workers",
        type=_positive_int,
        default=os.environ.get("SKEINO_WORKERS") or "1",
        help="server processes sharing the port and database (default: $SKEINO_WORKERS or 1)",
    )
    run.add_argument(
        "--n-jobs-per-worker",
        type=_positive_int,
        default=None,
        help=f"runs run at once per process (default: $N_JOBS_PER_WORKER or {JOBS_PER_WORKER})",
    )
    run.add_argument(
        "--reload",
        action="store_true",
        help="restart when langgraph.json or the files it names change (for development)",
    )
    run.add_argument(
        "--no-console", action="store_true", help="do not serve the built-in console at /console"
    )
    # set by the supervisor for its children: the shared socket, and whose death stops them
    run.add_argument("--fd", type=int, default=None, help=argparse.SUPPRESS)
    run.add_argument("--supervisor", type=int, default=None, help=argparse.SUPPRESS)
    return parser


# Connections the kernel queues before they are accepted: hypercorn's default of 100 drops
# some of a thousand clients connecting at once (seen as resets in `python -m bench`).
LISTEN_BACKLOG = 2048
# Longer than clients and load balancers keep an idle connection (httpx: 5 s, AWS's ALB:
# 60 s), so they give it up first: a server closing one as a busy client sends on it loses
# that request ("Server disconnected", ReadError). At 5 s and at 6 s, 1,000 streams lost
# 1-4 requests that way; the cost of 75 s is on clients holding a thousand idle
# connections (httpx's pool scans them: twice the client CPU for 1,000 streams).
KEEP_ALIVE_SECONDS = 75.0


def _positive_int(value: str) -> int:
    """Also checks `$SKEINO_WORKERS`: argparse passes a string default through `type`."""
    if not value.strip().isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number, at least 1, got {value!r}")
    return int(value)


def _bind(host: str, port: int) -> socket.socket:
    """Fail loudly on a busy port rather than moving elsewhere as `langgraph dev` does."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise SystemExit(f"skeino: cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock


def _check_port_free(host: str, port: int) -> None:
    _bind(host, port).close()


def _database(args: argparse.Namespace) -> str:
    return args.database or os.environ.get("SKEINO_DATABASE") or DEFAULT_DATABASE


def _child_command(args: argparse.Namespace, port: int, fd: int) -> list[str]:
    """This same `serve`, spelled out so a child needs nothing from the parent's environment."""
    return [
        *(sys.executable, "-m", "skeino", "serve", args.config),
        *("--host", args.host, "--port", str(port), "--database", _database(args)),
        *("--workers", "1", "--fd", str(fd), "--supervisor", str(os.getpid())),
        *(("--no-console",) if args.no_console else ()),
        *(("--n-jobs-per-worker", str(args.n_jobs_per_worker)) if args.n_jobs_per_worker else ()),
    ]


def _supervise(args: argparse.Namespace) -> int:
    """Open the port once, here, and keep `args.workers` children serving it."""
    try:
        read_manifest(args.config)  # a missing or broken file fails once, not once per child
    except ManifestError as exc:
        print(f"skeino: {exc}", file=sys.stderr)
        return 1
    with _bind(args.host, args.port) as sock:
        sock.listen(LISTEN_BACKLOG)
        sock.set_inheritable(True)
        port = sock.getsockname()[1]
        logger.info(
            "skeino serving %s on http://%s:%d with %d worker processes%s",
            *(args.config, args.host, port, args.workers, ", reloading" * args.reload),
        )
        _announce_console(args, port)
        command = _child_command(args, port, sock.fileno())
        if args.reload:
            return anyio.run(reloading, command, sock.fileno(), args.workers, Path(args.config))
        return Supervisor(command, sock.fileno(), args.workers).run()


def _announce_console(args: argparse.Namespace, port: int) -> None:
    if not args.no_console:
        logger.info("console at http://%s:%d/console/", args.host, port)


async def _exit_with_parent(stop: asyncio.Event, supervisor: int | None) -> None:
    """A worker that outlived its supervisor would hold the port with nobody to stop it.

    The supervisor's pid comes from the command line: one read here could already be the
    pid of init if the supervisor died while this worker was starting.
    """
    if supervisor is None:  # `--fd` given by hand: nobody to outlive
        return
    while os.getppid() == supervisor:
        await asyncio.sleep(1.0)
    logger.warning("worker process %d lost its supervisor; stopping", os.getpid())
    stop.set()


async def _serve(args: argparse.Namespace) -> None:
    settings = SkeinoSettings()
    settings = replace(settings, api_url=f"http://{args.host}:{args.port}")
    if args.database:
        settings = replace(settings, database_uri=args.database)
    if args.no_console:
        settings = replace(settings, console=False)
    if args.n_jobs_per_worker:
        settings = replace(settings, jobs_per_worker=args.n_jobs_per_worker)
    app = from_langgraph_json(args.config, settings=settings)
    config = Config()
    config.bind = [f"{args.host}:{args.port}" if args.fd is None else f"fd://{args.fd}"]
    config.accesslog = None
    config.graceful_timeout = 10.0
    config.backlog = LISTEN_BACKLOG
    config.keep_alive_timeout = KEEP_ALIVE_SECONDS
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    worker = args.fd is not None
    for sig in (signal.SIGTERM,) if worker else (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if worker:
        watch = asyncio.create_task(_exit_with_parent(stop, args.supervisor))
        logger.info("worker process %d serving %s", os.getpid(), args.config)
    else:
        logger.info("skeino serving %s on http://%s:%d", args.config, args.host, args.port)
        _announce_console(args, args.port)

    async def stopping() -> None:
        await stop.wait()
        app.going_away()  # open thread streams and sockets end now, not at the grace timeout

    await serve(app, config, shutdown_trigger=stopping)  # type: ignore[arg-type]
    if worker:
        watch.cancel()
    logger.info("%s stopped", f"worker process {os.getpid()}" if worker else "skeino")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.workers > 1 and scheme_of(_database(args)) == "memory":
        parser.error("--workers > 1 needs a database the processes share, not memory://")
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.fd is None and (args.workers > 1 or args.reload):
        return _supervise(args)
    if args.fd is None:
        _check_port_free(args.host, args.port)
    else:  # a worker: the terminal's Ctrl-C reaches the whole group; the parent forwards it
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        asyncio.run(_serve(args))
    except ManifestError as exc:
        print(f"skeino: {exc}", file=sys.stderr)
        return 1
    return 0
