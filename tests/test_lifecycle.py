"""The lifecycle tables: which run transitions exist, and what a thread's status becomes."""

from __future__ import annotations

import itertools

import pytest

from skeino.lifecycle import (
    RUN_TABLE,
    TERMINAL,
    Event,
    InvalidTransition,
    Outcome,
    ThreadView,
    after_lost_lease,
    thread_status_after,
    thread_status_at_rest,
    transition,
)

STATUSES = ("pending", "running", "error", "success", "timeout", "interrupted")
ALLOWED = {
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


@pytest.mark.parametrize(("current", "event"), list(ALLOWED))
def test_allowed_transitions(current: str, event: Event) -> None:
    step = transition(event, current)  # type: ignore[arg-type]
    assert step.target == ALLOWED[(current, event)]
    assert current in step.sources


def test_every_other_transition_raises() -> None:
    assert RUN_TABLE == ALLOWED
    for current, event in itertools.product(STATUSES, Event):
        if (current, event) in ALLOWED:
            continue
        with pytest.raises(InvalidTransition):
            transition(event, current)  # type: ignore[arg-type]


def test_terminal_statuses_have_no_way_out() -> None:
    starts = {status for status, _ in RUN_TABLE}
    assert set(STATUSES) - starts == TERMINAL


def test_each_event_has_one_target_whatever_it_starts_from() -> None:
    for event in Event:
        assert len({RUN_TABLE[(s, e)] for s, e in RUN_TABLE if e is event}) == 1


def test_a_run_whose_worker_keeps_dying_is_given_up() -> None:
    assert after_lost_lease(1, 3) is Event.REQUEUE
    assert after_lost_lease(2, 3) is Event.REQUEUE
    assert after_lost_lease(3, 3) is Event.GIVE_UP


CLEAN = ThreadView(has_interrupts=False, has_next=False)
INTERRUPTED = ThreadView(has_interrupts=True, has_next=True)
MID_NODE = ThreadView(has_interrupts=False, has_next=True)


@pytest.mark.parametrize(
    ("outcome", "view", "status"),
    [
        (Outcome.SUCCESS, CLEAN, "idle"),
        (Outcome.SUCCESS, INTERRUPTED, "interrupted"),  # interrupt() or interrupt_before
        (Outcome.SUCCESS, MID_NODE, "interrupted"),
        (Outcome.ERROR, CLEAN, "error"),
        (Outcome.ERROR, MID_NODE, "error"),
        (Outcome.TIMEOUT, MID_NODE, "idle"),
        (Outcome.INTERRUPTED, MID_NODE, "interrupted"),  # cancelled mid-node, as upstream
        (Outcome.INTERRUPTED, CLEAN, "idle"),
        (Outcome.ROLLED_BACK, MID_NODE, "idle"),
    ],
)
def test_thread_status_after_a_run(outcome: Outcome, view: ThreadView, status: str) -> None:
    assert thread_status_after(outcome, view) == status


def test_thread_status_after_covers_every_outcome() -> None:
    for outcome, view in itertools.product(Outcome, [CLEAN, INTERRUPTED, MID_NODE]):
        assert thread_status_after(outcome, view) in {"idle", "interrupted", "error"}


def test_thread_status_at_rest() -> None:
    assert thread_status_at_rest(CLEAN) == "idle"
    assert thread_status_at_rest(INTERRUPTED) == "interrupted"
    assert thread_status_at_rest(MID_NODE) == "interrupted"
