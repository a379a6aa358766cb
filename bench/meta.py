"""The machine and versions a result belongs to, so numbers are never read out of context."""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
import socket
import subprocess
from pathlib import Path
from typing import Any

from bench import envs


def _mem_total_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return float("nan")


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "-"


def _git_head() -> str:
    """The commit measured, marked dirty when the work tree differs (others edit skeino/)."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=envs.BENCH_DIR.parent, capture_output=True, text=True, check=False
        ).stdout.strip()

    dirty = git("status", "--porcelain", "--", "skeino")
    return git("rev-parse", "--short", "HEAD") + ("+dirty" if dirty else "")


def loadavg() -> str:
    """1/5/15-minute load: the machine is shared, so say how busy it was."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def collect(official_venv: Path, quick: bool) -> dict[str, Any]:
    """Date, host, CPUs, memory, Python, and the versions on both sides."""
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "host": socket.gethostname(),
        "nproc": os.cpu_count(),
        "mem_total_gib": _mem_total_gib(),
        "python": platform.python_version(),
        "mode": "quick" if quick else "full",
        "git": _git_head(),
        "loadavg_start": loadavg(),
        "skeino": {
            name: _version(name)
            for name in ("skeino", "langgraph", "langgraph-checkpoint-sqlite", "hypercorn")
        },
        "official": envs.official_versions(official_venv),
    }
