"""A2A at /a2a/{assistant_id}: JSON-RPC calls as an A2A client makes them, and agent cards."""

from __future__ import annotations

import uuid
from itertools import pairwise
from typing import Any

import anyio
import httpx
import pytest
from langgraph_sdk.client import LangGraphClient

from conformance.sse import parse as parse_sse
from tests.api.protocols_support import guarded

pytestmark = pytest.mark.anyio
JSON = {"accept": "application/json"}


async def agent(client: LangGraphClient, graph_id: str) -> str:
    [found] = await client.assistants.search(graph_id=graph_id)
    return str(found["assistant_id"])


def said(text: str, context_id: str | None = None, task_id: str | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {
        "role": "user",
        "parts": [{"kind": "text", "text": text}],
        "messageId": str(uuid.uuid4()),
    }
    if context_id:
        message["contextId"] = context_id
    if task_id:
        message["taskId"] = task_id
    return message


def data(value: dict[str, Any], **ids: str) -> dict[str, Any]:
    return {
        "role": "user",
        "parts": [{"kind": "data", "data": value}],
        "messageId": str(uuid.uuid4()),
        **ids,
    }


async def call(http: httpx.AsyncClient, assistant_id: str, method: str, params: Any) -> Any:
    body = {"jsonrpc": "2.0", "id": "r1", "method": method, "params": params}
    response = await http.post(f"/a2a/{assistant_id}", json=body, headers=JSON)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_conversation_is_a_thread(http: httpx.AsyncClient, client: LangGraphClient) -> None:
    chat = await agent(client, "chat")
    first = (await call(http, chat, "message/send", {"message": said("hello")}))["result"]
    assert first["kind"] == "task"
    assert first["status"]["state"] == "completed"
    context_id = first["contextId"]
    assert first["id"].startswith(context_id + ":")
    [artifact] = first["artifacts"]
    assert artifact["parts"] == [{"kind": "text", "text": "You said: hello. That is all I know."}]
    assert [(m["role"], m["taskId"]) for m in first["history"]] == [
        ("user", first["id"]),
        ("agent", first["id"]),
    ]
    thread = await client.threads.get(context_id)
    assert thread["values"]["messages"][-1]["content"] == "You said: hello. That is all I know."

    second = (await call(http, chat, "message/send", {"message": said("again", context_id)}))[
        "result"
    ]
    assert second["contextId"] == context_id and second["id"] != first["id"]
    tasks = [m["taskId"] for m in second["history"]]
    assert tasks == [first["id"], first["id"], second["id"], second["id"]]
    only_this = {"message": said("third", context_id), "configuration": {"historyLength": 1}}
    third = (await call(http, chat, "message/send", only_this))["result"]
    assert [m["parts"][0]["text"] for m in third["history"]] == [
        "You said: third. That is all I know."
    ]

    got = (await call(http, chat, "tasks/get", {"id": first["id"]}))["result"]
    assert got["status"]["state"] == "completed"
    assert got["status"]["message"]["parts"][0]["text"] == "Task completed successfully"
    assert [m["parts"][0]["text"] for m in got["history"]] == [
        "hello",
        "You said: hello. That is all I know.",
    ]
    scoped = await http.post(
        f"/a2a/{chat}",
        json={"jsonrpc": "2.0", "id": 2, "method": "tasks/get", "params": {"id": second["id"]}},
        headers={**JSON, "LangGraph-A2A-History-Scope": "task"},
    )
    assert {m["taskId"] for m in scoped.json()["result"]["history"]} == {second["id"]}
    done = await call(http, chat, "tasks/cancel", {"id": first["id"]})
    assert done["error"] == {
        "code": -32002,
        "message": "Task is not cancelable in its current state",
    }


async def test_a_streamed_task(http: httpx.AsyncClient, client: LangGraphClient) -> None:
    chat = await agent(client, "chat")
    body = {"jsonrpc": "2.0", "id": 9, "method": "message/stream"}
    body["params"] = {"message": said("stream this")}
    response = await http.post(f"/a2a/{chat}", json=body, headers={"accept": "text/event-stream"})
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [event.data for event in parse_sse(response.text)]
    assert {event.event for event in parse_sse(response.text)} == {"message"}
    assert {event["id"] for event in events} == {9}
    results = [event["result"] for event in events]
    first, *working, artifact, final = results
    assert first["kind"] == "task" and first["status"]["state"] == "submitted"
    assert first["history"][0]["parts"] == [{"kind": "text", "text": "stream this"}]
    assert working and {update["status"]["state"] for update in working} == {"working"}
    texts = [update["status"]["message"]["parts"][0]["text"] for update in working]
    assert texts[-1] == "You said: stream this. That is all I know."
    assert all(later.startswith(earlier) for earlier, later in pairwise(texts))
    assert artifact["kind"] == "artifact-update" and artifact["lastChunk"] is True
    assert artifact["artifact"]["parts"][0]["text"] == texts[-1]
    assert final == {
        "taskId": first["id"],
        "contextId": first["contextId"],
        "kind": "status-update",
        "status": {"state": "completed", "timestamp": final["status"]["timestamp"]},
        "final": True,
    }
    got = (await call(http, chat, "tasks/get", {"id": first["id"]}))["result"]
    assert got["status"]["state"] == "completed"


async def test_an_interrupt_asks_for_input_and_the_answer_resumes(
    http: httpx.AsyncClient, client: LangGraphClient
) -> None:
    asker = await agent(client, "interrupt")
    asked = (await call(http, asker, "message/send", {"message": data({"topic": "tea"})}))["result"]
    assert asked["status"]["state"] == "input-required"
    [question] = asked["artifacts"][0]["parts"]
    assert question["data"]["value"] == {"question": "Approve tea?"}
    task = {"id": asked["id"]}
    assert (await call(http, asker, "tasks/get", task))["result"]["status"]["state"] == (
        "input-required"
    )
    answer = data({"resume": "yes"}, taskId=asked["id"], contextId=asked["contextId"])
    resumed = (await call(http, asker, "message/send", {"message": answer}))["result"]
    assert resumed["id"] == asked["id"]
    assert resumed["status"]["state"] == "completed"
    state = await client.threads.get_state(asked["contextId"])
    assert state["values"]["log"] == ["prepare:tea", "ask", "act:yes"]
    again = await call(http, asker, "message/send", {"message": answer})
    assert again["error"]["code"] == -32004


async def test_cancel_a_running_task(http: httpx.AsyncClient, client: LangGraphClient) -> None:
    slow = await agent(client, "slow")
    context_id = str(uuid.uuid4())
    message = data({"delay": 30, "steps": 300}, contextId=context_id)
    answers: list[Any] = []

    async def send() -> None:
        answers.append(await call(http, slow, "message/send", {"message": message}))

    async with anyio.create_task_group() as tg:
        tg.start_soon(send)
        run_id = None
        for _ in range(500):  # until the run executes
            runs = await client.runs.list(context_id) if await _exists(client, context_id) else []
            if runs and runs[0]["status"] == "running":
                run_id = runs[0]["run_id"]
                break
            await anyio.sleep(0.02)
        assert run_id is not None
        task_id = f"{context_id}:{run_id}"
        cancelled = (await call(http, slow, "tasks/cancel", {"id": task_id}))["result"]
        assert cancelled["status"]["state"] == "canceled"
    assert answers and answers[0]["result"]["id"] == task_id
    got = (await call(http, slow, "tasks/get", {"id": task_id}))["result"]
    assert got["status"]["state"] == "canceled"


async def _exists(client: LangGraphClient, thread_id: str) -> bool:
    return bool(await client.threads.search(ids=[thread_id]))


async def test_agent_cards(http: httpx.AsyncClient, client: LangGraphClient) -> None:
    chat = await agent(client, "chat")
    card = (await http.get(f"/a2a/{chat}/.well-known/agent-card.json")).json()
    assert card["name"] == "chat" and card["description"] == "chat assistant"
    assert card["url"] == f"http://skeino/a2a/{chat}"
    assert card["capabilities"]["streaming"] is True
    assert card["skills"][0]["metadata"]["inputSchema"] == {
        "required": ["messages"],
        "properties": ["messages"],
        "supportsA2A": True,
    }
    for path in (f"/.well-known/agent-card.json?assistant_id={chat}", f"/a2a/{chat}"):
        assert (await http.get(path)).json() == card
    missing = await http.get("/.well-known/agent-card.json")
    assert missing.status_code == 400
    assert missing.json()["error"]["message"] == "Missing required query parameter: assistant_id"
    unknown = await http.get(f"/a2a/{uuid.uuid4()}/.well-known/agent-card.json")
    assert unknown.status_code == 400 and "not found" in unknown.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (b"{nope", -32700, "Invalid JSON payload"),
        (b"[]", -32600, "Invalid message format: expected object"),
        (b'{"jsonrpc":"2.0","id":1,"method":"tasks/list"}', -32601, "Method not found: tasks/list"),
        (
            b'{"jsonrpc":"2.0","method":"tasks/get","params":{"id":"x"}}',
            -32600,
            "Invalid message format: must be a JSON-RPC request or notification",
        ),
        (
            b'{"jsonrpc":"2.0","id":1,"method":"message/send","params":{}}',
            -32602,
            "Missing or invalid 'message' in params",
        ),
        (b'{"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{"id":"x"}}', -32001, None),
        (b'{"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{}}', -32602, None),
    ],
)
async def test_json_rpc_errors(
    http: httpx.AsyncClient, client: LangGraphClient, body: bytes, code: int, message: str | None
) -> None:
    chat = await agent(client, "chat")
    response = await http.post(f"/a2a/{chat}", content=body, headers=JSON)
    assert response.status_code == 200
    assert response.json()["error"]["code"] == code
    if message is not None:
        assert response.json()["error"]["message"] == message


async def test_text_needs_a_conversational_graph(
    http: httpx.AsyncClient, client: LangGraphClient
) -> None:
    store = await agent(client, "store")
    refused = await call(http, store, "message/send", {"message": said("hi")})
    assert refused["error"]["code"] == -32602
    assert "does not support A2A conversational messages" in refused["error"]["message"]
    accepted = await call(http, store, "message/send", {"message": data({"fact": "sky"})})
    assert accepted["result"]["status"]["state"] == "completed"


async def test_the_accept_header_must_fit(http: httpx.AsyncClient, client: LangGraphClient) -> None:
    chat = await agent(client, "chat")
    body = {"jsonrpc": "2.0", "id": 1, "method": "message/stream"}
    body["params"] = {"message": said("x")}
    response = await http.post(f"/a2a/{chat}", json=body, headers=JSON)
    assert response.status_code == 400
    assert response.json() == {
        "error": "Accept header must include text/event-stream for streaming"
    }


async def test_tasks_follow_the_apis_auth(database_uri: str) -> None:
    async with guarded(database_uri) as users:
        made = await users["a"].post("/assistants", json={"graph_id": "chat", "name": "mine"})
        mine = made.json()["assistant_id"]
        assert (await users["none"].get(f"/a2a/{mine}")).status_code == 401
        assert (await users["b"].get(f"/a2a/{mine}")).status_code == 400
        sent = await call(users["a"], mine, "message/send", {"message": said("secret")})
        task = {"id": sent["result"]["id"]}
        assert (await call(users["a"], mine, "tasks/get", task))["result"]["id"] == task["id"]
        hidden = await call(users["b"], mine, "tasks/get", task)
        assert hidden["error"]["code"] == -32001
        listed = await call(users["a"], mine, "ListTasks", {})
        assert [found["id"] for found in listed["result"]["tasks"]] == [task["id"]]
        assert (await call(users["b"], mine, "ListTasks", {}))["result"]["tasks"] == []


async def test_v1_method_names_get_v1_spelling(
    http: httpx.AsyncClient, client: LangGraphClient
) -> None:
    chat = await agent(client, "chat")
    message = {"role": "ROLE_USER", "parts": [{"text": "hello v1"}], "messageId": "v1"}
    sent = await call(http, chat, "SendMessage", {"message": message})
    task = sent["result"]["task"]
    assert task["status"]["state"] == "TASK_STATE_COMPLETED"
    assert [m["role"] for m in task["history"]] == ["ROLE_USER", "ROLE_AGENT"]
    got = (await call(http, chat, "GetTask", {"id": task["id"]}))["result"]
    assert got["status"]["state"] == "TASK_STATE_COMPLETED"
    legacy = (await call(http, chat, "tasks/get", {"id": task["id"]}))["result"]
    assert [m["role"] for m in legacy["history"]] == ["user", "agent"]
    body = {"jsonrpc": "2.0", "id": 1, "method": "SendStreamingMessage"}
    body["params"] = {"message": {**message, "messageId": "v1s"}}
    response = await http.post(f"/a2a/{chat}", json=body, headers={"accept": "text/event-stream"})
    results = [event.data["result"] for event in parse_sse(response.text)]
    assert results[0]["task"]["status"]["state"] == "TASK_STATE_SUBMITTED"
    assert results[-1]["status"]["state"] == "TASK_STATE_COMPLETED"
    card = (await call(http, chat, "GetExtendedAgentCard", {}))["result"]
    assert card == (await http.get(f"/a2a/{chat}")).json()


async def test_cancel_a_task_waiting_for_input(
    http: httpx.AsyncClient, client: LangGraphClient
) -> None:
    asker = await agent(client, "interrupt")
    asked = (await call(http, asker, "message/send", {"message": data({"topic": "tea"})}))["result"]
    cancelled = (await call(http, asker, "tasks/cancel", {"id": asked["id"]}))["result"]
    assert cancelled["status"]["state"] == "canceled"
    got = (await call(http, asker, "tasks/get", {"id": asked["id"]}))["result"]
    assert got["status"]["state"] == "canceled"
    assert (await client.threads.get(asked["contextId"]))["status"] == "idle"
    again = await call(http, asker, "tasks/cancel", {"id": asked["id"]})
    assert again["error"]["code"] == -32002


async def test_files_become_content_blocks(
    http: httpx.AsyncClient, client: LangGraphClient
) -> None:
    chat = await agent(client, "chat")
    image = {"uri": "https://example.com/a.png", "mimeType": "image/png", "name": "a.png"}
    parts = [{"kind": "text", "text": "see"}, {"kind": "file", "file": image}]
    message = {"role": "user", "parts": parts, "messageId": "f1"}
    task = (await call(http, chat, "message/send", {"message": message}))["result"]
    assert task["history"][0]["parts"] == parts
    state = await client.threads.get_state(task["contextId"])
    assert state["values"]["messages"][0]["content"] == [
        {"type": "text", "text": "see"},
        {
            "type": "image",
            "url": "https://example.com/a.png",
            "mime_type": "image/png",
            "extras": {"filename": "a.png"},
        },
    ]


async def test_list_tasks(http: httpx.AsyncClient, client: LangGraphClient) -> None:
    chat = await agent(client, "chat")
    first = (await call(http, chat, "message/send", {"message": said("one")}))["result"]
    other = (await call(http, chat, "message/send", {"message": said("two")}))["result"]
    listed = (await call(http, chat, "ListTasks", {"historyLength": 0}))["result"]
    assert [task["id"] for task in listed["tasks"]] == [other["id"], first["id"]]
    assert listed["tasks"][0]["status"]["state"] == "TASK_STATE_COMPLETED"
    assert (listed["totalSize"], listed["pageSize"], listed["nextPageToken"]) == (2, 2, "")
    page = (await call(http, chat, "ListTasks", {"pageSize": 1}))["result"]
    assert page["nextPageToken"] == "1"
    assert page["tasks"][0]["history"][0]["parts"][0]["text"] == "two"
    failed = await call(http, chat, "ListTasks", {"status": "failed"})
    assert failed["result"]["tasks"] == []
    assert (await call(http, chat, "ListTasks", {"pageSize": 101}))["error"]["code"] == -32602
