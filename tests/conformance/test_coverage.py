"""Every public langgraph_sdk client method is called by a scenario, or listed here with why."""

from __future__ import annotations

import inspect
from pathlib import Path

from langgraph_sdk.client import (
    AssistantsClient,
    CronClient,
    RunsClient,
    StoreClient,
    SyncAssistantsClient,
    SyncCronClient,
    SyncRunsClient,
    SyncStoreClient,
    SyncThreadsClient,
    ThreadsClient,
)

import conformance.scenarios

CLIENTS: dict[str, tuple[type, ...]] = {
    "assistants": (AssistantsClient, SyncAssistantsClient),
    "threads": (ThreadsClient, SyncThreadsClient),
    "runs": (RunsClient, SyncRunsClient),
    "crons": (CronClient, SyncCronClient),
    "store": (StoreClient, SyncStoreClient),
}
NOT_COVERED = {
    "threads.join_stream": "it sends its request only once iterated, so a scenario cannot tell "
    "when the server listens before starting a run; thread_stream_legacy_lifecycle reads the "
    "same endpoint raw",
}
SOURCE = "\n".join(
    path.read_text() for path in Path(conformance.scenarios.__file__).parent.glob("*.py")
)


def sdk_methods() -> set[str]:
    """`resource.method` for each public method of the async and sync sub-clients."""
    return {
        f"{resource}.{name}"
        for resource, classes in CLIENTS.items()
        for client in classes
        for name, _ in inspect.getmembers(client, inspect.isfunction)
        if not name.startswith("_")
    }


def test_every_sdk_method_is_called_by_a_scenario() -> None:
    missing = {method for method in sdk_methods() if f"{method}(" not in SOURCE} - set(NOT_COVERED)
    assert not missing, f"no scenario calls {sorted(missing)}"


def test_not_covered_list_is_current() -> None:
    assert all(f"{method}(" not in SOURCE for method in NOT_COVERED)
