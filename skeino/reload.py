"""`skeino serve --reload`: restart the server when a file it was built from changes.

The parent holds the listening socket and runs the server as child processes on it (as
`--workers` does), so requests made during a restart wait in the socket's backlog rather
than being refused. It polls, every `POLL_SECONDS`, the modification times of a bounded
set of files: `langgraph.json`, the files it names (graphs, `http.app`, `auth.path`, the
`.env`), and the Python files under its `dependencies` directories. On any change (a file
edited, added or removed) it stops the children (SIGTERM, then SIGKILL after a grace
period) and starts new ones. A child that fails to start, say on a syntax error, is
logged, and the next change tries again. Off unless asked for, as it is meant for
development: scanning costs a little, and a restart drops streams in flight.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import orjson
from anyio.abc import Process

logger = logging.getLogger("skeino")

POLL_SECONDS = 0.5
MAX_FILES = 5000
"""A bound on the files scanned each poll; a larger tree is watched only in part."""
STOP_SECONDS = 10.0
SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "venv", ".venv", ".git", ".skeino"})

Snapshot = dict[str, int]


def watched_files(config: Path) -> Iterator[Path]:
    """The manifest, the files it names, and the Python files of its dependencies."""
    yield config
    try:
        data = orjson.loads(config.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return  # broken: watching the manifest itself is enough to notice its fix
    if not isinstance(data, dict):
        return
    base = config.parent
    for spec in _specs(data):
        target = spec.rpartition(":")[0]
        if target.endswith(".py") or "/" in target:
            yield base / target
    if isinstance(data.get("env"), str):
        yield base / data["env"]
    dependencies = data.get("dependencies")
    for dependency in dependencies if isinstance(dependencies, list) else ():
        yield from _python_files(base / str(dependency))


def _specs(data: dict[str, Any]) -> Iterator[str]:
    graphs = data.get("graphs")
    for value in graphs.values() if isinstance(graphs, dict) else ():
        spec = value.get("path") if isinstance(value, dict) else value
        if isinstance(spec, str):
            yield spec
    for section, key in (("http", "app"), ("auth", "path")):
        part = data.get(section)
        spec = part.get(key) if isinstance(part, dict) else None
        if isinstance(spec, str):
            yield spec


def _python_files(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".")]
        for name in files:
            if name.endswith(".py"):
                yield Path(folder, name)


def snapshot(config: Path) -> Snapshot:
    """Modification time (ns) of every watched file that exists, at most `MAX_FILES`."""
    seen: Snapshot = {}
    for path in watched_files(config):
        if len(seen) >= MAX_FILES:
            break
        try:
            seen[str(path.resolve())] = path.stat().st_mtime_ns
        except OSError:
            continue  # a file named but missing: its appearance is a change
    return seen


async def reloading(command: list[str], fd: int, count: int, config: Path) -> int:
    """Run `count` copies of `command` on `fd` until SIGINT or SIGTERM, anew on changes."""
    stop = anyio.Event()
    async with anyio.create_task_group() as tg:
        tg.start_soon(_stop_on_signal, stop)
        while not stop.is_set():
            before = await anyio.to_thread.run_sync(snapshot, config)
            children = [await _start(command, fd) for _ in range(count)]
            await _until_changed(before, config, stop, children)
            await _stop_all(children)
            if not stop.is_set():
                logger.info("files changed: restarting the server")
        tg.cancel_scope.cancel()
    return 0


async def _start(command: list[str], fd: int) -> Process:
    """A child with this terminal's output, serving the socket `fd`."""
    return await anyio.open_process(command, pass_fds=[fd], stdout=None, stderr=None)


async def _stop_on_signal(stop: anyio.Event) -> None:
    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as received:
        async for _ in received:
            stop.set()
            return


async def _until_changed(
    before: Snapshot, config: Path, stop: anyio.Event, children: list[Process]
) -> None:
    """Return on a change of the files, or on `stop`; a child's exit is only reported."""
    reported: set[int] = set()
    while not stop.is_set():
        with anyio.move_on_after(POLL_SECONDS):
            await stop.wait()
        for child in children:
            if child.returncode is not None and child.pid not in reported:
                reported.add(child.pid)
                logger.error(
                    "server process %d exited with code %d; waiting for a change to restart",
                    child.pid,
                    child.returncode,
                )
        if await anyio.to_thread.run_sync(snapshot, config) != before:
            return


async def _stop_all(children: list[Process]) -> None:
    for child in children:
        if child.returncode is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        with anyio.move_on_after(STOP_SECONDS):
            await child.wait()
        if child.returncode is None:
            logger.error("server process %d did not stop; killing it", child.pid)
            child.kill()
            await child.wait()
