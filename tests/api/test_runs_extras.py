"""skeino's opt-in extras through the real SDK: `values` folding with `status` events,
retries after transient failures, and `X-Tokens-Used`; and defaults that change nothing."""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypedDict

import httpx
import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.graph.message import add_messages
from langgraph_sdk.client import LangGraphClient

import skeino
from skeino.runs.usage import UsageMeter

pytestmark = pytest.mark.anyio

ANSWER = "one two three"


class AgentState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    status: str


def prepare(state: AgentState) -> AgentState:
    return {"status": "thinking"}


async def agent(state: AgentState) -> AgentState:
    model = GenericFakeChatModel(messages=iter([AIMessage(ANSWER)]))
    return {"messages": [await model.ainvoke(state["messages"])], "status": "done"}


class FlakyState(TypedDict, total=False):
    log: Annotated[list[str], operator.add]
    failures: int
    error: str


CALLS: Counter[str] = Counter()
ERRORS: dict[str, Callable[[], Exception]] = {
    "connect": lambda: httpx.ConnectError("provider unreachable"),
    "value": lambda: ValueError("bad input"),
}


def first(state: FlakyState) -> FlakyState:
    return {"log": ["first"]}


def flaky(state: FlakyState, config: RunnableConfig) -> FlakyState:
    """Fails `failures` times per thread, then works."""
    thread_id = config["configurable"]["thread_id"]
    CALLS[thread_id] += 1
    if CALLS[thread_id] <= state["failures"]:
        raise ERRORS[state["error"]]()
    return {"log": ["flaky"]}


def usage(total: int) -> dict[str, int]:
    return {"input_tokens": total - 1, "output_tokens": 1, "total_tokens": total}


def reply(state: MessagesState) -> MessagesState:
    return {"messages": [AIMessage("reply", usage_metadata=usage(7))]}


def summary(state: MessagesState) -> MessagesState:
    return {"messages": [AIMessage("summary", usage_metadata=usage(5))]}


def chain(state: type, *nodes: Callable[..., Any]) -> Any:
    builder = StateGraph(state)
    previous = START
    for node in nodes:
        builder.add_node(node.__name__, node)
        builder.add_edge(previous, node.__name__)
        previous = node.__name__
    return builder.compile()


GRAPHS = {
    "agent": chain(AgentState, prepare, agent),
    "flaky": chain(FlakyState, first, flaky),
    "usage": chain(MessagesState, reply, summary),
}
HI = {"messages": [{"role": "user", "content": "hi"}]}


@asynccontextmanager
async def serve(database_uri: str, **settings: Any) -> AsyncIterator[LangGraphClient]:
    config = skeino.SkeinoSettings(database_uri=database_uri, heartbeat_seconds=0.5, **settings)
    app = skeino.create_app(graphs=GRAPHS, settings=config)
    async with app.running():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://skeino") as http:
            yield LangGraphClient(http)


async def stream(client: LangGraphClient, graph: str, input: Any, **kwargs: Any) -> list[Any]:
    thread_id = (await client.threads.create())["thread_id"]
    return [part async for part in client.runs.stream(thread_id, graph, input=input, **kwargs)]


def names(parts: list[Any]) -> list[str]:
    return [part.event for part in parts]


FOLDING = {"agent_nodes": ("agent",), "status_field": "status"}


async def test_agent_tokens_fold_into_values_and_status_changes_are_sent(
    database_uri: str,
) -> None:
    async with serve(database_uri, **FOLDING) as client:
        parts = await stream(client, "agent", HI)
    assert names(parts) == ["metadata", "values", "values", "status"] + ["values"] * 6 + ["status"]
    assert [p.data for p in parts if p.event == "status"] == ["thinking", "done"]
    values = [p.data for p in parts if p.event == "values"]
    growing = [v["messages"][-1] for v in values[2:]]
    assert [m["content"] for m in growing] == ["one", "one ", "one two", "one two ", ANSWER, ANSWER]
    assert len({m["id"] for m in growing}) == 1 and growing[0]["type"] == "ai"
    assert all(
        v["messages"][0]["content"] == "hi" and v["status"] == "thinking" for v in values[2:7]
    )
    assert values[-1]["status"] == "done"


async def test_defaults_and_unread_values_leave_the_stream_as_it_was(database_uri: str) -> None:
    async with serve(database_uri) as client:
        plain = await stream(client, "agent", HI)
        plain_updates = await stream(client, "agent", HI, stream_mode=["updates"])
        plain_tuples = await stream(client, "agent", HI, stream_mode=["messages-tuple"])
    assert names(plain) == ["metadata", "values", "values", "values"]
    async with serve(database_uri, **FOLDING) as client:
        updates = await stream(client, "agent", HI, stream_mode=["updates"])
        tuples = await stream(client, "agent", HI, stream_mode=["messages-tuple"])
        both = await stream(client, "agent", HI, stream_mode=["values", "messages-tuple"])
    assert names(updates) == names(plain_updates) == ["metadata", "updates", "updates"]
    assert names(tuples) == names(plain_tuples)
    assert [p for p in names(both) if p == "messages"] == [
        p for p in names(tuples) if p != "metadata"
    ]


async def test_transient_failures_resume_from_the_last_checkpoint(database_uri: str) -> None:
    async with serve(database_uri, max_stream_retries=2) as client:
        thread_id = (await client.threads.create())["thread_id"]
        input = {"log": [], "failures": 2, "error": "connect"}
        parts = [p async for p in client.runs.stream(thread_id, "flaky", input=input)]
        run_id = parts[0].data["run_id"]
        run = await client.runs.get(thread_id, run_id)
    assert names(parts) == ["metadata", "values", "values"] + ["metadata", "values"] * 2 + [
        "values"
    ]
    metadata = [p.data for p in parts if p.event == "metadata"]
    assert metadata == [{"run_id": run_id, "attempt": n} for n in (1, 2, 3)]
    assert parts[-1].data["log"] == ["first", "flaky"]  # `first` ran once: resumed, not redone
    assert run["status"] == "success"


async def test_retries_run_out_and_other_failures_are_not_retried(database_uri: str) -> None:
    async with serve(database_uri, max_stream_retries=1) as client:
        exhausted = await stream(client, "flaky", {"log": [], "failures": 5, "error": "connect"})
        fatal = await stream(client, "flaky", {"log": [], "failures": 5, "error": "value"})
    assert [p.data["attempt"] for p in exhausted if p.event == "metadata"] == [1, 2]
    assert exhausted[-1].event == "error" and exhausted[-1].data["error"] == "ConnectError"
    assert names(fatal) == ["metadata", "values", "values", "error"]
    assert fatal[-1].data == {"error": "ValueError", "message": "bad input"}


async def test_without_retries_a_transient_failure_fails_as_before(database_uri: str) -> None:
    async with serve(database_uri) as client:
        parts = await stream(client, "flaky", {"log": [], "failures": 1, "error": "connect"})
    assert names(parts) == ["metadata", "values", "values", "error"]
    # httpx's errors are no kind whose message is shown, as on the official server
    assert parts[-1].data == {"error": "ConnectError", "message": "An internal error occurred"}


async def test_tokens_used_header_counts_the_runs_own_messages(database_uri: str) -> None:
    async with serve(database_uri) as client:
        http = client.http.client
        thread_id = (await client.threads.create())["thread_id"]
        tokens: list[str | None] = []
        bodies: list[Any] = []
        for graph in ("usage", "usage", "agent"):
            run = await client.runs.create(thread_id, graph, input=HI)
            await client.runs.join(thread_id, run["run_id"])
            r = await http.get(f"/threads/{thread_id}/runs/{run['run_id']}")
            tokens.append(r.headers.get("x-tokens-used"))
            bodies.append(r.json())
    assert tokens == ["12", "12", None]  # each run its own: 7 + 5, not the thread's history
    assert bodies[0].keys() == bodies[2].keys()


def test_meter_counts_new_ai_messages_that_report_usage() -> None:
    old = AIMessage("old", id="a0", usage_metadata=usage(100))
    meter = UsageMeter()
    assert meter.tokens({"messages": [old]}) is None  # never saw the starting state
    meter.observe((), "values", {"messages": [HumanMessage("hi", id="h1"), old]})
    meter.observe((), "values", {"messages": []})  # only the first chunk is the start
    meter.observe(("child:1",), "values", {"messages": []})
    assert meter.tokens({"messages": [old, AIMessage("no usage", id="a1")]}) is None
    new = [
        AIMessage("x", id="a2", usage_metadata=usage(3)),
        AIMessage("y", usage_metadata=usage(4)),
    ]
    assert meter.tokens({"messages": [old, *new], "last": new[0]}) == 7  # one message, once
