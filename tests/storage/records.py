"""Builders of valid records, so each test states only the fields it is about."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

from skeino.storage.base import Assistant, Run, Thread

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def ts(seconds: float) -> str:
    """An ISO-8601 timestamp `seconds` after a fixed epoch, in the format callers use."""
    return (EPOCH + timedelta(seconds=seconds)).isoformat()


def assistant(assistant_id: str, **fields: Any) -> Assistant:
    record = {
        "assistant_id": assistant_id,
        "graph_id": "agent",
        "config": {},
        "context": {},
        "metadata": {},
        "name": assistant_id,
        "description": None,
        "version": 1,
        "created_at": ts(0),
        "updated_at": ts(0),
    }
    return cast(Assistant, record | fields)


def thread(thread_id: str, **fields: Any) -> Thread:
    record = {
        "thread_id": thread_id,
        "created_at": ts(0),
        "updated_at": ts(0),
        "state_updated_at": ts(0),
        "metadata": {},
        "status": "idle",
        "config": {},
        "values": None,
        "interrupts": {},
        "error": None,
    }
    return cast(Thread, record | fields)


def run(run_id: str, thread_id: str = "t1", **fields: Any) -> Run:
    record = {
        "run_id": run_id,
        "thread_id": thread_id,
        "assistant_id": "a1",
        "metadata": {},
        "status": "pending",
        "kwargs": {},
        "multitask_strategy": "reject",
        "created_at": ts(0),
        "updated_at": ts(0),
    }
    return cast(Run, record | fields)
