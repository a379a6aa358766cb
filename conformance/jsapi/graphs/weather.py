"""Port of the suite's `weather` graph: a router whose `weather_graph` subgraph interrupts.

The subgraph reads the city from a fake tool call, then (after its interrupt before
`weather_node`) answers "It's sunny in <city>!".
"""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.messages import AIMessage
from langgraph.graph import END, START, MessagesState, StateGraph


class WeatherState(MessagesState, total=False):
    city: str


class RouterState(MessagesState, total=False):
    route: Literal["weather", "other"]


def model_node(state: WeatherState) -> dict[str, Any]:
    call = {"id": "tool_call123", "name": "get_weather", "args": {"city": "San Francisco"}}
    llm = AIMessage(content="", tool_calls=[call])
    return {"city": llm.tool_calls[0]["args"]["city"]}


def weather_node(state: WeatherState) -> dict[str, Any]:
    return {"messages": [AIMessage(content=f"It's sunny in {state['city']}!")]}


weather_builder = StateGraph(WeatherState)
weather_builder.add_node("model_node", model_node)
weather_builder.add_node("weather_node", weather_node)
weather_builder.add_edge(START, "model_node")
weather_builder.add_edge("model_node", "weather_node")
weather_builder.add_edge("weather_node", END)
weather = weather_builder.compile(interrupt_before=["weather_node"])


def route(state: RouterState) -> str:
    return "weather_graph" if state.get("route") == "weather" else "normal_llm_node"


builder = StateGraph(RouterState)
builder.add_node("router_node", lambda _state: {"route": "weather"})
builder.add_node("normal_llm_node", lambda _state: {"messages": [AIMessage("Hello")]})
builder.add_node("weather_graph", weather)
builder.add_edge(START, "router_node")
builder.add_conditional_edges("router_node", route, ["weather_graph", "normal_llm_node"])
builder.add_edge("weather_graph", END)
builder.add_edge("normal_llm_node", END)
graph = builder.compile()
