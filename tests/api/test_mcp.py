"""MCP at /mcp, spoken as raw JSON-RPC over HTTP the way an MCP client session does."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient

from tests.api.protocols_support import guarded

pytestmark = pytest.mark.anyio
ACCEPT = {"accept": "application/json, text/event-stream"}


async def rpc(http: httpx.AsyncClient, method: str, params: Any = None, id: int = 1) -> Any:
    """One request; its whole JSON-RPC response."""
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": id, "method": method}
    if params is not None:
        message["params"] = params
    response = await http.post("/mcp", json=message, headers=ACCEPT)
    assert response.status_code == 200, response.text
    assert response.json()["id"] == id
    return response.json()


async def test_a_client_session_initializes_lists_and_calls(http: httpx.AsyncClient) -> None:
    hello = await rpc(
        http,
        "initialize",
        {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t"}},
    )
    assert hello["result"]["protocolVersion"] == "2025-06-18"
    assert hello["result"]["capabilities"] == {"tools": {"listChanged": False}}
    assert hello["result"]["serverInfo"]["name"] == "LangGraph"
    initialized = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    assert (await http.post("/mcp", json=initialized, headers=ACCEPT)).status_code == 202

    tools = (await rpc(http, "tools/list", id=2))["result"]
    # only graphs with an input schema become tools (the TypedDict graphs have none)
    assert [tool["name"] for tool in tools["tools"]] == ["chat"]
    chat = tools["tools"][0]
    assert chat["inputSchema"] == {
        "properties": {
            "messages": {
                "type": "string",
                "title": "Messages",
                "description": "The user message to send to the agent.",
            }
        },
        "required": ["messages"],
        "title": "MessagesState",
        "type": "object",
    }
    assert chat["annotations"]["openWorldHint"] is True
    assert "nextCursor" not in tools

    called = await rpc(http, "tools/call", {"name": "chat", "arguments": {"messages": "hi"}}, 3)
    [content] = called["result"]["content"]
    assert content["type"] == "text"
    assert "'content': 'You said: hi. That is all I know.'" in content["text"]
    assert "isError" not in called["result"]


async def test_a_run_error_is_a_tool_error(http: httpx.AsyncClient) -> None:
    called = await rpc(http, "tools/call", {"name": "chat", "arguments": {"messages": 5}})
    assert called["result"] == {
        "isError": True,
        "content": [{"type": "text", "text": "NotImplementedError"}],
    }


async def test_assistants_are_named_tools(http: httpx.AsyncClient, client: LangGraphClient) -> None:
    await client.assistants.create(
        "chat", name="Polite  agent!", description="Says please", metadata={"k": "v"}
    )
    tools = (await rpc(http, "tools/list"))["result"]["tools"]
    polite = next(tool for tool in tools if tool["name"] == "Polite_agent")
    assert polite["title"] == "Polite  agent!"
    assert polite["description"] == "Says please"
    called = await rpc(http, "tools/call", {"name": "Polite_agent", "arguments": {"messages": "x"}})
    assert "You said: x." in called["result"]["content"][0]["text"]
    assert await client.threads.search() == []  # stateless: nothing is left behind


async def test_a_cursor_pages_tools(http: httpx.AsyncClient) -> None:
    past_the_end = (await rpc(http, "tools/list", {"cursor": 500}))["result"]
    assert past_the_end == {"tools": []}
    not_a_number = (await rpc(http, "tools/list", {"cursor": "soon"}))["result"]
    assert [tool["name"] for tool in not_a_number["tools"]] == ["chat"]


@pytest.mark.parametrize(
    ("method", "params", "code", "message"),
    [
        ("tools/call", {"name": "nope", "arguments": {}}, -32602, "Unknown tool: nope"),
        ("tools/call", {}, -32602, "Unknown tool: None"),
        ("resources/list", None, -32601, "Method not found: resources/list"),
        ("tools/list", ["not", "an", "object"], -32602, "params must be an object"),
    ],
)
async def test_json_rpc_errors(
    http: httpx.AsyncClient, method: str, params: Any, code: int, message: str
) -> None:
    answer = await rpc(http, method, params)
    assert answer["error"] == {"code": code, "message": message}


async def test_ping_and_protocol_negotiation(http: httpx.AsyncClient) -> None:
    assert (await rpc(http, "ping"))["result"] == {}
    old = await rpc(http, "initialize", {"protocolVersion": "1999-01-01"})
    assert old["result"]["protocolVersion"] == "2025-11-25"


@pytest.mark.parametrize(
    ("body", "headers", "error"),
    [
        (b"{not json", ACCEPT, "Invalid JSON"),
        (
            b'{"jsonrpc":"2.0","id":1,"method":"ping"}',
            {"accept": "text/html"},
            "Accept header must include application/json or text/event-stream",
        ),
        (b'[{"jsonrpc":"2.0","id":1,"method":"ping"}]', ACCEPT, "Invalid message format."),
        (
            b'{"jsonrpc":"1.0","id":1,"method":"ping"}',
            ACCEPT,
            "Invalid JSON-RPC message. Missing or invalid jsonrpc version.",
        ),
    ],
)
async def test_framing_errors_are_400(
    http: httpx.AsyncClient, body: bytes, headers: dict[str, str], error: str
) -> None:
    response = await http.post("/mcp", content=body, headers=headers)
    assert response.status_code == 400
    assert response.json() == {"error": error}


async def test_responses_are_acknowledged_and_sessions_are_not_offered(
    http: httpx.AsyncClient,
) -> None:
    answer = {"jsonrpc": "2.0", "id": 7, "result": {}}
    assert (await http.post("/mcp", json=answer, headers=ACCEPT)).status_code == 202
    assert (await http.get("/mcp")).status_code == 405
    assert (await http.delete("/mcp")).status_code == 404


async def test_tools_follow_the_apis_auth(database_uri: str) -> None:
    async with guarded(database_uri) as users:
        listing = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
        refused = await users["none"].post("/mcp", json=listing, headers=ACCEPT)
        assert refused.status_code == 401
        mine = await users["a"].post("/assistants", json={"graph_id": "chat", "name": "mine"})
        assert mine.status_code == 200
        assert [t["name"] for t in (await rpc(users["a"], "tools/list"))["result"]["tools"]] == [
            "mine"
        ]
        assert (await rpc(users["b"], "tools/list"))["result"]["tools"] == []
        call = {"name": "mine", "arguments": {"messages": "hi"}}
        assert (await rpc(users["b"], "tools/call", call))["error"][
            "message"
        ] == "Unknown tool: mine"
        answered = await rpc(users["a"], "tools/call", call)
        assert "You said: hi." in answered["result"]["content"][0]["text"]
