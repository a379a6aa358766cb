"""The supervisor behind `skeino serve --workers`, on tiny stand-in children (fast)."""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from skeino.workers import Supervisor

# A child that says it is ready (a file named after its pid), then waits for a signal.
CHILD = """
import os, signal, sys
signal.signal(signal.SIGTERM, {on_term})
open(os.path.join(sys.argv[1], str(os.getpid())), "w").close()
while True:
    signal.pause()
"""


@pytest.fixture
def fd() -> Iterator[int]:
    with socket.socket() as sock:
        yield sock.fileno()


def child(on_term: str, ready: Path) -> list[str]:
    return [sys.executable, "-c", CHILD.format(on_term=on_term), str(ready)]


def sigterm_when_ready(ready: Path, count: int) -> threading.Thread:
    """SIGTERM this process (the supervisor) once `count` children are up."""

    def wait_then_signal() -> None:
        deadline = time.monotonic() + 10
        while len(list(ready.iterdir())) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=wait_then_signal, daemon=True)
    thread.start()
    return thread


def test_gives_up_on_children_that_keep_dying(fd: int, caplog: pytest.LogCaptureFixture) -> None:
    command = [sys.executable, "-c", "raise SystemExit(3)"]
    supervisor = Supervisor(command, fd, 2, restart_delay=0.01, max_failures=3)
    with caplog.at_level(logging.INFO, logger="skeino"):
        assert supervisor.run() == 1
    assert caplog.text.count("exited with code 3; restarting") == 4
    assert caplog.text.count("3 times in 60 s; not restarting it") == 2
    assert "every worker process failed repeatedly" in caplog.text


def test_sigterm_stops_every_child_cleanly(fd: int, tmp_path: Path) -> None:
    command = child("lambda *_: sys.exit(0)", tmp_path)
    handler = signal.getsignal(signal.SIGTERM)
    signaller = sigterm_when_ready(tmp_path, 3)
    supervisor = Supervisor(command, fd, 3)
    assert supervisor.run() == 0
    signaller.join(timeout=5)
    assert all(worker.process and worker.process.returncode == 0 for worker in supervisor.workers)
    assert signal.getsignal(signal.SIGTERM) is handler  # restored


def test_a_child_that_will_not_stop_is_killed(
    fd: int, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    command = child("signal.SIG_IGN", tmp_path)
    signaller = sigterm_when_ready(tmp_path, 1)
    supervisor = Supervisor(command, fd, 1, stop_timeout=0.3)
    assert supervisor.run() == 1
    signaller.join(timeout=5)
    assert "did not stop; killing it" in caplog.text


def test_a_child_stopped_before_it_handles_signals_counts_as_stopped(
    fd: int, tmp_path: Path
) -> None:
    """A SIGTERM that reaches a child still starting ends it by default action: it served
    nothing yet, so the stop is clean (a restart racing a stop must not fail the server)."""
    command = child("signal.SIG_DFL", tmp_path)
    signaller = sigterm_when_ready(tmp_path, 2)
    supervisor = Supervisor(command, fd, 2)
    assert supervisor.run() == 0
    signaller.join(timeout=5)
    codes = {worker.process.returncode for worker in supervisor.workers if worker.process}
    assert codes == {-signal.SIGTERM}
