"""In-process floors of the stream figures: what the graph alone streams, with no HTTP.

The `events` graph astream'd with stream_mode `custom` and the `chat` graph with `messages`,
on a given checkpointer, rates taken between the first and last item exactly as
`bench.streams` takes them over HTTP. A server's events/s over this floor near 1.0 means
the stream is bound by the graph (LangGraph and the node), not by the server.
"""

from __future__ import annotations

import statistics
import time
import uuid
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from bench.envs import graph_module
from bench.sizes import Sizes
from bench.streams import rate
from bench.workloads import Figures


async def _rate(graph: Any, payload: dict[str, Any], mode: str, repeats: int) -> tuple[float, int]:
    """Median items/s over `repeats` runs (each on a fresh thread), and items per run."""
    rates, counts = [], []
    for _ in range(repeats):
        config = {"configurable": {"thread_id": f"stream-floor-{uuid.uuid4()}"}}
        times = []
        async for _item in graph.astream(payload, config, stream_mode=mode):
            times.append(time.perf_counter())
        rates.append(rate(times))
        counts.append(len(times))
    return statistics.median(rates), int(statistics.median(counts))


async def stream_floor(saver: BaseCheckpointSaver, sizes: Sizes) -> Figures:
    """Custom events/s of `events` and message chunks/s of `chat`, one stream at a time."""
    events = graph_module("events").builder.compile(checkpointer=saver)
    chat = graph_module("chat").builder.compile(checkpointer=saver)
    await _rate(events, {"count": 10}, "custom", 1)  # warm up, as the server is by then
    events_rate, events_seen = await _rate(events, {"count": sizes.events}, "custom", sizes.repeats)
    messages = {"messages": [{"role": "user", "content": "go"}], "tokens": sizes.tokens}
    tokens_rate, tokens_seen = await _rate(chat, messages, "messages", sizes.repeats)
    return {
        "events_per_s": events_rate,
        "events_seen": events_seen,
        "tokens_per_s": tokens_rate,
        "token_events_seen": tokens_seen,
    }
