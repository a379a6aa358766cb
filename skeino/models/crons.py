"""Bodies of the crons endpoints, and the run request a cron's payload fires."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from skeino.http.validation import UNSET, Unset, parse
from skeino.models.common import Json, SortOrder, check_page
from skeino.models.runs import MultitaskStrategy, Nodes, RunCreate, StreamMode

OnRunCompleted = Literal["delete", "keep"]
Durability = Literal["sync", "async", "exit"]
CronSortBy = Literal[
    "cron_id", "assistant_id", "thread_id", "created_at", "updated_at", "next_run_date", "end_time"
]
CronField = Literal[
    "cron_id",
    "assistant_id",
    "thread_id",
    "end_time",
    "schedule",
    "timezone",
    "created_at",
    "updated_at",
    "user_id",
    "payload",
    "next_run_date",
    "metadata",
    "on_run_completed",
    "enabled",
]


@dataclass(frozen=True)
class CronCreate:
    """Schedule runs of an assistant; every field but the schedule shapes the fired runs.

    Everything given (nulls dropped) is kept verbatim as the cron's `payload`, as the
    official server keeps it, so a PATCH can change any part of what fires.
    """

    schedule: str
    assistant_id: str
    input: Any = None
    metadata: Json | None = None
    config: Json | None = None
    context: Json | None = None
    checkpoint_during: bool | None = None
    interrupt_before: Nodes | None = None
    interrupt_after: Nodes | None = None
    webhook: str | None = None
    multitask_strategy: MultitaskStrategy | None = None
    on_run_completed: OnRunCompleted | None = None
    end_time: str | None = None
    enabled: bool | None = None
    timezone: str | None = None
    stream_mode: StreamMode | list[StreamMode] | None = None
    stream_subgraphs: bool | None = None
    stream_resumable: bool | None = None
    durability: Durability | None = None


@dataclass(frozen=True)
class CronPatch:
    """Change a cron; `end_time: null` clears the end, an absent field is left alone."""

    schedule: str | None = None
    end_time: str | Unset | None = UNSET
    input: Any = None
    metadata: Json | None = None
    config: Json | None = None
    context: Json | None = None
    webhook: str | None = None
    interrupt_before: Nodes | None = None
    interrupt_after: Nodes | None = None
    on_run_completed: OnRunCompleted | None = None
    enabled: bool | None = None
    timezone: str | None = None
    stream_mode: StreamMode | list[StreamMode] | None = None
    stream_subgraphs: bool | None = None
    stream_resumable: bool | None = None
    durability: Durability | None = None


@dataclass(frozen=True)
class CronSearch:
    """Filter, sort and page crons; ids must be UUIDs (graph names are not resolved)."""

    assistant_id: str | None = None
    thread_id: str | None = None
    enabled: bool | None = None
    metadata: Json | None = None
    limit: int = 10
    offset: int = 0
    sort_by: CronSortBy | None = None
    sort_order: SortOrder | None = None
    select: list[CronField] | None = None

    def __post_init__(self) -> None:
        check_page(self.limit, self.offset)


@dataclass(frozen=True)
class CronCount:
    """Count crons; the official server ignores `enabled` here, and so do we."""

    assistant_id: str | None = None
    thread_id: str | None = None
    metadata: Json | None = None


def given(body: CronCreate | CronPatch) -> dict[str, Any]:
    """The fields a body set (not null, not UNSET), in declaration order."""
    fields = ((f.name, getattr(body, f.name)) for f in dataclasses.fields(body))
    return {name: value for name, value in fields if value is not None and value is not UNSET}


_RUN_FIELDS = frozenset(f.name for f in dataclasses.fields(RunCreate))


def run_request(payload: Json, stateless: bool) -> RunCreate:
    """The run one firing creates; a 422 when the payload could never make a valid run."""
    body = {k: v for k, v in payload.items() if k in _RUN_FIELDS}
    if stateless:
        body["on_completion"] = payload.get("on_run_completed") or "delete"
    return parse(RunCreate, body)
