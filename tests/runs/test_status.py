"""The status tables: which run transitions exist, and what a thread's status becomes."""

from __future__ import annotations

import itertools

import pytest

from skeino.runs.status import (
    RUN_TRANSITIONS,
    TERMINAL,
    InvalidTransition,
    Outcome,
    ThreadView,
    check_transition,
    thread_status_after,
    thread_status_at_rest,
)

ALLOWED = [
    ("pending", "running"),
    ("pending", "interrupted"),
    ("pending", "error"),
    ("running", "success"),
    ("running", "error"),
    ("running", "timeout"),
    ("running", "interrupted"),
    ("running", "pending"),
]


@pytest.mark.parametrize(("current", "new"), ALLOWED)
def test_allowed_transitions(current: str, new: str) -> None:
    assert check_transition(current, new) == new  # type: ignore[arg-type]


def test_every_other_transition_raises() -> None:
    statuses = list(RUN_TRANSITIONS)
    for current, new in itertools.product(statuses, statuses):
        if (current, new) in ALLOWED:
            continue
        with pytest.raises(InvalidTransition):
            check_transition(current, new)  # type: ignore[arg-type]


def test_terminal_statuses_have_no_way_out() -> None:
    assert {s for s, nexts in RUN_TRANSITIONS.items() if not nexts} == TERMINAL


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
