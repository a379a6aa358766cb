"""All scenarios; importing this package registers them."""

from __future__ import annotations

from conformance.scenario import REGISTRY, Scenario
from conformance.scenarios import (  # noqa: F401 - imported to register
    assistants,
    crons,
    errors,
    interrupts,
    jsapi,
    multitask,
    runs,
    store,
    streams,
    surface,
    system,
    thread_streams,
    threads,
)


def names() -> list[str]:
    return sorted(REGISTRY)


def get(name: str) -> Scenario:
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown scenario {name!r}; known: {', '.join(names())}") from None
