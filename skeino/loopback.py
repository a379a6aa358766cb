"""`langgraph_sdk.get_client()` with no URL, from inside a graph, reaches this server in-process.

The SDK's loopback transport finds the server by importing `langgraph_api.server.app` (the
official server's module) or, when that fails, registers a transport with no app for the
server to fill in later through `configure_loopback_transports`. Its requests carry the ASGI
`root_path` "/noauth", which no network client can set, and bypass authentication, as
upstream. skeino answers under that import path for as long as it runs, and fills in the
transports created before it started (graphs that call `get_client()` at import time).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.util import find_spec
from types import ModuleType

from langgraph_sdk.client import configure_loopback_transports

from skeino.types import ASGIApp, Scope

ROOT_PATH = "/noauth"
_SERVER_MODULE = "langgraph_api.server"


def is_loopback(scope: Scope) -> bool:
    root = scope.get("root_path", "")
    return root == ROOT_PATH or root.startswith(ROOT_PATH + "/")


@contextmanager
def serving(app: ASGIApp) -> Iterator[None]:
    """Make `app` the target of the SDK's loopback transport until the block ends."""
    installed: list[str] = []
    if _SERVER_MODULE not in sys.modules:
        if "langgraph_api" not in sys.modules and find_spec("langgraph_api") is None:
            sys.modules["langgraph_api"] = ModuleType("langgraph_api")
            installed.append("langgraph_api")
        server = ModuleType(_SERVER_MODULE, "skeino standing in for the official server")
        server.app = app  # type: ignore[attr-defined]
        sys.modules[_SERVER_MODULE] = server
        installed.append(_SERVER_MODULE)
    configure_loopback_transports(app)
    try:
        yield
    finally:
        for name in reversed(installed):
            sys.modules.pop(name, None)
