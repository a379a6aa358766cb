"""The run lifecycle: every run and thread status change skeino may make, in two tables.

This module is the only one that decides statuses (h11-style): a change is named by an
event, `transition(event)` says which statuses it may start from and where it goes, and
storage applies it as a compare-and-set (`UPDATE … WHERE status IN (sources)`), together
with the thread's status in the same transaction. An event the table forbids from the
status a caller believes current raises `InvalidTransition` (a bug); a compare-and-set that
finds the run elsewhere has lost a race to another request or process: storage writes
nothing and answers None, and the loser says so (or acts on what won) rather than
overwriting what the winner wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal

RunStatus = Literal["pending", "running", "error", "success", "timeout", "interrupted"]
ThreadStatus = Literal["idle", "busy", "interrupted", "error"]

TERMINAL: frozenset[RunStatus] = frozenset({"error", "success", "timeout", "interrupted"})
ACTIVE: tuple[RunStatus, ...] = ("pending", "running")


class Event(Enum):
    """Something that happens to a run."""

    CLAIM = "claim"  # a worker takes a due pending run, with a lease
    CANCEL_PENDING = "cancel_pending"  # cancelled before any worker took it
    DROP_PENDING = "drop_pending"  # a pending run rolled back: it is deleted
    SUCCEED = "succeed"
    FAIL = "fail"
    TIME_OUT = "time_out"
    INTERRUPT = "interrupt"  # cancelled mid-run (action=interrupt), or by a newer run
    ROLL_BACK = "roll_back"  # cancelled mid-run with action=rollback: the run is deleted
    REQUEUE = "requeue"  # shutdown, or a lease that expired: resume from the last checkpoint
    GIVE_UP = "give_up"  # its workers kept dying: the retry cap was reached


# (status, event) -> new status; None means the run record is deleted.
RUN_TABLE: dict[tuple[RunStatus, Event], RunStatus | None] = {
    ("pending", Event.CLAIM): "running",
    ("pending", Event.CANCEL_PENDING): "interrupted",
    ("pending", Event.DROP_PENDING): None,
    ("running", Event.SUCCEED): "success",
    ("running", Event.FAIL): "error",
    ("running", Event.TIME_OUT): "timeout",
    ("running", Event.INTERRUPT): "interrupted",
    ("running", Event.ROLL_BACK): None,
    ("running", Event.REQUEUE): "pending",
    ("running", Event.GIVE_UP): "error",
}

# What the thread's status becomes with the run's change; None leaves it alone. Where it
# depends on the checkpoint (interrupts, nodes still to run) the table `THREAD_AFTER` says.
THREAD_WITH: dict[Event, ThreadStatus | None] = {
    Event.CLAIM: "busy",
    Event.CANCEL_PENDING: None,
    Event.DROP_PENDING: None,
    Event.REQUEUE: None,  # still busy: the run will be taken again
    Event.GIVE_UP: "error",
}


class InvalidTransition(Exception):
    """A status change the table does not allow: a programming error, never a client's."""


@dataclass(frozen=True)
class Transition:
    """One event as storage applies it: from any of `sources` to `target` (None: delete)."""

    event: Event
    sources: frozenset[RunStatus]
    target: RunStatus | None


def transition(event: Event, current: RunStatus | None = None) -> Transition:
    """The change `event` makes; with `current`, check the table allows it from there."""
    sources = frozenset(status for status, e in RUN_TABLE if e is event)
    if current is not None and current not in sources:
        raise InvalidTransition(f"a {current} run cannot {event.value}")
    target = next(RUN_TABLE[(status, event)] for status in sources)
    return Transition(event, sources, target)


class Outcome(Enum):
    """How a run's execution ended, as the engine saw it."""

    SUCCESS = "success"
    ERROR = "error"
    TIMEOUT = "timeout"
    INTERRUPTED = "interrupted"
    ROLLED_BACK = "rolled_back"


EVENT_OF: dict[Outcome, Event] = {
    Outcome.SUCCESS: Event.SUCCEED,
    Outcome.ERROR: Event.FAIL,
    Outcome.TIMEOUT: Event.TIME_OUT,
    Outcome.INTERRUPTED: Event.INTERRUPT,
    Outcome.ROLLED_BACK: Event.ROLL_BACK,
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


def after_lost_lease(attempt: int, max_attempts: int) -> Event:
    """A run whose worker vanished goes back to the queue, until it has died too often."""
    return Event.REQUEUE if attempt < max_attempts else Event.GIVE_UP


RETRIES_EXHAUSTED = {
    "error": "RunAbandoned",
    "message": "the run's worker stopped answering too many times; it will not be retried",
}
