"""Start and stop the servers under test: skeino (CLI or any ASGI server) and the official one.

Every server gets a fresh loopback port and a scratch directory, runs in its own process
group (so stopping it stops its children and nothing else), and logs to a file there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import envs, procs

MANIFEST = envs.BENCH_DIR / "langgraph.json"
_QUIET_ENV = {
    "LANGSMITH_TRACING": "false",
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",
    "LANGGRAPH_NO_VERSION_CHECK": "true",
}


@dataclass(frozen=True)
class Server:
    """A running server: where to reach it, and its process for memory readings."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    workdir: Path
    startup_s: float

    def rss_mib(self) -> float:
        return procs.rss_mib(self.process.pid)


def _scratch(prefix: str) -> Path:
    """A temp dir holding a copy of bench/graphs and the manifest (servers write into cwd)."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(envs.BENCH_DIR / "graphs", workdir / "graphs", ignore=ignore)
    shutil.copy(MANIFEST, workdir / "langgraph.json")
    return workdir


@contextmanager
def _running(name: str, command: list[str], workdir: Path, env: dict[str, str], port: int):
    """Launch `command`, wait for `/ok`, yield the Server; always stop it and drop the dir."""
    log = (workdir / "server.log").open("wb")
    process = subprocess.Popen(
        command,
        cwd=workdir,
        env={**os.environ, **_QUIET_ENV, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        startup = procs.wait_ok(url, process)
        yield Server(name, url, process, workdir, startup)
    except RuntimeError:
        print((workdir / "server.log").read_text(errors="replace")[-2000:], file=sys.stderr)
        raise
    finally:
        procs.stop(process)
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def skeino_cli(database: str | None = None, workers: int = 1) -> Iterator[Server]:
    """`skeino serve` (hypercorn) on `database` (default: a fresh SQLite file), with
    `workers` processes: the way users run skeino."""
    workdir, port = _scratch("bench-skeino-"), procs.free_port()
    skeino = Path(sys.executable).with_name("skeino")
    database = database or f"sqlite:///{workdir / 'skeino.db'}"
    command = [str(skeino), "serve", "langgraph.json", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--database", database]
    if workers != 1:
        command += ["--workers", str(workers)]
    name = "skeino" if workers == 1 else f"skeino/{workers}"
    with _running(name, command, workdir, {}, port) as server:
        yield server


@contextmanager
def official(venv: Path) -> Iterator[Server]:
    """`langgraph dev` (in-memory runtime) from its own venv, on a verified free port."""
    langgraph = envs.ensure_official(venv)
    workdir, port = _scratch("bench-official-"), procs.free_port()
    command = [str(langgraph), "dev", "--no-browser", "--no-reload", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--n-jobs-per-worker", "10", "--config", "langgraph.json"]
    with _running("official", command, workdir, {}, port) as server:
        yield server


def _asgi_command(runner: str, port: int) -> list[str]:
    """The command line serving `bench.asgi_app:app` with `runner`, one worker, no access log."""
    target, host = "bench.asgi_app:app", "127.0.0.1"
    if runner == "uvicorn":
        return [
            sys.executable,
            "-m",
            "uvicorn",
            target,
            "--host",
            host,
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
    if runner == "granian":
        return [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "asgi",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-ws",
            target,
        ]
    if runner == "hypercorn":
        return [sys.executable, "-m", "hypercorn", "--bind", f"{host}:{port}", target]
    raise ValueError(f"unknown ASGI server {runner!r}")


@contextmanager
def skeino_asgi(runner: str, synchronous: str | None = None) -> Iterator[Server]:
    """skeino's app under `runner`, optionally with another SQLite `synchronous` level."""
    workdir, port = _scratch(f"bench-{runner}-"), procs.free_port()
    inherited = os.environ.get("PYTHONPATH", "")  # the skeino snapshot, when one is used
    paths = [inherited, str(envs.BENCH_DIR.parent), str(envs.tools_dir())]
    pythonpath = os.pathsep.join(path for path in paths if path)
    env = {
        "PYTHONPATH": pythonpath,
        "BENCH_CONFIG": str(workdir / "langgraph.json"),
        "BENCH_DATABASE": f"sqlite:///{workdir / 'skeino.db'}",
    }
    if synchronous:
        env["BENCH_SYNC"] = synchronous
    name = f"skeino/{runner}" + (f"/sync={synchronous}" if synchronous else "")
    with _running(name, _asgi_command(runner, port), workdir, env, port) as server:
        yield server
