"""One connection's view of a thread as protocol events, numbered as the official server does.

Feed items (a run's stream events, its end) go in; protocol events come out:
`{type: "event", event_id, seq, method, params: {namespace, timestamp, data, node?}}`.
`seq` counts every event of the connection from 1 (across runs); `event_id` is the source
event's stream id (`.1`, `.2`… for further events made from one source event) or, for the
events the session makes itself (lifecycle, input requests, checkpoints), a name derived
from the run, so two connections replaying one thread agree on both.

The root lifecycle belongs to the session: `running` when a run's first event is seen,
then `interrupted` as soon as it asks for input, else `completed` / `failed` at its end.
Subgraph lifecycles come from LangGraph's own `lifecycle` events; a subgraph still open
when its run ends is completed first, deepest first.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

import orjson

from skeino.services.protocol_scopes import Scopes, key_of
from skeino.services.protocol_state import state_payload
from skeino.services.thread_feed import FeedItem, RunEnded, ThreadEvent
from skeino.storage.base import Run

Event = dict[str, Any]
Namespace = list[str]
BUFFER = 10_000  # events a socket's late subscription can still replay
STATUS = {
    "success": "completed",
    "error": "failed",
    "timeout": "failed",
    "interrupted": "interrupted",
}


class ProtocolSession:
    def __init__(self, keep: int = BUFFER) -> None:
        """`keep`: how many recent events to keep for late subscriptions (a socket's)."""
        self.seq = 0
        self.buffer: deque[Event] = deque(maxlen=keep)
        self.run_id: str | None = None
        self.scopes = Scopes("root")
        self.pending: dict[str, Namespace] = {}  # interrupt id -> namespace it came from
        self._ended = False
        self._checkpoints: set[tuple[str, str]] = set()
        self._source: str | None = None
        self._made = 0
        self._out: list[Event] = []

    def ingest(self, item: FeedItem) -> list[Event]:
        """The protocol events one feed item makes (also kept in `buffer`); the thread's
        own events (state updates) have no protocol shape and make none."""
        self._out = []
        if isinstance(item, ThreadEvent):
            return self._out
        if item.run["run_id"] != self.run_id:
            self._start(item.run)
        if isinstance(item, RunEnded):
            self._end(item)
        else:
            self._source, self._made = item.item.id, 0
            method, _, rest = item.item.event.event.partition("|")
            self._dispatch(method, rest.split("|") if rest else [], item.item.event.data)
            self._source = None
        self.buffer.extend(self._out)
        return self._out

    # runs

    def _start(self, run: Run) -> None:
        configurable = run["kwargs"]["config"].get("configurable", {})
        name = configurable.get("graph_id")
        self.run_id = run["run_id"]
        self.scopes = Scopes(name if isinstance(name, str) else run["assistant_id"])
        self._ended = False
        self._checkpoints.clear()
        self.pending.clear()
        self.scopes.set([], "running")
        data = {"event": "running", "graph_name": self.scopes.root}
        self._push("lifecycle", [], data, event_id=self._synth("lc", "", "running"))

    def _end(self, ended: RunEnded) -> None:
        if self._ended:
            return
        status = "interrupted" if ended.interrupted else STATUS.get(ended.status)
        if status is None:
            return
        self._ended = True
        for scope in self.scopes.open_below_root():
            self._lifecycle(scope.namespace, "completed")
        self._lifecycle([], status)

    # events of a run

    def _dispatch(self, method: str, namespace: Namespace, raw: bytes) -> None:
        if method == "metadata":
            return
        data = orjson.loads(raw)
        if method == "error":
            self._ended = True
            message = data.get("message", str(data)) if isinstance(data, dict) else str(data)
            self._lifecycle([], "failed", error=message)
            return
        if _is_protocol_event(data):
            params = data["params"]
            found = params.get("namespace")
            if isinstance(found, list) and all(isinstance(s, str) for s in found):
                namespace = found
            self._protocol(data["method"], namespace, params)
        else:
            self._legacy(method, namespace, data)

    def _protocol(self, method: str, namespace: Namespace, params: dict[str, Any]) -> None:
        """An event of LangGraph's v3 stream: already in protocol shape."""
        data = params.get("data")
        if method == "checkpoints":
            self._checkpoint(namespace, data)
            return
        if method == "lifecycle":
            self._subgraph(namespace, data)
            return
        self.scopes.register(namespace)
        node = params.get("node") if isinstance(params.get("node"), str) else None
        if method == "updates" and node is None and isinstance(data, dict):
            node = data.get("node") if isinstance(data.get("node"), str) else None
        if method == "updates" and node == "__interrupt__":
            self._ask(namespace, _requests(data.get("values") if isinstance(data, dict) else None))
            return
        if method == "values":
            self._ask(namespace, _requests(params.get("interrupts")) + _requests(data))
        stamp = params.get("timestamp")
        self._push(method, namespace, data, node=node, timestamp=stamp)
        if method == "updates" and node is not None:
            self._child_done(namespace, node)

    def _legacy(self, method: str, namespace: Namespace, data: Any) -> None:
        """An event of a run started through the run endpoints (legacy shapes)."""
        if method == "lifecycle":
            self._subgraph(namespace, data)
            return
        self.scopes.register(namespace)
        if method == "values":
            self._ask(namespace, _requests(data))
            if not isinstance(data, dict) or {k for k in data if k != "__interrupt__"}:
                self._push("values", namespace, data)
        elif method == "messages" and isinstance(data, dict) and isinstance(data.get("event"), str):
            self._push("messages", namespace, data)
        elif method == "updates":
            self._update(namespace, data)
        elif method == "custom":
            self._push("custom", namespace, {"payload": data})
        elif method == "tasks":
            self._push("tasks", namespace, data)
        elif method == "checkpoints":
            self._checkpoint(namespace, data)

    def _update(self, namespace: Namespace, data: Any) -> None:
        node, values = None, data
        if isinstance(data, dict) and len(data) == 1:
            node, values = next(iter(data.items()))
        if node == "__interrupt__":
            self._ask(namespace, _requests(values))
            return
        values = values if isinstance(values, dict) else {"value": values}
        self._ask(namespace, _requests(values))
        if {k for k in values if k != "__interrupt__"}:
            self._push("updates", namespace, values, node=node)
        if node is not None:
            self._child_done(namespace, node)

    # lifecycles, interrupts, checkpoints

    def _subgraph(self, namespace: Namespace, data: Any) -> None:
        if not isinstance(data, dict) or not isinstance(data.get("event"), str):
            self.scopes.register(namespace)
            return
        inner = data.get("namespace")
        if isinstance(inner, list) and all(isinstance(s, str) for s in inner):
            namespace = inner if len(inner) > len(namespace) else namespace
        if not namespace:  # the root's lifecycle is the session's own
            return
        if data["event"] == "started":
            if self.scopes.announce(namespace, data.get("graph_name")):
                self._push("lifecycle", namespace, data)
        elif data["event"] in ("running", "completed", "failed", "interrupted"):
            extras = {k: data[k] for k in ("error", "cause") if k in data}
            self._lifecycle(namespace, data["event"], data.get("graph_name"), **extras)
        else:
            self.scopes.register(namespace)

    def _lifecycle(
        self, namespace: Namespace, status: str, graph_name: Any = None, **extras: Any
    ) -> None:
        name = self.scopes.change(namespace, status, graph_name, bool(extras))
        if name is None:
            return
        data = {"event": status, "graph_name": name, **extras}
        event_id = self._synth("lc", key_of(namespace), status)
        self._push("lifecycle", namespace, data, event_id=event_id)

    def _child_done(self, parent: Namespace, node: str) -> None:
        child = self.scopes.open_child(parent, node)
        if child is not None:
            self._lifecycle(child, "completed")

    def _ask(self, namespace: Namespace, requests: list[dict[str, Any]]) -> None:
        asked = False
        for request in requests:
            interrupt_id = request["interrupt_id"]
            if interrupt_id in self.pending:
                continue
            self.pending[interrupt_id] = list(namespace)
            event_id = self._synth("input", key_of(namespace), interrupt_id)
            self._push("input.requested", namespace, request, event_id=event_id)
            asked = True
        if asked:  # the run stopped to wait: say so now, not when its end is recorded
            self._lifecycle([], "interrupted")
            self._ended = True

    def _checkpoint(self, namespace: Namespace, data: Any) -> None:
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            return
        seen = (key_of(namespace), data["id"])
        if seen not in self._checkpoints:
            self._checkpoints.add(seen)
            event_id = self._synth("checkpoint", *seen)
            self._push("checkpoints", namespace, data, event_id=event_id)

    # envelopes

    def _synth(self, *parts: str) -> str:
        return f"synth:{self.run_id}:{'|'.join(parts)}"

    def _push(
        self,
        method: str,
        namespace: Namespace,
        data: Any,
        *,
        node: str | None = None,
        timestamp: Any = None,
        event_id: str | None = None,
    ) -> None:
        self.seq += 1
        if method.startswith("custom:"):
            method, data = "custom", {"name": method[len("custom:") :], "payload": data}
        if method in ("values", "updates"):
            data = state_payload(data)
        stamp = timestamp if isinstance(timestamp, int) else int(time.time() * 1000)
        params: dict[str, Any] = {"namespace": list(namespace), "timestamp": stamp, "data": data}
        if node is not None:
            params["node"] = node
        if event_id is None:
            event_id = self._source if not self._made else f"{self._source}.{self._made}"
            self._made += 1
        event = {"type": "event", "event_id": event_id, "seq": self.seq, "method": method}
        self._out.append({**event, "params": params})


def _is_protocol_event(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and data.get("type") == "event"
        and isinstance(data.get("method"), str)
        and isinstance(data.get("params"), dict)
    )


def _requests(value: Any) -> list[dict[str, Any]]:
    """Interrupts (a list, or a state's `__interrupt__`) as input requests."""
    if isinstance(value, dict):
        value = value.get("__interrupt__")
    if not isinstance(value, list):
        return []
    found = []
    for entry in value:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            request = {"interrupt_id": entry["id"]}
            if "value" in entry:
                request["payload"] = entry["value"]
            found.append(request)
    return found
