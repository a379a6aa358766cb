"""The namespaces (root, subgraphs) of one run as a protocol session tracks them.

Each namespace has a status (`started`, `running`, `completed`, …) and a graph name; the
session asks here whether a lifecycle event is news (a repeated status is not), which
namespaces are still open when the run ends, and builds `agent.getTree`'s answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Namespace = list[str]


def key_of(namespace: Namespace) -> str:
    return "/".join(namespace)


def segment_name(segment: str) -> str:
    """`child:<task id>` names the graph `child`."""
    return segment.partition(":")[0]


def is_prefix(namespace: Namespace, prefix: Namespace | tuple[str, ...]) -> bool:
    """`prefix` leads `namespace`; a prefix segment without `:` matches any task of it."""
    if len(prefix) > len(namespace):
        return False
    return all(
        own == want or (":" not in want and segment_name(own) == want)
        for own, want in zip(namespace, prefix, strict=False)
    )


@dataclass(slots=True)
class Scope:
    namespace: Namespace
    status: str
    graph_name: str


class Scopes:
    def __init__(self, root: str) -> None:
        self.root = root
        self._scopes: dict[str, Scope] = {}
        self._announced: set[str] = set()

    def _name(self, namespace: Namespace, given: Any = None) -> str:
        if isinstance(given, str):
            return given
        known = self._scopes.get(key_of(namespace))
        if known is not None:
            return known.graph_name
        return segment_name(namespace[-1]) if namespace else self.root

    def set(self, namespace: Namespace, status: str, graph_name: Any = None) -> None:
        name = self._name(namespace, graph_name)
        self._scopes[key_of(namespace)] = Scope(list(namespace), status, name)

    def register(self, namespace: Namespace) -> None:
        """Every prefix of `namespace` is under way (no event says so on the wire)."""
        for length in range(1, len(namespace) + 1):
            part = namespace[:length]
            known = self._scopes.get(key_of(part))
            if known is None or known.status != "started":
                self.set(part, "started")

    def announce(self, namespace: Namespace, graph_name: Any) -> bool:
        """Whether a subgraph's `started` is news (once per namespace per run)."""
        key = key_of(namespace)
        if key in self._announced:
            return False
        self._announced.add(key)
        self.set(namespace, "started", graph_name)
        return True

    def change(
        self, namespace: Namespace, status: str, graph_name: Any, extras: bool
    ) -> str | None:
        """The graph name to announce `status` with; None when nothing changed."""
        if namespace and key_of(namespace) not in self._scopes:
            self.register(namespace)
        name = self._name(namespace, graph_name)
        known = self._scopes.get(key_of(namespace))
        if known is not None and (known.status, known.graph_name) == (status, name) and not extras:
            return None
        self.set(namespace, status, name)
        return name

    def open_below_root(self) -> list[Scope]:
        """Subgraphs still under way, deepest first."""
        found = [s for s in self._scopes.values() if s.namespace and s.status == "started"]
        return sorted(found, key=lambda s: len(s.namespace), reverse=True)

    def open_child(self, parent: Namespace, node: str) -> Namespace | None:
        """The oldest open task of `node` directly below `parent` (a node's update ends it)."""
        if not node or node.startswith("__"):
            return None
        for scope in self._scopes.values():
            ns = scope.namespace
            if len(ns) != len(parent) + 1 or scope.status != "started" or ns[:-1] != parent:
                continue
            if ns[-1] == node or ns[-1].startswith(node + ":"):
                return ns
        return None

    def tree(self, namespace: Namespace | None = None) -> dict[str, Any]:
        """`agent.getTree`: this namespace, its status and graph, and its children's trees."""
        namespace = namespace or []
        known = self._scopes.get(key_of(namespace))
        node: dict[str, Any] = {
            "namespace": namespace,
            "status": known.status if known is not None else "started",
            "graph_name": self._name(namespace),
        }
        children = sorted(
            (
                s.namespace
                for s in self._scopes.values()
                if len(s.namespace) == len(namespace) + 1
                and s.namespace[: len(namespace)] == namespace
            ),
        )
        if children:
            node["children"] = [self.tree(child) for child in children]
        return node
