"""Synthetic traffic for the pairing and scoring tests: runs of exchanges shaped like the
captured ones, and the ways a second server's run can differ from them."""

from __future__ import annotations

import json
import uuid
from typing import Any

from hypothesis import strategies as st

from conformance.normalise import UUID_RE

ROUTES = (
    "/threads",
    "/threads/{id}",
    "/threads/{id}/runs/stream",
    "/threads/{id}/runs/wait",
    "/assistants/search",
    "/store/items",
)
EVENT_NAMES = ("metadata", "values", "updates", "messages/partial")
scalars = st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=8)


@st.composite
def exchanges(draw: st.DrawFn, index: int) -> dict[str, Any]:
    """One exchange; `index` in its query or body makes its request unique in the run."""
    ident = str(draw(st.uuids()))
    method = draw(st.sampled_from(("GET", "POST", "DELETE", "PATCH")))
    path = draw(st.sampled_from(ROUTES)).replace("{id}", ident)
    query = {"n": [str(index)]} if method in ("GET", "DELETE") else {}
    body = None if query else {"n": index, "ref": ident}
    response: dict[str, Any] = {
        "status": draw(st.sampled_from((200, 204, 404, 409, 422))),
        "headers": {"content-type": "application/json"},
    }
    if path.endswith("/stream"):
        names = draw(st.lists(st.sampled_from(EVENT_NAMES), min_size=1, max_size=5))
        response["headers"] = {"content-type": "text/event-stream"}
        response["events"] = [
            {"event": name, "data": {"run_id": ident, "v": draw(scalars)}} for name in names
        ]
    else:
        response["body"] = {"id": ident, "value": draw(scalars), "nested": {"k": draw(scalars)}}
    request = {"method": method, "path": path, "query": query, "body": body}
    return {"request": request, "response": response}


@st.composite
def runs(draw: st.DrawFn, min_size: int = 1, max_size: int = 8) -> list[dict[str, Any]]:
    size = draw(st.integers(min_size, max_size))
    return [draw(exchanges(index)) for index in range(size)]


def fresh_ids(run: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same run as another server would answer it: every id replaced, consistently."""
    text = json.dumps(run)
    mapping: dict[str, str] = {}
    renamed = UUID_RE.sub(
        lambda match: mapping.setdefault(
            match.group(), str(uuid.uuid5(uuid.NAMESPACE_URL, match.group()))
        ),
        text,
    )
    result: list[dict[str, Any]] = json.loads(renamed)
    return result


def extra_request(index: int) -> dict[str, Any]:
    """A request no recorded run sends (its path is not among `ROUTES`)."""
    return {
        "request": {"method": "GET", "path": "/extra", "query": {"n": [str(index)]}, "body": None},
        "response": {"status": 200, "headers": {}, "body": {"ok": True}},
    }
