"""Start Aegra, an independent open-source implementation of the Agent Server API, to check.

`python -m conformance serve-aegra --database postgresql://…` installs the public
`aegra-api` package from PyPI into its own venv (Aegra needs Python 3.12 or newer:
`--python`), copies the conformance graphs to a scratch dir, and runs
`uvicorn aegra_api.main:app` there against the given Postgres database (Aegra runs
its migrations on start-up), with no Redis (runs execute in-process), no auth and no
tracing. Aegra refuses a custom `http.app` that is not a FastAPI application (the
suite's is plain Starlette), so its copy of `langgraph.json` leaves `http` out and
`system_http_app` finds no custom routes there. Nothing of Aegra's code is part of
this repository; it is a black box here, like the official server.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
from pathlib import Path

from conformance.official import CONFORMANCE_DIR, foreground, free_port, scratch_copy

DEFAULT_VENV = CONFORMANCE_DIR.parent / ".aegra-venv"
DEFAULT_PACKAGE = "aegra-api"
SERVER_ENV = {
    "AEGRA_CONFIG": "langgraph.json",
    "REDIS_BROKER_ENABLED": "false",
    "AUTH_TYPE": "noop",
    "OTEL_TARGETS": "",
    "ENV_MODE": "LOCAL",
    "LOG_LEVEL": "WARNING",
}


def add_parser(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser("serve-aegra", help="run Aegra (from PyPI) on Postgres")
    serve.add_argument("--database", required=True, help="postgresql://… (Aegra's own database)")
    serve.add_argument("--port", type=int, help="default: a free port")
    serve.add_argument("--venv", type=Path, default=DEFAULT_VENV, help=f"default: {DEFAULT_VENV}")
    serve.add_argument("--python", default="python3.12", help="Python >= 3.12 for the venv")
    serve.add_argument(
        "--package", default=DEFAULT_PACKAGE, help="pip requirement, e.g. aegra-api==0.11.0"
    )


def ensure_venv(venv: Path, python: str, package: str) -> Path:
    """Create the venv and install `package` unless it already has uvicorn and aegra_api."""
    uvicorn = venv / "bin" / "uvicorn"
    interpreter = venv / "bin" / "python"
    installed = uvicorn.exists() and (
        subprocess.run([str(interpreter), "-c", "import aegra_api"], check=False).returncode == 0
    )
    if not installed:
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        pip = [str(interpreter), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, package], check=True)
    return uvicorn


def start(port: int, uvicorn: Path, database: str) -> tuple[subprocess.Popen[bytes], Path]:
    """Launch Aegra on 127.0.0.1:port from a scratch copy of the graphs."""
    workdir = scratch_copy("conformance-aegra-")
    manifest = workdir / "langgraph.json"
    config = json.loads(manifest.read_text())
    config.pop("http", None)  # Aegra takes only a FastAPI app there
    manifest.write_text(json.dumps(config))
    command = [str(uvicorn), "aegra_api.main:app", "--host", "127.0.0.1", "--port", str(port)]
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": database}
    log = (workdir / "server.log").open("wb")
    process = subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    return process, workdir


def serve(args: argparse.Namespace) -> int:
    """Run Aegra in the foreground until interrupted (ready when `GET /info` answers)."""
    chosen = free_port(args.port)
    uvicorn = ensure_venv(args.venv, args.python, args.package)
    process, workdir = start(chosen, uvicorn, args.database)
    return foreground("aegra", process, workdir, f"http://127.0.0.1:{chosen}", "/info")
