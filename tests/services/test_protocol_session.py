"""A protocol session turns a thread's run events into protocol events, numbered as upstream:
seq across runs, event ids from the source (or derived from the run), lifecycles."""

from __future__ import annotations

from typing import Any

import orjson

from skeino.runs.events import EncodedEvent
from skeino.runs.subscription import Envelope
from skeino.services.protocol_session import ProtocolSession
from skeino.services.protocol_state import state_payload
from skeino.services.thread_feed import RunEnded, RunEvent
from skeino.storage.base import Run


def run(run_id: str) -> Run:
    config = {"configurable": {"graph_id": "agent"}}
    return {"run_id": run_id, "assistant_id": "a", "kwargs": {"config": config}}  # type: ignore[typeddict-item]


def event(owner: Run, event_id: str, name: str, data: Any) -> RunEvent:
    return RunEvent(owner, Envelope(event_id, EncodedEvent(name, orjson.dumps(data))))


def shapes(events: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(e["seq"], e["event_id"], e["method"], e["params"]["data"]) for e in events]


def test_legacy_run_events_in_protocol_shape() -> None:
    session, first = ProtocolSession(), run("r1")
    interrupt = [{"value": {"q": 1}, "id": "i1"}]
    got = []
    got += session.ingest(event(first, "1-0", "metadata", {"run_id": "r1"}))
    got += session.ingest(event(first, "2-0", "updates", {"prepare": {"log": ["p"]}}))
    got += session.ingest(event(first, "3-0", "custom", {"i": 0}))
    got += session.ingest(event(first, "4-0", "values", {"log": ["p"], "__interrupt__": interrupt}))
    got += session.ingest(RunEnded(first, "success", True, "4-0"))
    assert shapes(got) == [
        (1, "synth:r1:lc||running", "lifecycle", {"event": "running", "graph_name": "agent"}),
        (2, "2-0", "updates", {"log": ["p"]}),
        (3, "3-0", "custom", {"payload": {"i": 0}}),
        (4, "synth:r1:input||i1", "input.requested", {"interrupt_id": "i1", "payload": {"q": 1}}),
        (
            5,
            "synth:r1:lc||interrupted",
            "lifecycle",
            {"event": "interrupted", "graph_name": "agent"},
        ),
        (6, "4-0", "values", {"log": ["p"]}),
    ]
    assert got[1]["params"]["node"] == "prepare"
    assert session.pending == {"i1": []}


def test_seq_goes_on_across_runs_and_errors_fail_the_run() -> None:
    session = ProtocolSession()
    session.ingest(event(run("r1"), "1-0", "values", {"a": 1}))
    session.ingest(RunEnded(run("r1"), "success", False, "1-0"))
    got = session.ingest(event(run("r2"), "2-0", "error", {"error": "ValueError", "message": "x"}))
    got += session.ingest(RunEnded(run("r2"), "error", False, "2-0"))
    assert shapes(got) == [
        (4, "synth:r2:lc||running", "lifecycle", {"event": "running", "graph_name": "agent"}),
        (
            5,
            "synth:r2:lc||failed",
            "lifecycle",
            {"event": "failed", "graph_name": "agent", "error": "x"},
        ),
    ]


def test_open_subgraphs_complete_before_the_root() -> None:
    session, owner = ProtocolSession(), run("r1")
    started = {"event": "started", "namespace": ["child:1"], "graph_name": "child"}
    protocol = {
        "type": "event",
        "method": "lifecycle",
        "params": {"namespace": [], "data": started},
    }
    session.ingest(event(owner, "1-0", "lifecycle", protocol))
    got = session.ingest(RunEnded(owner, "success", False, "1-0"))
    assert [(e["params"]["namespace"], e["params"]["data"]["event"]) for e in got] == [
        (["child:1"], "completed"),
        ([], "completed"),
    ]
    assert session.scopes.tree()["children"][0]["status"] == "completed"


def test_state_messages_in_protocol_shape() -> None:
    message = {
        "type": "ai",
        "content": ["hi", {"type": "image_url", "image_url": {"url": "u"}}],
        "id": "m",
        "name": None,
        "additional_kwargs": {},
        "response_metadata": {},
        "tool_calls": [{"name": "t", "args": {"x": 1}, "id": "c"}, {"name": "u", "args": "{"}],
    }
    assert state_payload({"messages": [message], "__interrupt__": []}) == {
        "messages": [
            {
                "type": "ai",
                "content": [{"type": "text", "text": "hi"}, {"type": "image", "url": "u"}],
                "id": "m",
                "tool_calls": [{"type": "tool_call", "name": "t", "args": {"x": 1}, "id": "c"}],
                "invalid_tool_calls": [
                    {
                        "type": "invalid_tool_call",
                        "name": "u",
                        "args": "{",
                        "error": "Malformed args.",
                    }
                ],
            }
        ]
    }
