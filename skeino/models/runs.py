"""Bodies and queries of the runs endpoints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from skeino.lifecycle import RunStatus
from skeino.models.common import Json, check_page

StreamMode = Literal[
    "values",
    "updates",
    "messages",
    "messages-tuple",
    "custom",
    "debug",
    "events",
    "tasks",
    "checkpoints",
]
MultitaskStrategy = Literal["reject", "rollback", "interrupt", "enqueue"]
Nodes = list[str] | Literal["*"]


@dataclass(frozen=True)
class Command:
    """Resume an interrupt, update state, or jump to nodes."""

    resume: Any = None
    update: Any = None
    goto: Any = None


@dataclass(frozen=True)
class RunCreate:
    """Start a run of an assistant (or graph id) on a thread, or statelessly."""

    assistant_id: str
    input: Any = None
    command: Command | None = None
    checkpoint: Json | None = None
    checkpoint_id: str | None = None
    checkpoint_during: bool | None = None
    config: Json | None = None
    context: Json | None = None
    metadata: Json | None = None
    stream_mode: StreamMode | list[StreamMode] = "values"
    stream_subgraphs: bool = False
    stream_resumable: bool = False
    interrupt_before: Nodes | None = None
    interrupt_after: Nodes | None = None
    multitask_strategy: MultitaskStrategy = "enqueue"
    if_not_exists: Literal["create", "reject"] = "reject"
    on_disconnect: Literal["cancel", "continue"] | None = None
    on_completion: Literal["delete", "keep"] = "delete"
    after_seconds: float | None = None
    webhook: str | None = None
    durability: Literal["sync", "async", "exit"] | None = None
    feedback_keys: list[str] | None = None
    strict_resume: bool | None = None
    langsmith_tracer: Json | None = None

    def __post_init__(self) -> None:
        if self.after_seconds is not None and self.after_seconds < 0:
            raise ValueError("after_seconds must be >= 0")
        if self.webhook is not None and not self.webhook.startswith(("http://", "https://", "/")):
            raise ValueError("webhook must be an http(s) URL, or a path on this server")

    @property
    def stream_modes(self) -> list[str]:
        modes = [self.stream_mode] if isinstance(self.stream_mode, str) else self.stream_mode
        return list(dict.fromkeys(modes)) or ["values"]


@dataclass(frozen=True)
class RunListQuery:
    limit: int = 10
    offset: int = 0
    status: RunStatus | None = None
    select: list[str] | None = None

    def __post_init__(self) -> None:
        check_page(self.limit, self.offset)


@dataclass(frozen=True)
class CancelQuery:
    wait: bool = False
    action: Literal["interrupt", "rollback"] = "interrupt"


@dataclass(frozen=True)
class BulkCancel:
    """Cancel runs by id on one thread, or every run in a status."""

    thread_id: str | None = None
    run_ids: list[str] | None = None
    status: Literal["pending", "running", "all"] | None = None
    action: Literal["interrupt", "rollback"] = "interrupt"

    def __post_init__(self) -> None:
        if self.status is None and not (self.thread_id and self.run_ids):
            raise ValueError("Either status or thread_id and run_ids must be given")


@dataclass(frozen=True)
class JoinStreamQuery:
    cancel_on_disconnect: bool = False
    stream_mode: list[str] = field(default_factory=list)


THREAD_STREAM_MODES = ("run_modes", "lifecycle", "state_update")


@dataclass(frozen=True)
class ThreadStreamQuery:
    """The official server reads `stream_modes` (comma-separated); the SDK's `stream_mode`
    is accepted and, as upstream, has no effect."""

    stream_mode: list[str] = field(default_factory=list)
    stream_modes: str | None = None

    @property
    def modes(self) -> tuple[str, ...]:
        if not self.stream_modes:
            return ("run_modes",)
        return tuple(mode.strip() for mode in self.stream_modes.split(","))

    @property
    def unknown_mode(self) -> str | None:
        """The first mode that is none of `THREAD_STREAM_MODES` (upstream's 422 names it)."""
        return next((mode for mode in self.modes if mode not in THREAD_STREAM_MODES), None)
