"""Events validate their shape up front and serialise once."""

from __future__ import annotations

import orjson
import pytest
from langchain_core.messages import AIMessage

from skeino.runs.events import EncodedEvent, StreamEvent


def test_stream_event_accepts_wire_names_and_subgraph_suffixes() -> None:
    assert StreamEvent("messages/partial", []).event == "messages/partial"
    assert StreamEvent("updates|child:1|grandchild:2", {}).event.startswith("updates|")


def test_stream_event_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="unknown stream event"):
        StreamEvent("bogus", None)


def test_encode_serialises_langchain_messages_like_the_official_server() -> None:
    encoded = StreamEvent("messages/complete", [AIMessage("x", id="a")]).encode()
    assert encoded.event == "messages/complete"
    assert orjson.loads(encoded.data) == [
        {
            "content": "x",
            "additional_kwargs": {},
            "response_metadata": {},
            "type": "ai",
            "name": None,
            "id": "a",
            "tool_calls": [],
            "invalid_tool_calls": [],
            "usage_metadata": None,
        }
    ]


def test_encoded_event_requires_bytes_and_a_single_line_name() -> None:
    with pytest.raises(TypeError):
        EncodedEvent("values", "{}")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        EncodedEvent("val\nues", b"{}")
