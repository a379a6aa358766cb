"""Everything that decides a run's or a thread's status lives in this file.

Runs move along the table `RUN_TRANSITIONS`; anything else is a bug and raises. A thread's
status follows from what happened to its latest run and what its checkpoint holds, by the
table `THREAD_AFTER`; while a run executes the thread is `busy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal

RunStatus = Literal["pending", "running", "error", "success", "timeout", "interrupted"]
ThreadStatus = Literal["idle", "busy", "interrupted", "error"]

TERMINAL: frozenset[RunStatus] = frozenset({"error", "success", "timeout", "interrupted"})

RUN_TRANSITIONS: dict[RunStatus, frozenset[RunStatus]] = {
    # cancelled before it started, or an `after_seconds` run that is due
    "pending": frozenset({"running", "interrupted", "error"}),
    # a retry (or recovery after a crash) puts a running run back in the queue
    "running": frozenset({"success", "error", "timeout", "interrupted", "pending"}),
    "success": frozenset(),
    "error": frozenset(),
    "timeout": frozenset(),
    "interrupted": frozenset(),
}


class InvalidTransition(Exception):
    """A status change the table does not allow: a programming error, never a client's."""


def check_transition(current: RunStatus, new: RunStatus) -> RunStatus:
    if new not in RUN_TRANSITIONS[current]:
        raise InvalidTransition(f"run status cannot go from {current} to {new}")
    return new


class Outcome(Enum):
    """How a run's execution ended, as the engine saw it."""

    SUCCESS = "success"
    ERROR = "error"
    TIMEOUT = "timeout"
    INTERRUPTED = "interrupted"  # cancelled with action=interrupt, or by a newer run
    ROLLED_BACK = "rolled_back"  # cancelled with action=rollback: the run is deleted


RUN_STATUS_AFTER: dict[Outcome, RunStatus] = {
    Outcome.SUCCESS: "success",
    Outcome.ERROR: "error",
    Outcome.TIMEOUT: "timeout",
    Outcome.INTERRUPTED: "interrupted",
    Outcome.ROLLED_BACK: "interrupted",
}


@dataclass(frozen=True)
class ThreadView:
    """What the latest checkpoint says: pending interrupts, or nodes still to run."""

    has_interrupts: bool
    has_next: bool


# (outcome, checkpoint has interrupts or pending nodes) -> thread status
THREAD_AFTER: dict[tuple[Outcome, bool], ThreadStatus] = {
    (Outcome.SUCCESS, False): "idle",
    (Outcome.SUCCESS, True): "interrupted",
    (Outcome.ERROR, False): "error",
    (Outcome.ERROR, True): "error",
    (Outcome.TIMEOUT, False): "idle",
    (Outcome.TIMEOUT, True): "idle",
    (Outcome.INTERRUPTED, False): "idle",
    # cancelled mid-node: the checkpoint still has nodes to run, as upstream says
    (Outcome.INTERRUPTED, True): "interrupted",
    (Outcome.ROLLED_BACK, False): "idle",
    (Outcome.ROLLED_BACK, True): "idle",
}


def thread_status_after(outcome: Outcome, view: ThreadView) -> ThreadStatus:
    return THREAD_AFTER[(outcome, view.has_interrupts or view.has_next)]


def thread_status_at_rest(view: ThreadView) -> ThreadStatus:
    """A thread's status when no run is involved (after a state update, a copy)."""
    return "interrupted" if view.has_interrupts or view.has_next else "idle"
