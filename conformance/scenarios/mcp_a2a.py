"""MCP at /mcp and A2A at /a2a/{assistant_id}: JSON-RPC spoken raw, as their clients do.

`tools/list` lists every assistant of the server (other scenarios leave some behind), so
its full answer is not compared: the session calls a tool named after an assistant it
creates, and lists only a page past the end. tests/api/test_mcp.py checks the list itself.
"""

from __future__ import annotations

from typing import Any

from conformance.scenario import Context, scenario

MCP_ACCEPT = {"accept": "application/json, text/event-stream"}
JSON = {"accept": "application/json"}
SSE = {"accept": "text/event-stream"}


async def system_assistant(ctx: Context, graph_id: str) -> str:
    async with ctx.unrecorded():
        found = await ctx.client.assistants.search(
            graph_id=graph_id, metadata={"created_by": "system"}
        )
    return str(found[0]["assistant_id"])


async def mcp(ctx: Context, request_id: int | None, method: str, params: Any = None) -> Any:
    message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
    if request_id is not None:
        message["id"] = request_id
    if params is not None:
        message["params"] = params
    return await ctx.http.post("/mcp", json=message, headers=MCP_ACCEPT)


async def a2a(
    ctx: Context, assistant_id: str, method: str, params: Any, headers: dict[str, str] = JSON
) -> Any:
    body = {"jsonrpc": "2.0", "id": method, "method": method, "params": params}
    response = await ctx.http.post(f"/a2a/{assistant_id}", json=body, headers=headers)
    return response.json() if headers is JSON else None


def text(words: str, message_id: str, **ids: str) -> dict[str, Any]:
    return {
        "message": {
            "role": "user",
            "parts": [{"kind": "text", "text": words}],
            "messageId": message_id,
            **ids,
        }
    }


def data(value: dict[str, Any], message_id: str, **ids: str) -> dict[str, Any]:
    return {
        "message": {
            "role": "user",
            "parts": [{"kind": "data", "data": value}],
            "messageId": message_id,
            **ids,
        }
    }


@scenario
async def mcp_session(ctx: Context) -> None:
    """An MCP client session: initialize, the initialized notification, tools/call of an
    assistant by name (an answer, a run error as isError, an unknown tool), a tools/list page
    past the end, ping and an unknown method."""
    hello = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "c"}}
    await mcp(ctx, 1, "initialize", hello)
    await mcp(ctx, None, "notifications/initialized")
    name = f"mcp tool {ctx.tag[next(iter(ctx.tag))]}"
    made = await ctx.client.assistants.create("chat", name=name, metadata=ctx.tag)
    tool = name.replace(" ", "_")
    async with ctx.unrecorded():
        await mcp(ctx, 2, "tools/list")
    await mcp(ctx, 2, "tools/list", {"cursor": 100000})
    await mcp(ctx, 3, "tools/call", {"name": tool, "arguments": {"messages": "hello tool"}})
    await mcp(ctx, 4, "tools/call", {"name": tool, "arguments": {"messages": 5}})
    await mcp(ctx, 5, "tools/call", {"name": "failing", "arguments": {}})
    await mcp(ctx, 5, "tools/call", {"name": "no-such-tool", "arguments": {}})
    await ctx.client.assistants.delete(made["assistant_id"])
    await mcp(ctx, 6, "ping")
    await mcp(ctx, 7, "resources/list")
    await mcp(ctx, 8, "initialize", {"protocolVersion": "1999-01-01"})


@scenario
async def mcp_transport(ctx: Context) -> None:
    """MCP over streamable HTTP without sessions: GET 405, DELETE 404, a response 202, and
    framing errors (bad JSON, no Accept, a batch, a wrong version) 400."""
    await ctx.http.get("/mcp")
    await ctx.http.delete("/mcp")
    await ctx.http.post("/mcp", json={"jsonrpc": "2.0", "id": 9, "result": {}}, headers=MCP_ACCEPT)
    await ctx.http.post("/mcp", content=b"{not json", headers=MCP_ACCEPT)
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    await ctx.http.post("/mcp", json=ping, headers={"accept": "text/html"})
    await ctx.http.post("/mcp", json=[ping], headers=MCP_ACCEPT)
    await ctx.http.post("/mcp", json={**ping, "jsonrpc": "1.0"}, headers=MCP_ACCEPT)


@scenario
async def a2a_agent_card(ctx: Context) -> None:
    """A2A agent cards: per assistant, at the domain root by ?assistant_id=, and errors."""
    chat = await system_assistant(ctx, "chat")
    store = await system_assistant(ctx, "store")
    await ctx.http.get(f"/a2a/{chat}/.well-known/agent-card.json")
    await ctx.http.get("/.well-known/agent-card.json", params={"assistant_id": store})
    await ctx.http.get(f"/a2a/{chat}")
    await ctx.http.get("/.well-known/agent-card.json")
    await ctx.http.get("/.well-known/agent-card.json", params={"assistant_id": "chat"})
    await ctx.http.get(f"/a2a/{ctx.new_id()}/.well-known/agent-card.json")


@scenario
async def a2a_send(ctx: Context) -> None:
    """A2A message/send: a new context, a second task on it (history across tasks), tasks/get
    with and without historyLength, cancel of an ended task, data parts, a failing run."""
    chat = await system_assistant(ctx, "chat")
    first = (await a2a(ctx, chat, "message/send", text("hello a2a", "m1")))["result"]
    context_id, task_id = first["contextId"], first["id"]
    await a2a(ctx, chat, "message/send", text("again", "m2", contextId=context_id))
    await a2a(ctx, chat, "tasks/get", {"id": task_id})
    await a2a(ctx, chat, "tasks/get", {"id": task_id, "historyLength": 1})
    await a2a(ctx, chat, "tasks/cancel", {"id": task_id})
    await a2a(ctx, chat, "tasks/get", {"id": f"{context_id}:{ctx.new_id()}"})
    store = await system_assistant(ctx, "store")
    await a2a(ctx, store, "message/send", text("no messages here", "m3"))
    slow = await system_assistant(ctx, "slow")  # the store graph's answer depends on the store
    await a2a(ctx, slow, "message/send", data({"delay": 0, "steps": 1}, "m4"))
    failing = await system_assistant(ctx, "failing")
    await a2a(ctx, failing, "message/send", data({"value": "x"}, "m5"))


@scenario
async def a2a_stream(ctx: Context) -> None:
    """A2A message/stream: the submitted task, a working update per token chunk, the answer
    as an artifact, the final status; then tasks/get of the streamed task."""
    chat = await system_assistant(ctx, "chat")
    context_id = ctx.new_id()
    await a2a(ctx, chat, "message/stream", text("stream me", "s1", contextId=context_id), SSE)
    async with ctx.unrecorded():
        [run] = await ctx.client.runs.list(context_id)
    await a2a(ctx, chat, "tasks/get", {"id": f"{context_id}:{run['run_id']}"})


@scenario
async def a2a_interrupt(ctx: Context) -> None:
    """An A2A task that needs input: input-required with the interrupt as an artifact, the
    answer sent to the task resumes it, a message to the ended task is refused."""
    asker = await system_assistant(ctx, "interrupt")
    asked = (await a2a(ctx, asker, "message/send", data({"topic": "tea"}, "i1")))["result"]
    ids = {"taskId": asked["id"], "contextId": asked["contextId"]}
    await a2a(ctx, asker, "tasks/get", {"id": asked["id"]})
    await a2a(ctx, asker, "message/send", data({"resume": "yes"}, "i2", **ids))
    await a2a(ctx, asker, "tasks/get", {"id": asked["id"]})
    await a2a(ctx, asker, "message/send", data({"resume": "again"}, "i3", **ids))


@scenario
async def a2a_errors(ctx: Context) -> None:
    """A2A JSON-RPC errors answered with 200 (bad JSON, not an object, a notification, an
    unknown method, no message, an assistant id that is not a UUID), and a wrong Accept."""
    chat = await system_assistant(ctx, "chat")
    path = f"/a2a/{chat}"
    await ctx.http.post(path, content=b"{nope", headers=JSON)
    await ctx.http.post(path, json=[1], headers=JSON)
    await ctx.http.post(path, json={"jsonrpc": "2.0", "method": "tasks/get"}, headers=JSON)
    await ctx.http.post(path, json={"jsonrpc": "2.0", "id": 1, "method": "no/such"}, headers=JSON)
    await a2a(ctx, chat, "message/send", {})
    await a2a(ctx, chat, "tasks/get", {})
    await a2a(ctx, "chat", "tasks/get", {"id": "x"})
    await a2a(ctx, chat, "message/send", text("x", "e1"), SSE)
    await ctx.http.delete(path)


@scenario
async def a2a_v1_names(ctx: Context) -> None:
    """A2A v1.0 method names (SendMessage, GetTask, SendStreamingMessage, CancelTask): the
    same tasks, answered with ROLE_* roles, TASK_STATE_* states and a sent task wrapped;
    GetExtendedAgentCard answers the agent card."""
    chat = await system_assistant(ctx, "chat")
    message = {"role": "ROLE_USER", "parts": [{"text": "hello v1"}], "messageId": "v1"}
    task = (await a2a(ctx, chat, "SendMessage", {"message": message}))["result"]["task"]
    await a2a(ctx, chat, "GetTask", {"id": task["id"]})
    await a2a(ctx, chat, "tasks/get", {"id": task["id"]})
    await a2a(ctx, chat, "CancelTask", {"id": task["id"]})
    streamed = {"message": {**message, "messageId": "v1s", "contextId": task["contextId"]}}
    await a2a(ctx, chat, "SendStreamingMessage", streamed, SSE)
    await a2a(ctx, chat, "GetExtendedAgentCard", {})


@scenario
async def a2a_cancel(ctx: Context) -> None:
    """A2A tasks/cancel of a task waiting for input: canceled, tasks/get says so, and a second
    cancel is refused."""
    asker = await system_assistant(ctx, "interrupt")
    asked = (await a2a(ctx, asker, "message/send", data({"topic": "cake"}, "c1")))["result"]
    await a2a(ctx, asker, "tasks/cancel", {"id": asked["id"]})
    await a2a(ctx, asker, "tasks/get", {"id": asked["id"]})
    await a2a(ctx, asker, "tasks/cancel", {"id": asked["id"]})
    await a2a(ctx, asker, "tasks/cancel", {"id": f"{asked['contextId']}:{ctx.new_id()}"})


@scenario
async def a2a_files(ctx: Context) -> None:
    """A2A file parts (by URI and as bytes) go to the graph as content blocks beside the text
    and come back in the history; a file part with both is refused."""
    chat = await system_assistant(ctx, "chat")
    image = {"uri": "https://example.com/a.png", "mimeType": "image/png", "name": "a.png"}
    parts = [
        {"kind": "text", "text": "look at"},
        {"kind": "file", "file": image},
        {"kind": "file", "file": {"bytes": "aGVsbG8=", "mimeType": "text/plain"}},
    ]
    message = {"role": "user", "parts": parts, "messageId": "f1"}
    await a2a(ctx, chat, "message/send", {"message": message})
    both = {"kind": "file", "file": {"uri": "https://example.com/b", "bytes": "aGVsbG8="}}
    await a2a(ctx, chat, "message/send", {"message": {**message, "parts": [both]}})


@scenario
async def a2a_list_tasks(ctx: Context) -> None:
    """A2A ListTasks (v1.0) on one context: newest first, paged by an offset token, filtered
    by state, with history; refused page sizes, states and tokens."""
    chat = await system_assistant(ctx, "chat")
    first = (await a2a(ctx, chat, "message/send", text("one", "l1")))["result"]
    context = {"contextId": first["contextId"]}
    await a2a(ctx, chat, "message/send", text("two", "l2", **context))
    await a2a(ctx, chat, "ListTasks", {**context, "pageSize": 1})
    await a2a(ctx, chat, "ListTasks", {**context, "pageSize": 1, "pageToken": "1"})
    await a2a(ctx, chat, "ListTasks", {**context, "status": "TASK_STATE_COMPLETED"})
    await a2a(ctx, chat, "ListTasks", {**context, "status": "failed", "historyLength": 0})
    await a2a(ctx, chat, "ListTasks", {**context, "includeArtifacts": True, "historyLength": 1})
    await a2a(ctx, chat, "ListTasks", {"contextId": ctx.new_id()})
    await a2a(ctx, chat, "ListTasks", {"pageSize": 0})
    await a2a(ctx, chat, "ListTasks", {"status": "sleeping"})
    await a2a(ctx, chat, "ListTasks", {"pageToken": "next"})
