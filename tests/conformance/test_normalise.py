"""Property and unit tests for the normaliser, the comparer and the SSE parser."""

from __future__ import annotations

import uuid
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from conformance import sse
from conformance.compare import Kind, diff_values, json_type
from conformance.normalise import Normaliser
from conformance.verdict import judge

scalars = st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=8)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)
uuids = st.uuids().map(str)
untimed = settings(deadline=None)
"""No timing in tests: a loaded machine must not fail a property."""


def _verdict(expected: Any, actual: Any) -> bool:
    normalised = [Normaliser().value(value) for value in (expected, actual)]
    return not diff_values(*normalised)


@untimed
@given(st.lists(uuids, min_size=1, max_size=10))
def test_placeholders_are_a_bijection(ids: list[str]) -> None:
    normaliser = Normaliser()
    placeholders = [normaliser.string(raw) for raw in ids]
    assert len(set(placeholders)) == len(set(ids))
    for raw, placeholder in zip(ids, placeholders, strict=True):
        assert normaliser.string(raw) == placeholder
        assert normaliser.string(raw.upper()) == placeholder


@untimed
@given(st.lists(uuids, min_size=2, max_size=6, unique=True))
def test_placeholders_number_in_order_of_first_appearance(ids: list[str]) -> None:
    normaliser = Normaliser()
    assert [normaliser.string(f"lc_run--{raw}") for raw in ids] == [
        f"lc_run--<id:{index}>" for index in range(1, len(ids) + 1)
    ]


@untimed
@given(
    st.dictionaries(st.text(max_size=6), json_values | uuids, min_size=1, max_size=6), st.randoms()
)
def test_key_order_never_changes_the_verdict(mapping: dict[str, Any], random: Any) -> None:
    keys = list(mapping)
    random.shuffle(keys)
    shuffled = {key: mapping[key] for key in keys}
    assert _verdict({"body": mapping}, {"body": shuffled})


@untimed
@given(json_values, json_values)
def test_changing_a_type_always_changes_the_verdict(left: Any, right: Any) -> None:
    if json_type(left) != json_type(right):
        assert not _verdict({"v": left}, {"v": right})


@untimed
@given(json_values)
def test_a_value_equals_itself(value: Any) -> None:
    assert _verdict(value, value)


def test_same_id_structure_passes_and_different_structure_fails() -> None:
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    c, d = str(uuid.uuid4()), str(uuid.uuid4())
    recorded = [
        {
            "request": {"method": "GET", "path": f"/threads/{a}"},
            "response": {"status": 200, "body": {"id": a, "run": b}},
        }
    ]
    same = [
        {
            "request": {"method": "GET", "path": f"/threads/{c}"},
            "response": {"status": 200, "body": {"id": c, "run": d}},
        }
    ]
    swapped = [
        {
            "request": {"method": "GET", "path": f"/threads/{c}"},
            "response": {"status": 200, "body": {"id": d, "run": c}},
        }
    ]
    assert judge("s", recorded, same).passed
    assert not judge("s", recorded, swapped).passed


def test_volatile_values() -> None:
    normaliser = Normaliser("http://127.0.0.1:2131")
    assert normaliser.value("2026-11-21T12:44:31.012050+00:00") == "<timestamp>"
    assert normaliser.value("1.2.22") == "<version>"
    assert normaliser.value(1795265273722) == "<epoch-ms>"
    assert normaliser.value("http://127.0.0.1:2131/threads") == "<base-url>/threads"
    assert normaliser.value("411492033980d3636fdd8b675f17b81b") == "<id:1>"
    assert normaliser.value(42) == 42


def test_sse_event_ids_and_content_type_are_normalised() -> None:
    exchange = {
        "request": {},
        "response": {
            "status": 200,
            "headers": {"content-type": "text/event-stream; charset=utf-8"},
            "events": [{"event": "values", "data": {}, "id": "1795265274605-0"}],
        },
    }
    normalised = Normaliser().exchange(exchange)
    assert normalised["response"]["headers"]["content-type"] == "text/event-stream"
    assert normalised["response"]["events"][0]["id"] == "<event-id>"


def test_diff_reports_exchange_and_json_path() -> None:
    recorded = [
        {
            "request": {"method": "GET", "path": "/x"},
            "response": {"status": 200, "body": {"a": [1, {"b": "s"}]}},
        }
    ]
    replayed = [
        {
            "request": {"method": "GET", "path": "/x"},
            "response": {"status": 201, "body": {"a": [1, {"b": 2}], "c": 1}},
        }
    ]
    messages = [str(difference) for difference in judge("s", recorded, replayed).differences]
    assert "exchange 0 response.status: expected 200, got 201" in messages
    assert "exchange 0 response.body: unexpected keys ['c']" in messages
    assert any(
        message.startswith("exchange 0 response.body.a[1].b: expected string")
        for message in messages
    )


def test_diff_reports_event_name_order_first() -> None:
    events = [{"event": "metadata", "data": {}}, {"event": "values", "data": {}}]
    request = {"method": "POST", "path": "/runs/stream"}
    recorded = [{"request": request, "response": {"status": 200, "events": events}}]
    replayed = [{"request": request, "response": {"status": 200, "events": events[::-1]}}]
    [difference] = judge("s", recorded, replayed).differences
    assert difference.path == "response.events" and "event names differ" in difference.message


def test_diff_reports_missing_exchanges() -> None:
    exchange = {"request": {"method": "DELETE", "path": "/x"}, "response": {"status": 204}}
    [difference] = judge("s", [exchange, exchange], [exchange]).differences
    assert difference.kind is Kind.MISSING_EXCHANGE
    assert str(difference) == "exchange 1 $: missing request DELETE /x (recorded, not sent)"


def test_sse_parse_framing() -> None:
    body = (
        ": heartbeat\r\n\r\n"
        'event: metadata\r\ndata: {"run_id": "r"}\r\nid: 1-0\r\n\r\n'
        'event: values\ndata: {"a":\ndata: 1}\n\n'
        "data: plain text\n\n"
        "event: end\n"
    )
    assert [event.to_json() for event in sse.parse(body)] == [
        {"event": "metadata", "data": {"run_id": "r"}, "id": "1-0"},
        {"event": "values", "data": {"a": 1}},
        {"event": "message", "data": "plain text"},
        {"event": "end", "data": ""},
    ]
