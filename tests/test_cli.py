"""`skeino serve` as a user runs it: a real process, a real port, signals."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from skeino.cli import LISTEN_BACKLOG, main
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
    assert f"console at http://127.0.0.1:{port}/console/" in output
    assert (tmp_path / "cli.db").exists()


def test_no_console_serves_no_console(tmp_path: Path) -> None:
    port = _free_port()
    proc = _serve(port, tmp_path / "quiet.db", "--no-console")
    try:
        _wait_ok(port, proc)
        assert httpx.get(f"http://127.0.0.1:{port}/console/", timeout=5).status_code == 404
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, output
    assert "console at" not in output


@pytest.mark.skipif(shutil.which("ss") is None, reason="needs `ss` (iproute2) to read the backlog")
@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_listen_queue_takes_a_crowd(tmp_path: Path, workers: str) -> None:
    """A thousand clients connecting at once are queued, not reset (hypercorn's default
    backlog is 100), whether one process listens or a supervisor's children share it."""
    port = _free_port()
    proc = _serve(port, tmp_path / "crowd.db", "--workers", workers, "--no-console")
    try:
        _wait_ok(port, proc)
        listing = subprocess.run(
            ["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True, check=True
        ).stdout.split()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    somaxconn = int(Path("/proc/sys/net/core/somaxconn").read_text())
    assert int(listing[2]) == min(LISTEN_BACKLOG, somaxconn)  # Send-Q: the backlog


def test_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = _serve(port, tmp_path / "busy.db", "--port", str(port))
        output = proc.communicate(timeout=30)[0]
    assert proc.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in output


def test_workers_refuse_a_memory_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each process would have its own memory: runs and threads would vanish between requests."""
    with pytest.raises(SystemExit) as exited:
        main(["serve", str(MANIFEST), "--workers", "2", "--database", "memory://"])
    assert exited.value.code == 2
    assert "not memory://" in capsys.readouterr().err
    monkeypatch.setenv("SKEINO_WORKERS", "2")
    monkeypatch.setenv("SKEINO_DATABASE", "memory://")
    with pytest.raises(SystemExit) as exited:
        main(["serve", str(MANIFEST)])
    assert exited.value.code == 2
    assert "not memory://" in capsys.readouterr().err


def test_workers_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", str(MANIFEST), "--workers", "0"])
    assert exited.value.code == 2
    assert "at least 1, got '0'" in capsys.readouterr().err


def _children(pid: int) -> set[int]:
    """Live child processes of `pid`, read from /proc (field 4 of `stat` is the parent)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except OSError:
            continue
        if int(ppid) == pid and state != "Z":
            found.add(int(stat.parent.name))
    return found


def _wait_for(predicate: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"{what} not within {seconds} s"
        time.sleep(0.05)


def _gone(pid: int) -> bool:
    """Exited and reaped, or a zombie that only waits for its reaper (our test process)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


@needs_proc
@pytest.mark.timeout(60)
def test_workers_share_the_port_restart_and_stop(tmp_path: Path) -> None:
    port = _free_port()
    proc = _serve(port, tmp_path / "workers.db", "--workers", "2")
    try:
        _wait_ok(port, proc)
        _wait_for(lambda: len(_children(proc.pid)) == 2, 10, "two worker processes")
        url = f"http://127.0.0.1:{port}"
        created = [httpx.post(f"{url}/threads", json={}, timeout=5) for _ in range(6)]
        assert all(response.status_code == 200 for response in created)
        found = httpx.post(f"{url}/threads/search", json={"limit": 100}, timeout=5).json()
        assert {t["thread_id"] for t in found} >= {r.json()["thread_id"] for r in created}

        first, second = sorted(_children(proc.pid))
        os.kill(first, signal.SIGKILL)
        assert httpx.get(f"{url}/ok", timeout=5).status_code == 200
        _wait_for(
            lambda: len(_children(proc.pid) - {first, second}) == 1, 15, "a replacement worker"
        )
        workers = _children(proc.pid)
        assert second in workers and len(workers) == 2
        assert httpx.get(f"{url}/ok", timeout=5).status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, output
    assert f"on http://127.0.0.1:{port} with 2 worker processes" in output
    assert f"started worker process {first}" in output
    assert f"worker process {first} exited with code -9; restarting" in output
    assert all(_gone(pid) for pid in workers), output


@needs_proc
@pytest.mark.timeout(60)
def test_workers_stop_when_the_supervisor_is_killed(tmp_path: Path) -> None:
    port = _free_port()
    proc = _serve(port, tmp_path / "orphans.db", "--workers", "2")
    try:
        _wait_ok(port, proc)
        _wait_for(lambda: len(_children(proc.pid)) == 2, 10, "two worker processes")
        workers = _children(proc.pid)
        proc.kill()
        _wait_for(lambda: all(_gone(pid) for pid in workers), 15, "orphaned workers to stop")
    finally:
        proc.kill()
        proc.communicate(timeout=30)
