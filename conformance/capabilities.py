"""Capabilities: what a server can do, read from the requests a scenario sends.

Each exchange counts toward every capability whose rule matches its request (the
recorded request, or the replayed one for an unexpected request): the endpoint family
it calls and the features its body asks for (stream modes, multitask strategy,
interrupts ...). A capability no recorded exchange touches is listed as not covered,
so the table also says what the suite does not test yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_args

from langgraph_sdk import schema

from conformance.table import route

STREAM_MODES = get_args(schema.StreamMode)
"""Every mode the SDK can ask for: a mode no scenario streams shows as not covered."""
STRATEGIES = get_args(schema.MultitaskStrategy)


@dataclass(frozen=True)
class Call:
    """The parts of one request that capabilities are read from."""

    scenario: str
    method: str
    route: str
    body: Any

    @classmethod
    def of(cls, scenario: str, request: dict[str, Any]) -> Call:
        return cls(scenario, request["method"], route(request["path"]), request.get("body"))

    def field(self, name: str) -> Any:
        return self.body.get(name) if isinstance(self.body, dict) else None

    def streams(self) -> bool:
        return self.method == "POST" and self.route.endswith("/runs/stream")

    def stream_modes(self) -> list[str]:
        mode = self.field("stream_mode") or "values"
        return [mode] if isinstance(mode, str) else list(mode)

    def under(self, *prefixes: str) -> bool:
        return any(self.route == p or self.route.startswith(p + "/") for p in prefixes)

    def ends(self, *suffixes: str) -> bool:
        return any(self.route.endswith(suffix) for suffix in suffixes)


Rule = Callable[[Call], bool]

ASSISTANT = "/assistants/{assistant_id}"
THREAD = "/threads/{thread_id}"
RUN = THREAD + "/runs/{run_id}"


def _stream_mode(mode: str) -> Rule:
    return lambda call: call.streams() and mode in call.stream_modes()


def _strategy(strategy: str) -> Rule:
    return lambda call: call.field("multitask_strategy") == strategy


def _interrupts(call: Call) -> bool:
    asks = any(call.field(key) for key in ("command", "interrupt_before", "interrupt_after"))
    return asks or call.field("assistant_id") == "interrupt"


CAPABILITIES: dict[str, Rule] = {
    "system: /ok and /info": lambda c: c.method == "GET" and c.route in ("/ok", "/info"),
    "assistants: create, get, update, delete": lambda c: c.route in ("/assistants", ASSISTANT),
    "assistants: versions": lambda c: c.route in (ASSISTANT + "/versions", ASSISTANT + "/latest"),
    "assistants: search and count": lambda c: (
        c.route in ("/assistants/search", "/assistants/count")
    ),
    "assistants: graph, schemas, subgraphs": lambda c: c.under(
        ASSISTANT + "/graph", ASSISTANT + "/schemas", ASSISTANT + "/subgraphs"
    ),
    "threads: create, get, update, delete": lambda c: c.route in ("/threads", THREAD),
    "threads: search and count": lambda c: c.route in ("/threads/search", "/threads/count"),
    "threads: copy and prune": lambda c: c.route in (THREAD + "/copy", "/threads/prune"),
    "threads: state": lambda c: c.under(THREAD + "/state"),
    "threads: history": lambda c: c.route == THREAD + "/history",
    "runs: wait": lambda c: c.ends("/runs/wait"),
    "runs: background (create, get, list, join, delete)": lambda c: (
        c.route in (THREAD + "/runs", RUN, RUN + "/join")
    ),
    "runs: cancel": lambda c: c.ends("/cancel"),
    "runs: batch": lambda c: c.route == "/runs/batch",
    "runs: stateless": lambda c: c.route in ("/runs", "/runs/wait", "/runs/stream", "/runs/batch"),
    "runs: failing graph": lambda c: c.field("assistant_id") == "failing",
    **{f"stream mode: {mode}": _stream_mode(mode) for mode in STREAM_MODES},
    "streams: subgraphs": lambda c: c.streams() and c.field("stream_subgraphs") is True,
    "streams: join a run's stream": lambda c: c.route == RUN + "/stream",
    **{f"multitask: {strategy}": _strategy(strategy) for strategy in STRATEGIES},
    "interrupts and resume": _interrupts,
    "store: items": lambda c: c.route == "/store/items",
    "store: search and namespaces": lambda c: (
        c.route in ("/store/items/search", "/store/namespaces")
    ),
    "store: used by a graph": lambda c: c.field("assistant_id") == "store",
    "crons": lambda c: "/crons" in c.route,
    "thread streams": lambda c: c.under(THREAD + "/stream", THREAD + "/commands"),
    "MCP": lambda c: c.under("/mcp"),
    "A2A": lambda c: c.under("/a2a"),
}
PROBES: dict[str, Rule] = {
    "system: CORS": lambda c: c.scenario == "system_cors",
    "errors: not found": lambda c: c.scenario == "errors_not_found",
    "errors: malformed and invalid bodies": lambda c: (
        c.scenario in ("errors_malformed_json", "errors_validation")
    ),
    "errors: wrong method": lambda c: c.scenario == "errors_method_not_allowed",
    "errors: contradictory requests": lambda c: c.scenario == "errors_request_contradictions",
}
"""Scenarios that probe one concern (CORS, wrong requests): their requests count only there."""
OTHER = "other"
ALL = [*CAPABILITIES, *PROBES, OTHER]


def of(call: Call) -> tuple[str, ...]:
    """The capabilities one request exercises (`other` when none matches)."""
    probed = tuple(name for name, rule in PROBES.items() if rule(call))
    found = probed or tuple(name for name, rule in CAPABILITIES.items() if rule(call))
    return found or (OTHER,)
