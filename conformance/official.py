"""Start the official LangGraph Agent Server (`langgraph dev`) to record against.

The official server lives in its own venv because it is source-available under
the Elastic License: we run it as a black box, never import it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CONFORMANCE_DIR = Path(__file__).resolve().parent
DEFAULT_VENV = CONFORMANCE_DIR.parent / ".conformance-venv"
VENV_ENV_VAR = "CONFORMANCE_OFFICIAL_VENV"
SERVER_ENV = {
    "LANGSMITH_TRACING": "false",
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",
    "LANGGRAPH_NO_VERSION_CHECK": "true",
}
_COPIED = ("graphs", "langgraph.json")


def venv_path(explicit: str | None = None) -> Path:
    """--venv, else $CONFORMANCE_OFFICIAL_VENV, else .conformance-venv/ next to conformance/."""
    return Path(explicit or os.environ.get(VENV_ENV_VAR) or DEFAULT_VENV)


def ensure_venv(venv: Path) -> Path:
    """Create the venv with `langgraph-cli[inmem]` unless it already has `langgraph`."""
    langgraph = venv / "bin" / "langgraph"
    if not langgraph.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "langgraph-cli[inmem]", "langchain-core"], check=True)
    return langgraph


def free_port(preferred: int | None = None) -> int:
    """`preferred` if free, else one the OS hands out (`langgraph dev` silently moves if busy)."""
    if preferred is not None and _is_free(preferred):
        return preferred
    if preferred is not None:
        raise SystemExit(f"port {preferred} is busy; pick another or omit --port")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def scratch_copy(prefix: str = "conformance-official-") -> Path:
    """Copy graphs + langgraph.json: servers write state (`.langgraph_api/`) into their cwd."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    for name in _COPIED:
        source = CONFORMANCE_DIR / name
        if source.is_dir():
            shutil.copytree(source, workdir / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, workdir / name)
    return workdir


def start(port: int, venv: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """Launch `langgraph dev` on 127.0.0.1:port from a scratch dir; returns the process and dir."""
    langgraph = ensure_venv(venv)
    workdir = scratch_copy()
    command = [
        str(langgraph),
        "dev",
        "--no-browser",
        "--no-reload",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n-jobs-per-worker",
        "10",
        "--config",
        "langgraph.json",
    ]
    log = (workdir / "server.log").open("wb")
    env = {**os.environ, **SERVER_ENV}
    process = subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    return process, workdir


def wait_ok(
    url: str, process: subprocess.Popen[bytes], path: str = "/ok", timeout: float = 90.0
) -> None:
    """Poll `path` until the server answers 200 on exactly this URL."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}{path}", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"server did not answer {url}{path} within {timeout:.0f}s")


def foreground(
    name: str, process: subprocess.Popen[bytes], workdir: Path, url: str, path: str = "/ok"
) -> int:
    """Wait until the server is ready, say so, and keep it until interrupted; then clean up."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        wait_ok(url, process, path)
        print(f"{name} ready at {url} (pid {process.pid}, dir {workdir})", flush=True)
        return process.wait()
    except (KeyboardInterrupt, SystemExit):
        return 0
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


def serve(port: int | None, venv: str | None) -> int:
    """Run the official server in the foreground until interrupted."""
    chosen = free_port(port)
    process, workdir = start(chosen, venv_path(venv))
    return foreground("official server", process, workdir, f"http://127.0.0.1:{chosen}")
