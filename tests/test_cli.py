"""`skeino serve` as a user runs it: a real process, a real port, signals."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import MANIFEST


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(port: int, db: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "SKEINO_PORT": str(port)}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "skeino",
            "serve",
            str(MANIFEST),
            "--database",
            f"sqlite:///{db}",
            *extra,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_ok(port: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[0]
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ok", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError("server did not answer /ok in 30 s")


def test_serve_on_env_port_and_stop_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    proc = _serve(port, tmp_path / "cli.db")
    try:
        _wait_ok(port, proc)
        created = httpx.post(f"http://127.0.0.1:{port}/threads", json={}, timeout=5)
        assert created.status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, output
    assert f"http://127.0.0.1:{port}" in output
    assert (tmp_path / "cli.db").exists()


def test_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = _serve(port, tmp_path / "busy.db", "--port", str(port))
        output = proc.communicate(timeout=30)[0]
    assert proc.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in output
