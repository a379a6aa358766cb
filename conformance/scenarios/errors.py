"""Error paths a client can hit: 404, 405, 409, 422 and malformed JSON, sent with raw httpx."""

from __future__ import annotations

from conformance.scenario import Context, scenario
from conformance.scenarios._support import new_thread

MISSING = "00000000-0000-4000-8000-000000000000"


@scenario
async def errors_not_found(ctx: Context) -> None:
    """Unknown ids and unknown paths answer 404 with a JSON detail."""
    http = ctx.http
    for path in (
        f"/threads/{MISSING}",
        f"/assistants/{MISSING}",
        f"/threads/{MISSING}/state",
        f"/threads/{MISSING}/runs",
        "/no/such/path",
    ):
        await http.get(path)
    thread_id = await new_thread(ctx)
    await http.get(f"/threads/{thread_id}/runs/{MISSING}")
    await http.post("/runs/wait", json={"assistant_id": MISSING, "input": {}})
    await http.post(f"/threads/{MISSING}/runs/wait", json={"assistant_id": "chat", "input": {}})


@scenario
async def errors_malformed_json(ctx: Context) -> None:
    """A body that is not JSON, or JSON of the wrong shape, is rejected."""
    http = ctx.http
    headers = {"content-type": "application/json"}
    await http.post("/threads", content=b"{not json", headers=headers)
    await http.post("/threads/search", content=b"[1, 2", headers=headers)
    await http.post("/assistants/search", content=b"[]", headers=headers)
    await http.post("/runs/wait", content=b"", headers=headers)


@scenario
async def errors_validation(ctx: Context) -> None:
    """Well-formed JSON that breaks the schema answers 422."""
    http = ctx.http
    await http.post("/assistants", json={"config": {}})
    await http.post("/threads/search", json={"limit": "many"})
    await http.post("/runs/wait", json={"input": {}})
    await http.post("/runs/stream", json={"assistant_id": "chat", "stream_mode": "no-such-mode"})
    await http.post("/store/items/search", json={"namespace_prefix": "not-a-list"})
    await http.put("/store/items", json={"namespace": ["a"], "key": "k"})


@scenario
async def errors_method_not_allowed(ctx: Context) -> None:
    """A known path with the wrong method: status and Allow header."""
    await ctx.http.put("/threads")
    await ctx.http.delete("/assistants/search")
    await ctx.http.patch("/ok")


@scenario
async def errors_request_contradictions(ctx: Context) -> None:
    """A checkpoint id that is not one (422); an assistant given both `configurable` and
    `context` (400, on create and on update); a join of an unknown run, which still names
    the run it was asked for in its Location headers."""
    http = ctx.http
    thread_id = await new_thread(ctx)
    body = {"assistant_id": "chat", "input": {}, "checkpoint_id": "not-a-checkpoint"}
    await http.post(f"/threads/{thread_id}/runs", json=body)
    both = {"config": {"configurable": {"a": 1}}, "context": {"b": 2}, "metadata": ctx.tag}
    await http.post("/assistants", json={"graph_id": "chat", **both})
    created = await http.post("/assistants", json={"graph_id": "chat", "metadata": ctx.tag})
    await http.patch(f"/assistants/{created.json()['assistant_id']}", json=both)
    await http.get(f"/threads/{thread_id}/runs/{MISSING}/join")
