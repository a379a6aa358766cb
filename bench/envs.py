"""Where the official server and the optional ASGI servers come from, installed on demand.

The official server is source-available (Elastic License), so it lives in its own venv and
runs as a black box. uvicorn, granian and py-spy go into a bench-only `--target` directory
put on PYTHONPATH, so the project venv's dependency list never grows for a benchmark.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

BENCH_DIR = Path(__file__).resolve().parent
OFFICIAL_VENV_VAR = "BENCH_OFFICIAL_VENV"
TOOLS_DIR_VAR = "BENCH_TOOLS_DIR"


def official_venv(explicit: str | None) -> Path:
    """--official-venv, else $BENCH_OFFICIAL_VENV, else bench/.official-venv/."""
    return Path(explicit or os.environ.get(OFFICIAL_VENV_VAR) or BENCH_DIR / ".official-venv")


def ensure_official(venv: Path) -> Path:
    """The venv's `langgraph` CLI, creating the venv with `langgraph-cli[inmem]` if missing."""
    langgraph = venv / "bin" / "langgraph"
    if not langgraph.exists():
        print(f"creating {venv} with langgraph-cli[inmem] ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "langgraph-cli[inmem]", "langchain-core"], check=True)
    return langgraph


def tools_dir() -> Path:
    """$BENCH_TOOLS_DIR, else bench/.tools/ (a `pip install --target` directory)."""
    return Path(os.environ.get(TOOLS_DIR_VAR) or BENCH_DIR / ".tools")


def ensure_tool(package: str, module: str) -> bool:
    """Install `package` into the tools dir unless `module` is there; False if that fails."""
    target = tools_dir()
    if (target / module).exists():
        return True
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target), package]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        print(f"could not install {package}: {result.stderr.strip()[-300:]}", flush=True)
    return (target / module).exists()


def official_versions(venv: Path) -> dict[str, str]:
    """Versions of the official server's packages, read from its venv's metadata."""
    names = ["langgraph", "langgraph-api", "langgraph-runtime-inmem", "langgraph-cli"]
    script = (
        "import importlib.metadata as m, sys\n"
        "for n in sys.argv[1:]:\n"
        "    try: print(n, m.version(n))\n"
        "    except m.PackageNotFoundError: print(n, '-')\n"
    )
    python = str(venv / "bin" / "python")
    output = subprocess.run([python, "-c", script, *names], capture_output=True, text=True)
    return dict(line.split(" ", 1) for line in output.stdout.splitlines())


def snapshot_skeino(attempts: int = 6) -> Path:
    """Copy skeino/ to a temp dir once it imports cleanly, and return the dir to put first
    on PYTHONPATH: colleagues edit skeino/ during a run, and every server must run the same
    code (a half-saved edit would otherwise kill a server mid-benchmark)."""
    source = BENCH_DIR.parent / "skeino"
    for _ in range(attempts):
        target = Path(tempfile.mkdtemp(prefix="bench-skeino-src-"))
        ignore = shutil.ignore_patterns("__pycache__")
        shutil.copytree(source, target / "skeino", ignore=ignore)
        env = {**os.environ, "PYTHONPATH": str(target)}
        check = [sys.executable, "-c", "import skeino.cli"]
        if subprocess.run(check, env=env, capture_output=True, check=False).returncode == 0:
            return target
        shutil.rmtree(target, ignore_errors=True)
        time.sleep(10)
    raise RuntimeError("skeino/ did not import cleanly; try again when edits settle")


def graph_module(name: str) -> ModuleType:
    """The bench graph module `name`, loaded by path exactly as the servers load it."""
    path = BENCH_DIR / "graphs" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_floor_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # typing resolves the state's annotations through it
    spec.loader.exec_module(module)
    return module
