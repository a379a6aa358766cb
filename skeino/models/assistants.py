"""Bodies of the assistants endpoints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from skeino.http.validation import UNSET, Unset
from skeino.models.common import IfExists, Json, SortOrder, check_page

AssistantSortBy = Literal["assistant_id", "graph_id", "name", "created_at", "updated_at"]
AssistantField = Literal[
    "assistant_id",
    "graph_id",
    "name",
    "description",
    "config",
    "context",
    "created_at",
    "updated_at",
    "metadata",
    "version",
]


@dataclass(frozen=True)
class AssistantCreate:
    """Create an assistant: a configured instance of a graph."""

    graph_id: str
    assistant_id: str | None = None
    config: Json = field(default_factory=dict)
    context: Json = field(default_factory=dict)
    metadata: Json = field(default_factory=dict)
    if_exists: IfExists = "raise"
    name: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class AssistantPatch:
    """Change an assistant; every change is stored as a new version."""

    graph_id: str | None = None
    config: Json | None = None
    context: Json | None = None
    metadata: Json | None = None
    name: str | None = None
    description: str | Unset | None = UNSET


@dataclass(frozen=True)
class AssistantSearch:
    """Filter, sort and page assistants."""

    metadata: Json = field(default_factory=dict)
    graph_id: str | None = None
    name: str | None = None
    limit: int = 10
    offset: int = 0
    sort_by: AssistantSortBy | None = None
    sort_order: SortOrder | None = None
    select: list[AssistantField] | None = None

    def __post_init__(self) -> None:
        check_page(self.limit, self.offset)


@dataclass(frozen=True)
class AssistantCount:
    """Count assistants matching the same filters as search."""

    metadata: Json = field(default_factory=dict)
    graph_id: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class AssistantVersionsSearch:
    """Page through an assistant's versions, newest first."""

    metadata: Json = field(default_factory=dict)
    limit: int = 10
    offset: int = 0

    def __post_init__(self) -> None:
        check_page(self.limit, self.offset)


@dataclass(frozen=True)
class AssistantSetLatest:
    """Make an earlier version the one runs use."""

    version: int


@dataclass(frozen=True)
class GraphQuery:
    """`xray`: include subgraphs' nodes, to a depth when an integer."""

    xray: bool | int = False


@dataclass(frozen=True)
class SubgraphsQuery:
    recurse: bool = False
