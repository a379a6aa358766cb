"""`skeino serve --workers N`: a small supervisor of N server processes on one socket.

The parent owns the listening socket and never accepts on it; each child serves it through
hypercorn (`--fd`) and the kernel spreads connections among them. The parent forwards a stop
to every child, restarts a child that dies on its own after a short back-off, and gives up on
one that keeps dying, so a broken deployment ends instead of looping forever. Plain blocking
code: the parent only polls a handful of processes.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import time
from collections import deque
from dataclasses import dataclass, field
from types import FrameType

logger = logging.getLogger("skeino")

TICK = 0.1
"""How often the parent looks at its children; bounds the latency of a restart or a stop."""
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
STOPPED_CLEANLY = (0, -signal.SIGTERM)
"""Exit codes of a child we stopped: a clean exit, or our SIGTERM's default action on a
child still starting, before it could handle the signal (it was serving nothing yet)."""


@dataclass
class Worker:
    """One slot of the pool: its current process and when it last died unexpectedly."""

    command: list[str]
    fd: int
    process: subprocess.Popen[bytes] | None = None
    failures: deque[float] = field(default_factory=deque)
    restart_at: float | None = None
    given_up: bool = False
    stopping: bool = False

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, pass_fds=[self.fd])
        self.restart_at, self.stopping = None, False
        logger.info("started worker process %d", self.process.pid)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """SIGTERM once: a second one could land after the child's loop ended and kill it."""
        if self.running() and not self.stopping:
            assert self.process is not None
            self.stopping = True
            self.process.send_signal(signal.SIGTERM)


class Supervisor:
    """Keeps `count` copies of `command` running until SIGINT or SIGTERM, then stops them."""

    def __init__(
        self,
        command: list[str],
        fd: int,
        count: int,
        *,
        restart_delay: float = 0.5,
        max_failures: int = 5,
        failure_window: float = 60.0,
        stop_timeout: float = 30.0,
    ) -> None:
        self.workers = [Worker(command, fd) for _ in range(count)]
        self.restart_delay = restart_delay
        self.max_failures = max_failures
        self.failure_window = failure_window
        self.stop_timeout = stop_timeout
        self.stop_signal: int | None = None

    def run(self) -> int:
        """0 after a clean stop; 1 when every child was given up or one failed to stop."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in STOP_SIGNALS}
        try:
            for worker in self.workers:
                if self.stop_signal is None:
                    worker.start()
            while self.stop_signal is None:
                if not self._tend(time.monotonic()):
                    logger.error("every worker process failed repeatedly; giving up")
                    return 1
                time.sleep(TICK)
            return self._stop()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        """Forward the first stop at once; `_stop` catches a child started meanwhile."""
        if self.stop_signal is None:
            self.stop_signal = signum
            for worker in self.workers:
                worker.stop()

    def _tend(self, now: float) -> bool:
        """Notice dead children and restart them when due; False once none is left to run."""
        for worker in self.workers:
            if worker.given_up or worker.running():
                continue
            if worker.restart_at is None:
                self._died(worker, now)
            elif now >= worker.restart_at:
                worker.start()
        return not all(worker.given_up for worker in self.workers)

    def _died(self, worker: Worker, now: float) -> None:
        """Schedule a restart, backing off more with each recent death, or give up."""
        assert worker.process is not None
        pid, code = worker.process.pid, worker.process.returncode
        worker.failures.append(now)
        while worker.failures[0] < now - self.failure_window:
            worker.failures.popleft()
        if len(worker.failures) >= self.max_failures:
            worker.given_up = True
            logger.error(
                "worker process %d exited with code %d, %d times in %.0f s; not restarting it",
                pid,
                code,
                len(worker.failures),
                self.failure_window,
            )
            return
        delay = self.restart_delay * len(worker.failures)
        worker.restart_at = now + delay
        logger.warning(
            "worker process %d exited with code %d; restarting in %.1f s", pid, code, delay
        )

    def _stop(self) -> int:
        """Wait for the children to finish gracefully; kill any that outstays `stop_timeout`."""
        stopping = [worker for worker in self.workers if worker.running()]
        for worker in stopping:
            worker.stop()
        deadline = time.monotonic() + self.stop_timeout
        while any(worker.running() for worker in stopping) and time.monotonic() < deadline:
            time.sleep(TICK)
        clean = True
        for worker in stopping:
            assert worker.process is not None
            if worker.running():
                logger.error("worker process %d did not stop; killing it", worker.process.pid)
                worker.process.kill()
            clean = worker.process.wait() in STOPPED_CLEANLY and clean
        logger.info("skeino stopped")
        return 0 if clean else 1
