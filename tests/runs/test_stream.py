"""astream_run against the conformance graphs, checked against sequences recorded from the
official server (langgraph-api 0.16.7, langgraph 1.2.22) with ids normalised to `*`."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from langchain_core.messages import AIMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver

from conformance.graphs import chat, custom, failing, interrupt, subgraph
from skeino.runs.stream import StreamOptions, Translator, astream_run

pytestmark = pytest.mark.anyio

HI = {"messages": [{"role": "user", "content": "hi", "id": "h1"}]}
HUMAN = {
    "content": "hi",
    "additional_kwargs": {},
    "response_metadata": {},
    "type": "human",
    "name": None,
    "id": "h1",
}
REPLY = "You said: hi. That is all I know."


def ai(content: str, id: str = "lc_run--*") -> dict[str, Any]:
    return {
        "content": content,
        "additional_kwargs": {},
        "response_metadata": {},
        "type": "ai",
        "name": None,
        "id": id,
        "tool_calls": [],
        "invalid_tool_calls": [],
        "usage_metadata": None,
    }


def _norm(value: Any) -> Any:
    """Replace generated ids (run ids, namespaces' task ids, interrupt ids) with `*`."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if isinstance(k, str) and k.startswith("lc_run--"):
                k = "lc_run--*"
            if k == "id" and isinstance(v, str) and v.startswith("lc_run--"):
                v = "lc_run--*"
            elif k == "id" and isinstance(v, str) and len(v) == 32:
                v = "*"  # interrupt ids
            out[k] = _norm(v)
        return out
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value


def _name(event: str) -> str:
    mode, _, ns = event.partition("|")
    return f"{mode}|{ns.split(':')[0]}:*" if ns else mode


async def run(
    graph: Any,
    input: Any,
    modes: tuple[str, ...],
    *,
    config: dict[str, Any] | None = None,
    **options: Any,
) -> list[tuple[str, Any]]:
    opts = StreamOptions(modes, **{k: v for k, v in options.items() if k != "command"})
    events = astream_run(
        graph, input=input, config=config or {}, options=opts, command=options.get("command")
    )
    return [(_name(e.event), _norm(orjson.loads(e.encode().data))) async for e in events]


def stateful(builder: Any) -> Any:
    return builder.compile(checkpointer=InMemorySaver())


THREAD = {"configurable": {"thread_id": "t1"}}


async def test_values() -> None:
    assert await run(chat.graph, HI, ("values",)) == [
        ("values", {"messages": [HUMAN]}),
        ("values", {"messages": [HUMAN, ai(REPLY, "lc_run--*")]}),
    ]


async def test_updates() -> None:
    assert await run(chat.graph, HI, ("updates",)) == [
        ("updates", {"agent": {"messages": [ai(REPLY)]}}),
    ]


async def test_messages_emit_metadata_once_then_accumulated_partials() -> None:
    events = await run(chat.graph, HI, ("messages",))
    assert [name for name, _ in events] == ["messages/metadata"] + ["messages/partial"] * 15
    (metadata,) = events[0][1]["lc_run--*"].values()
    assert metadata["langgraph_node"] == "agent"
    assert events[1][1] == [ai("You")]
    assert events[2][1] == [ai("You ")]
    assert events[-1][1] == [ai(REPLY)]  # the last chunk is still a partial, never complete


async def test_messages_tuple_sends_raw_chunks_with_metadata() -> None:
    events = await run(chat.graph, HI, ("messages-tuple",))
    assert [name for name, _ in events] == ["messages"] * 15
    chunk, metadata = events[-1][1]
    assert chunk["type"] == "AIMessageChunk"
    assert (chunk["content"], chunk["chunk_position"]) == ("know.", "last")
    assert chunk["tool_call_chunks"] == []
    assert metadata["langgraph_node"] == "agent"


async def test_messages_tuple_wins_over_messages() -> None:
    events = await run(chat.graph, HI, ("values", "messages", "messages-tuple", "updates"))
    names = [name for name, _ in events]
    assert names == ["values"] + ["messages"] * 15 + ["updates", "values"]


def test_finished_messages_are_complete_events() -> None:
    translator = Translator(["messages"])
    meta = {"langgraph_node": "plain"}
    reply = AIMessage("plain reply", id="ai-1")
    tool = ToolMessage("tool out", tool_call_id="call-1", id="tool-1")
    events = [
        *translator.translate((), "messages", (reply, meta)),
        *translator.translate((), "messages", (tool, meta)),
    ]
    assert [(e.event, e.data) for e in events] == [
        ("messages/metadata", {"ai-1": {"metadata": meta}}),
        ("messages/complete", [reply]),
        ("messages/metadata", {"tool-1": {"metadata": meta}}),
        ("messages/complete", [tool]),
    ]


async def test_custom() -> None:
    assert await run(custom.graph, {"count": 2}, ("custom",)) == [
        ("custom", {"i": 0}),
        ("custom", {"i": 1}),
    ]


async def test_subgraph_chunks_are_namespaced_only_with_subgraphs() -> None:
    values = await run(subgraph.graph, {}, ("values",), subgraphs=True)
    assert values == [
        ("values", {"log": ["before"]}),
        ("values|child:*", {"log": ["before"]}),
        ("values|child:*", {"log": ["before", "child"]}),
        ("values", {"log": ["before", "before", "child"]}),
    ]
    updates = await run(subgraph.graph, {}, ("updates",), subgraphs=True)
    assert updates == [
        ("updates", {"before": {"log": ["before"]}}),
        ("updates|child:*", {"child_step": {"log": ["child"]}}),
        ("updates", {"child": {"log": ["before", "child"]}}),
    ]
    flat = await run(subgraph.graph, {}, ("updates",))
    assert [name for name, _ in flat] == ["updates", "updates"]


async def test_interrupt_then_resume() -> None:
    graph = stateful(interrupt.builder)
    first = await run(graph, {"topic": "t"}, ("values", "updates"), config=THREAD)
    question = [{"value": {"question": "Approve t?"}, "id": "*", "response_schema": None}]
    assert first == [
        ("values", {"topic": "t", "log": []}),
        ("updates", {"prepare": {"log": ["prepare:t"]}}),
        ("values", {"topic": "t", "log": ["prepare:t"]}),
        ("updates", {"__interrupt__": question}),
        ("values", {"topic": "t", "log": ["prepare:t"], "__interrupt__": question}),
    ]
    resumed = await run(
        graph, None, ("values", "updates"), config=THREAD, command={"resume": "yes"}
    )
    assert resumed == [
        ("values", {"topic": "t", "log": ["prepare:t"]}),
        ("updates", {"ask": {"answer": "yes", "log": ["ask"]}}),
        ("values", {"topic": "t", "answer": "yes", "log": ["prepare:t", "ask"]}),
        ("updates", {"act": {"log": ["act:yes"]}}),
        ("values", {"topic": "t", "answer": "yes", "log": ["prepare:t", "ask", "act:yes"]}),
    ]


async def test_interrupt_before_sends_an_empty_interrupt_update() -> None:
    graph = stateful(interrupt.builder)
    events = await run(
        graph, {"topic": "t"}, ("values", "updates"), config=THREAD, interrupt_before=["ask"]
    )
    assert events == [
        ("values", {"topic": "t", "log": []}),
        ("updates", {"prepare": {"log": ["prepare:t"]}}),
        ("values", {"topic": "t", "log": ["prepare:t"]}),
        ("updates", {"__interrupt__": []}),
    ]


async def test_error_event_then_the_exception() -> None:
    events = astream_run(
        failing.graph, input={"value": "x"}, config={}, options=StreamOptions(("values",))
    )
    seen = []
    with pytest.raises(ValueError, match="boom: x"):
        async for event in events:
            seen.append((event.event, event.data))
    assert seen == [
        ("values", {"value": "x"}),
        ("error", {"error": "ValueError", "message": "boom: x"}),
    ]


async def test_tasks() -> None:
    events = await run(chat.graph, HI, ("tasks",))
    assert [name for name, _ in events] == ["tasks", "tasks"]
    start, result = (data for _, data in events)
    assert {k: start[k] for k in ("name", "input", "triggers")} == {
        "name": "agent",
        "input": {"messages": [HUMAN]},
        "triggers": ["branch:to:agent"],
    }
    assert result["error"] is None and result["interrupts"] == []
    assert result["result"] == {"messages": [ai(REPLY)]}


async def test_checkpoints_and_debug() -> None:
    graph = stateful(interrupt.builder)
    checkpoints = await run(graph, {"topic": "t"}, ("checkpoints",), config=THREAD)
    assert [data["next"] for _, data in checkpoints] == [["__start__"], ["prepare"], ["ask"]]
    assert set(checkpoints[0][1]) == {
        "config",
        "parent_config",
        "values",
        "metadata",
        "next",
        "tasks",
    }
    graph = stateful(interrupt.builder)
    debug = await run(graph, {"topic": "t"}, ("debug",), config=THREAD)
    kinds = ["checkpoint", "checkpoint", "task", "task_result", "checkpoint", "task", "task_result"]
    assert [data["type"] for _, data in debug] == kinds
    first, second = debug[0][1]["payload"], debug[1][1]["payload"]
    assert first["checkpoint"]["thread_id"] == "t1"
    assert first["parent_checkpoint"] is None
    assert second["parent_checkpoint"] == first["checkpoint"]


async def test_events_mode_hides_the_root_stream_and_interleaves_modes() -> None:
    events = await run(
        subgraph.graph, {}, ("events", "updates"), subgraphs=True, config={"run_name": "subgraph"}
    )
    flat = [(n, d["event"], d["name"]) if n == "events" else (n,) for n, d in events]
    assert flat == [
        ("events", "on_chain_start", "subgraph"),
        ("events", "on_chain_start", "before"),
        ("events", "on_chain_stream", "before"),
        ("events", "on_chain_end", "before"),
        ("updates",),
        ("events", "on_chain_start", "child"),
        ("events", "on_chain_start", "LangGraph"),
        ("events", "on_chain_start", "child_step"),
        ("events", "on_chain_stream", "child_step"),
        ("events", "on_chain_end", "child_step"),
        ("updates|child:*",),
        ("events", "on_chain_end", "LangGraph"),
        ("events", "on_chain_stream", "child"),
        ("events", "on_chain_end", "child"),
        ("updates",),
        ("events", "on_chain_end", "subgraph"),
    ]


def test_options_validate_modes() -> None:
    with pytest.raises(ValueError, match="unknown stream_mode: nope"):
        StreamOptions(("values", "nope"))
    options = StreamOptions(("messages", "messages-tuple", "events", "values", "values"))
    assert options.stream_modes == ("messages", "messages-tuple", "events", "values")
    assert options.graph_modes == ("messages", "values")
