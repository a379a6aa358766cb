"""Server settings: one frozen, validated value passed to `create_app`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

from langgraph.store.base import IndexConfig, TTLConfig

DEFAULT_DATABASE = "sqlite:///.skeino/skeino.db"
# Runs one process executes at once unless `$N_JOBS_PER_WORKER` or the settings say otherwise.
JOBS_PER_WORKER = 64


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


@dataclass(frozen=True)
class CorsSettings:
    """CORS as `langgraph.json`'s `http.cors` spells it; handed to Starlette's middleware."""

    allow_origins: tuple[str, ...] = ("*",)
    allow_methods: tuple[str, ...] = ("*",)
    allow_headers: tuple[str, ...] = ("*",)
    allow_credentials: bool = False
    expose_headers: tuple[str, ...] = (
        "x-pagination-total",
        "x-pagination-next",
        "content-location",
    )
    max_age: int = 600
    allow_origin_regex: str | None = None

    def __post_init__(self) -> None:
        if self.max_age < 0:
            raise ValueError("cors.max_age must be >= 0")


SWITCHES = ("assistants", "threads", "runs", "store", "meta", "mcp", "a2a", "webhooks")
"""What `langgraph.json`'s `http.disable_<name>` can turn off (route groups, and webhooks)."""


@dataclass(frozen=True)
class HeaderPatterns:
    """`http.configurable_headers`: request headers a run sees in `config.configurable`.

    Patterns are lower-case header names where `*` matches anything; a header is passed
    when it matches an include and no exclude. Credentials never are."""

    includes: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ThreadTtlSettings:
    """Thread expiry as `langgraph.json`'s `checkpointer.ttl` spells it (minutes)."""

    strategy: Literal["delete", "keep_latest"] = "delete"
    """What a sweep does to an expired thread that did not ask for a strategy of its own."""
    default_ttl: float | None = None
    """The TTL of threads created without one (None: they never expire)."""
    sweep_interval_minutes: float = 5.0
    sweep_limit: int = 1000
    """The most threads one sweep handles; the rest wait for the next."""

    def __post_init__(self) -> None:
        if self.strategy not in ("delete", "keep_latest"):
            raise ValueError("checkpointer.ttl.strategy must be 'delete' or 'keep_latest'")
        if self.sweep_interval_minutes <= 0 or self.sweep_limit < 1:
            raise ValueError("checkpointer.ttl: sweep_interval_minutes and sweep_limit > 0")


@dataclass(frozen=True)
class WebhookSettings:
    """Which webhook URLs runs may name, and what goes with each POST (`langgraph.json`'s
    `webhooks`). The defaults are the official server's: no loopback (a path on this
    server, `localhost`, 127.0.0.0/8, ::1) unless `disable_loopback` is false; private
    addresses only with `disable_private_ips`; a host listed in `allowed_domains` is
    trusted whatever it resolves to."""

    require_https: bool = False
    allowed_domains: tuple[str, ...] = ()
    """Exact hosts, or `*.example.com` for its subdomains; empty: any public host."""
    allowed_ports: tuple[int, ...] = ()
    max_url_length: int = 4096
    disable_loopback: bool = True
    disable_private_ips: bool = False
    headers: tuple[tuple[str, str], ...] = ()
    """Sent with every webhook, templates already resolved from the environment."""
    allowed_fields: frozenset[str] | None = None
    """When set, the payload keeps only these keys."""


@dataclass(frozen=True)
class SkeinoSettings:
    """Everything that shapes a skeino app; invalid values fail at construction."""

    database_uri: str = field(
        default_factory=lambda: os.environ.get("SKEINO_DATABASE") or DEFAULT_DATABASE
    )
    cors: CorsSettings | None = field(default_factory=CorsSettings)
    max_body_bytes: int = 16 * 1024 * 1024
    welcome_message: str = "Welcome to skeino: a LangGraph server on plain ASGI."
    heartbeat_seconds: float = 5.0
    subscriber_buffer: int = 4096
    run_timeout_seconds: float | None = None
    agent_nodes: tuple[str, ...] = ()
    """Nodes whose streamed tokens are also sent as growing `values` (runs streaming values)."""
    status_field: str | None = None
    """A state key whose every change is also sent as a `status` event (runs streaming values)."""
    max_stream_retries: int = 0
    """Retries of a run from its last checkpoint after a transient (network, 429, 5xx) failure."""
    store_index: IndexConfig | None = None
    """Semantic search for the store (`store.index` in langgraph.json)."""
    store_ttl: TTLConfig | None = None
    """Expiry of store items (`store.ttl` in langgraph.json)."""
    api_url: str = ""
    """Where clients reach this server; graphs see it as `langgraph_api_url` metadata."""
    lease_seconds: float = field(default_factory=lambda: _env_float("SKEINO_LEASE_SECONDS", 30.0))
    """How long a worker holds a run without renewing; a run whose worker died waits this long."""
    poll_seconds: float = field(default_factory=lambda: _env_float("SKEINO_POLL_SECONDS", 0.5))
    """How often the queue looks for work, cancels and events from other processes."""
    max_attempts: int = 3
    """How many times a run is taken before a run whose workers keep dying is given up."""
    jobs_per_worker: int = field(
        default_factory=lambda: _env_int("N_JOBS_PER_WORKER", JOBS_PER_WORKER)
    )
    """How many runs one process executes at once (`N_JOBS_PER_WORKER`, as upstream); the
    rest wait in the queue, in order, for this process or another."""
    worker_id: str | None = None
    """This process's name in the queue (default: host, pid and a random suffix)."""
    event_retention_seconds: float = 3600.0
    """How long run events stay in the database's log for late joins and replays."""
    mount_prefix: str = ""
    """Serve the API under this path (`http.mount_prefix`); `/ok` and `/metrics` stay at the
    root too, for health checks and scrapers."""
    configurable_headers: HeaderPatterns | None = None
    """Request headers copied into each run's `configurable` (none when unset)."""
    disabled: frozenset[str] = frozenset()
    """Names from `SWITCHES` turned off (`http.disable_*`)."""
    middleware_order: str = "middleware_first"
    """Where `http.app`'s middleware sits: outside authentication, or inside it (`auth_first`)."""
    thread_ttl: ThreadTtlSettings = field(default_factory=ThreadTtlSettings)
    """Thread expiry and its sweep (`checkpointer.ttl` in langgraph.json)."""
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)
    """The webhook URL policy and headers (`webhooks` in langgraph.json)."""
    console: bool = True
    """Serve the built-in console (static files calling the public API) at `/console`."""
    internal_truncate: bool = field(
        default_factory=lambda: os.environ.get("SKEINO_INTERNAL_TRUNCATE") == "1"
    )
    """Serve `POST /internal/truncate` (wipes threads, runs, crons, user assistants): tests only."""

    def __post_init__(self) -> None:
        if "://" not in self.database_uri:
            raise ValueError(f"database_uri must look like scheme://..., got {self.database_uri!r}")
        if self.jobs_per_worker < 1:
            raise ValueError("jobs_per_worker must be at least 1")
        if self.max_body_bytes <= 0:
            raise ValueError("max_body_bytes must be positive")
        if self.heartbeat_seconds <= 0:
            raise ValueError("heartbeat_seconds must be positive")
        if self.subscriber_buffer < 1:
            raise ValueError("subscriber_buffer must be at least 1")
        if self.run_timeout_seconds is not None and self.run_timeout_seconds <= 0:
            raise ValueError("run_timeout_seconds must be positive when set")
        if self.max_stream_retries < 0:
            raise ValueError("max_stream_retries must be >= 0")
        if self.lease_seconds <= 0 or self.poll_seconds <= 0:
            raise ValueError("lease_seconds and poll_seconds must be positive")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.mount_prefix and (
            not self.mount_prefix.startswith("/") or self.mount_prefix.endswith("/")
        ):
            raise ValueError(f"mount_prefix must look like /my-api, got {self.mount_prefix!r}")
        if unknown := sorted(self.disabled - set(SWITCHES)):
            raise ValueError(f"unknown switches in disabled: {unknown}; known: {SWITCHES}")
        if self.middleware_order not in ("middleware_first", "auth_first"):
            raise ValueError("middleware_order must be 'middleware_first' or 'auth_first'")
