"""`values` folding and `status` events: the pure folder, and what `astream_run` asks for."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage

from skeino.runs.folding import ValuesFolder
from skeino.runs.stream import StreamOptions
from skeino.runs.usage import UsageMeter

AGENT = {"langgraph_node": "agent"}
HUMAN = HumanMessage("hi", id="h1")


def fold(folder: ValuesFolder, *chunks: tuple[str, Any], ns: tuple[str, ...] = ()) -> list[Any]:
    return [(e.event, e.data) for mode, c in chunks for e in folder.fold(ns, mode, c)]


def token(text: str, id: str = "a1") -> AIMessageChunk:
    return AIMessageChunk(content=text, id=id)


def test_tokens_of_an_agent_node_grow_a_message_in_the_last_values() -> None:
    folder = ValuesFolder(["agent"], None)
    state = {"messages": [HUMAN], "topic": "x"}
    events = fold(
        folder,
        ("values", state),
        ("messages", (token("Hel"), AGENT)),
        ("messages", (token("lo"), AGENT)),
    )
    assert [name for name, _ in events] == ["values", "values"]
    grown = [data["messages"][-1] for _, data in events]
    assert [(type(m), m.content, m.id) for m in grown] == [
        (AIMessage, "Hel", "a1"),
        (AIMessage, "Hello", "a1"),
    ]
    assert all(data["topic"] == "x" and data["messages"][0] is HUMAN for _, data in events)


def test_a_partial_replaces_its_message_by_id_and_parallel_partials_coexist() -> None:
    folder = ValuesFolder(["agent"], None)
    fold(folder, ("values", {"messages": [HUMAN, AIMessage("old", id="a1")]}))
    events = fold(
        folder, ("messages", (token("new"), AGENT)), ("messages", (token("b", "b1"), AGENT))
    )
    assert [m.content for m in events[-1][1]["messages"]] == ["hi", "new", "b"]


def test_real_values_reset_the_partials() -> None:
    folder = ValuesFolder(["agent"], None)
    fold(folder, ("values", {"messages": []}), ("messages", (token("one"), AGENT)))
    final = {"messages": [AIMessage("one", id="a1")]}
    assert fold(folder, ("values", final)) == []
    (event,) = fold(folder, ("messages", (token("two", "a2"), AGENT)))
    assert [m.content for m in event[1]["messages"]] == ["one", "two"]


def test_other_nodes_complete_messages_and_subgraph_values_are_ignored() -> None:
    folder = ValuesFolder(["agent"], "status")
    assert fold(folder, ("messages", (token("x"), {"langgraph_node": "tools"}))) == []
    assert fold(folder, ("messages", (AIMessage("done", id="a1"), AGENT))) == []
    assert fold(folder, ("values", {"status": "inner"}), ns=("child:1",)) == []
    assert fold(folder, ("updates", {"agent": {"status": "x"}})) == []


def test_status_is_sent_on_every_change_only() -> None:
    folder = ValuesFolder([], "status")
    events = fold(
        folder,
        ("values", {"messages": []}),
        ("values", {"status": "thinking"}),
        ("values", {"status": "thinking"}),
        ("values", {"status": None}),
        ("values", {"status": "done"}),
        ("messages", (token("ignored"), AGENT)),
    )
    assert events == [("status", "thinking"), ("status", None), ("status", "done")]


def test_options_ask_the_graph_for_what_the_extras_read_but_send_only_the_request() -> None:
    plain = StreamOptions(stream_modes=("values",))
    assert (plain.wire_modes, plain.graph_modes, plain.folds) == (("values",), ("values",), False)
    folding = StreamOptions(stream_modes=("values",), agent_nodes=("agent",))
    assert folding.wire_modes == ("values",) and folding.graph_modes == ("values", "messages")
    assert folding.folds
    not_read = StreamOptions(stream_modes=("updates",), agent_nodes=("agent",), status_field="s")
    assert not_read.graph_modes == ("updates",) and not not_read.folds
    metered = StreamOptions(stream_modes=("custom",), meter=UsageMeter())
    assert metered.wire_modes == ("custom",) and metered.graph_modes == ("custom", "values")
