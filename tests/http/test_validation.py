"""The dataclass validator: what it accepts, converts and refuses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skeino.http.validation import (
    UNSET,
    Unset,
    ValidationError,
    model_schema,
    parse,
    parse_query,
)


@dataclass(frozen=True)
class Inner:
    name: str
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Outer:
    kind: Literal["a", "b"]
    count: int = 0
    ratio: float = 1.0
    inner: Inner | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    either: str | int | None = None
    maybe: str | Unset | None = UNSET

    def __post_init__(self) -> None:
        if self.count < 0:
            raise ValueError("count must be >= 0")


def test_defaults_nested_and_unknown_fields() -> None:
    out = parse(Outer, {"kind": "a", "inner": {"name": "x"}, "unknown": 1, "ratio": 2})
    assert out == Outer(kind="a", inner=Inner("x"), ratio=2.0)
    assert isinstance(out.ratio, float)
    assert out.maybe is UNSET
    assert parse(Outer, {"kind": "b", "maybe": None}).maybe is None


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({}, '"kind" is a required property'),
        ({"kind": "z"}, '"z" is not one of "a" or "b"\n\nOn instance["kind"]'),
        ({"kind": "a", "count": True}, 'true is not of type "integer"'),
        ({"kind": "a", "count": "1"}, '"1" is not of type "integer"'),
        ({"kind": "a", "inner": {"name": 1}}, 'On instance["inner"]["name"]'),
        ({"kind": "a", "inner": {"name": "x", "tags": [1]}}, '["inner"]["tags"][0]'),
        ({"kind": "a", "extra": []}, '[] is not of type "object"'),
        ({"kind": "a", "either": 1.5}, '1.5 is not of types "string", "integer", "null"'),
        ({"kind": "a", "count": -1}, "count must be >= 0"),
        ([1], '[1] is not of type "object"\n\nOn instance'),
    ],
)
def test_errors_name_the_field(body: Any, where: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse(Outer, body)
    assert where in caught.value.detail


def test_query_coercion() -> None:
    @dataclass(frozen=True)
    class Query:
        limit: int = 10
        wait: bool = False
        status: Literal["x", "y"] | None = None
        modes: list[str] = field(default_factory=list)

    parsed = parse_query(Query, {"limit": ["5"], "wait": ["true"], "modes": ["a", "b"]})
    assert parsed == Query(limit=5, wait=True, modes=["a", "b"])
    with pytest.raises(ValidationError):
        parse_query(Query, {"limit": ["x"]})


def test_schema() -> None:
    schema = model_schema(Outer)
    assert schema["required"] == ["kind"]
    assert schema["properties"]["kind"] == {"enum": ["a", "b"]}
    assert schema["properties"]["inner"] == {
        "anyOf": [{"$ref": "#/components/schemas/Inner"}, {"type": "null"}]
    }


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@given(st.dictionaries(st.sampled_from(["kind", "count", "inner", "extra", "either"]), json_values))
def test_any_json_either_parses_or_raises_validation_error(body: dict[str, Any]) -> None:
    try:
        parse(Outer, body)
    except ValidationError as exc:
        assert exc.detail
