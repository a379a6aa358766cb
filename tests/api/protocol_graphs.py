"""A graph for thread-stream tests: the conformance `custom` graph, compiled to stream its
custom events through LangGraph's v3 protocol (loaded by `skeino serve` with the
conformance directory on its import path)."""

from __future__ import annotations

from graphs.custom import builder  # type: ignore[import-not-found]
from langgraph.stream.transformers import CustomTransformer

# Custom events reach a thread stream only from a graph that streams them (as upstream).
custom = builder.compile(transformers=[CustomTransformer])
