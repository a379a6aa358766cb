"""One scenario per stream mode, plus mode combinations, subgraphs and stateless streams."""

from __future__ import annotations

from typing import Any

from conformance.scenario import Context, register, scenario
from conformance.scenarios._support import chat_input, drain, new_thread

GRAPH_INPUT: dict[str, dict[str, Any]] = {
    "chat": chat_input("stream this"),
    "custom": {"count": 3},
    "subgraph": {"log": ["start"]},
}

CASES: dict[str, tuple[str, list[str], bool]] = {
    "stream_values": ("chat", ["values"], False),
    "stream_updates": ("chat", ["updates"], False),
    "stream_messages": ("chat", ["messages"], False),
    "stream_messages_tuple": ("chat", ["messages-tuple"], False),
    "stream_custom": ("custom", ["custom"], False),
    "stream_debug": ("chat", ["debug"], False),
    "stream_events": ("chat", ["events"], False),
    "stream_tasks": ("chat", ["tasks"], False),
    "stream_checkpoints": ("chat", ["checkpoints"], False),
    "stream_multiple_modes": ("custom", ["values", "updates", "custom"], False),
    "stream_subgraphs": ("subgraph", ["values", "updates"], True),
    "stream_subgraphs_debug": ("subgraph", ["debug", "tasks"], True),
}
"""name -> (graph, stream modes, stream_subgraphs)."""


def _thread_stream(graph: str, modes: list[str], subgraphs: bool) -> Any:
    async def body(ctx: Context) -> None:
        thread_id = await new_thread(ctx)
        await drain(
            ctx.client.runs.stream(
                thread_id,
                graph,
                input=GRAPH_INPUT[graph],
                stream_mode=modes,
                stream_subgraphs=subgraphs,
            )
        )

    body.__doc__ = (
        f"runs.stream on a thread, graph {graph}, stream_mode={modes}, subgraphs={subgraphs}."
    )
    return body


for _name, (_graph, _modes, _subgraphs) in CASES.items():
    register(_name, _thread_stream(_graph, _modes, _subgraphs), "streams")


@scenario
async def stream_stateless(ctx: Context) -> None:
    """runs.stream without a thread, values and messages-tuple."""
    await drain(
        ctx.client.runs.stream(
            None, "chat", input=chat_input("no thread"), stream_mode=["values", "messages-tuple"]
        )
    )
