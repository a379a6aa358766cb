"""Run a compiled LangGraph graph and yield the SSE events the official Agent Server emits.

`Translator` is the pure core: `(namespace, mode, chunk)` from `graph.astream` in, zero or
more `StreamEvent`s out. `astream_run` drives the graph (`astream`, or `astream_events` v2
when the `events` mode is requested) and feeds the translator.

Failure contract: when the graph raises, `astream_run` yields
`StreamEvent("error", exception_json(exc))` (class name, message if it may be shown) and then
re-raises the same exception, so a consumer forwards the error event to its subscribers and
learns the failure (for the run's status) from the exception. Cancellation is not an error:
it propagates without an error event. The `metadata` event (run id, attempt) belongs to the
run manager, which knows them; it is not produced here.

Opt-in extras (`agent_nodes`, `status_field`; see `folding`) add events after the translated
ones. A `UsageMeter` (see `usage`) watches root `values`. Either may ask the graph for modes
the client did not request; only the requested ones (`wire_modes`) are translated and sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.messages import BaseMessage, BaseMessageChunk, message_chunk_to_message
from langchain_core.runnables import RunnableConfig
from langgraph.pregel import Pregel
from langgraph.types import Command

from skeino.errors import exception_json
from skeino.models.runs import StreamMode
from skeino.runs.events import EVENT_NAMES, StreamEvent
from skeino.runs.folding import ValuesFolder
from skeino.runs.usage import UsageMeter
from skeino.services.snapshots import checkpoint_of

STREAM_MODES: frozenset[str] = frozenset(StreamMode.__args__)  # type: ignore[attr-defined]
# What a thread-protocol run records as its `stream_mode` (upstream's list; LangGraph's v3
# stream decides what it really streams).
PROTOCOL_MODES = (
    "values",
    "updates",
    "messages",
    "tools",
    "lifecycle",
    "custom",
    "tasks",
    "checkpoints",
)
Durability = Literal["sync", "async", "exit"]


@dataclass(frozen=True, slots=True)
class StreamOptions:
    """How to run and what to stream; `stream_modes` are the API's names, not LangGraph's."""

    stream_modes: tuple[str, ...] = ("values",)
    subgraphs: bool = False
    interrupt_before: Sequence[str] | Literal["*"] | None = None
    interrupt_after: Sequence[str] | Literal["*"] | None = None
    durability: Durability | None = None
    context: Any = None
    agent_nodes: tuple[str, ...] = ()
    status_field: str | None = None
    meter: UsageMeter | None = field(default=None, compare=False)
    protocol: bool = False  # LangGraph's v3 protocol events, for thread-centric streams
    wire_modes: tuple[str, ...] = field(init=False)
    graph_modes: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        modes = tuple(dict.fromkeys(self.stream_modes))
        known = STREAM_MODES.union(PROTOCOL_MODES) if self.protocol else STREAM_MODES
        if unknown := [m for m in modes if m not in known]:
            raise ValueError(f"unknown stream_mode: {', '.join(map(str, unknown))}")
        object.__setattr__(self, "stream_modes", modes)
        wire = _graph_modes(modes)
        object.__setattr__(self, "wire_modes", wire)
        object.__setattr__(self, "graph_modes", tuple(dict.fromkeys(wire + self._watched)))

    @property
    def wants_events(self) -> bool:
        return "events" in self.stream_modes

    @property
    def folds_messages(self) -> bool:
        """Agent tokens become `values` events only for runs whose client reads `values`."""
        return "values" in self.stream_modes and bool(self.agent_nodes)

    @property
    def _watched(self) -> tuple[str, ...]:
        """Modes the extras read without sending: agent tokens to fold, values to meter."""
        watched: list[str] = []
        if self.folds_messages:
            watched.append("messages")
        if self.meter is not None:
            watched.append("values")
        return tuple(watched)

    @property
    def folds(self) -> bool:
        return "values" in self.stream_modes and (bool(self.agent_nodes) or bool(self.status_field))


def _graph_modes(modes: tuple[str, ...]) -> tuple[str, ...]:
    """LangGraph modes to request: both message flavours come from LangGraph's `messages`."""
    wanted = ("messages" if m == "messages-tuple" else m for m in modes if m != "events")
    return tuple(dict.fromkeys(wanted))


class Translator:
    """Maps LangGraph stream chunks to wire events; keeps per-run message accumulators.

    `messages` (the API mode) becomes `messages/metadata` the first time a message id is seen,
    then `messages/partial` with the whole message so far for each chunk, or
    `messages/complete` for a finished message; these names never carry a namespace.
    `messages-tuple` wins when both are requested: `messages[|ns]` with `[chunk, metadata]`.
    """

    __slots__ = ("_partials", "_seen", "_tuples")

    def __init__(self, stream_modes: Sequence[str]) -> None:
        self._tuples = "messages-tuple" in stream_modes
        self._seen: set[str | None] = set()
        self._partials: dict[str | None, BaseMessageChunk] = {}

    def translate(self, ns: tuple[str, ...], mode: str, chunk: Any) -> Iterator[StreamEvent]:
        name = f"{mode}|{'|'.join(ns)}" if ns else mode
        if mode == "messages":
            if self._tuples:
                yield StreamEvent(name, chunk)
            else:
                yield from self._messages(*chunk)
        elif mode == "debug" and chunk.get("type") == "checkpoint":
            yield StreamEvent(name, {**chunk, "payload": _with_checkpoint_ids(chunk["payload"])})
        else:
            yield StreamEvent(name, chunk)

    def _messages(self, message: BaseMessage, metadata: dict[str, Any]) -> Iterator[StreamEvent]:
        key = message.id
        if key not in self._seen:
            self._seen.add(key)
            yield StreamEvent("messages/metadata", {key: {"metadata": metadata}})
        if isinstance(message, BaseMessageChunk):
            previous = self._partials.get(key)
            merged = message if previous is None else previous + message
            self._partials[key] = merged
            yield StreamEvent("messages/partial", [message_chunk_to_message(merged)])
        else:
            self._partials.pop(key, None)
            yield StreamEvent("messages/complete", [message])


def _with_checkpoint_ids(payload: dict[str, Any]) -> dict[str, Any]:
    """Debug checkpoints carry `checkpoint`/`parent_checkpoint` ids on the wire, and a
    subgraph task names the checkpoint it runs in (as far as it is known yet)."""
    return {
        **payload,
        "tasks": [_task(task) for task in payload.get("tasks", [])],
        "checkpoint": checkpoint_of(payload.get("config")),
        "parent_checkpoint": checkpoint_of(payload.get("parent_config")),
    }


def _task(task: dict[str, Any]) -> dict[str, Any]:
    state = task.get("state")
    if not (isinstance(state, Mapping) and "configurable" in state):
        return task
    conf = state["configurable"]
    named = {key: conf[key] for key in CHECKPOINT_KEYS if key in conf}
    return {**{k: v for k, v in task.items() if k != "state"}, "checkpoint": named}


CHECKPOINT_KEYS = ("checkpoint_id", "thread_id", "checkpoint_ns", "checkpoint_map")


def error_event(exc: BaseException) -> StreamEvent:
    """The official `error` payload: class name and (if it may be shown) message."""
    return StreamEvent("error", exception_json(exc))


def graph_input(input: Any, command: Command | Mapping[str, Any] | None) -> Any:
    """A `command` (resume/update/goto) replaces the input, as in the API."""
    if command is None:
        return input
    if isinstance(command, Command):
        return command
    return Command(**{k: v for k, v in command.items() if v is not None})


async def astream_run(
    graph: Pregel,
    *,
    input: Any,
    config: RunnableConfig,
    options: StreamOptions,
    command: Command | Mapping[str, Any] | None = None,
) -> AsyncIterator[StreamEvent]:
    """Run `graph` and yield wire events; on failure yield `error`, then re-raise."""
    if options.protocol:
        async for event in _protocol_run(graph, graph_input(input, command), config, options):
            yield event
        return
    translator = Translator(options.stream_modes)
    folder = ValuesFolder(options.agent_nodes, options.status_field) if options.folds else None
    try:
        async for ns, mode, chunk in _chunks(graph, graph_input(input, command), config, options):
            if mode == "events":
                yield StreamEvent("events", chunk)
                continue
            if options.meter is not None:
                options.meter.observe(ns, mode, chunk)
            if mode in options.wire_modes:
                for event in translator.translate(ns, mode, chunk):
                    yield event
            if folder is not None:
                for event in folder.fold(ns, mode, chunk):
                    yield event
    except Exception as exc:
        yield error_event(exc)
        raise


async def _chunks(
    graph: Pregel, value: Any, config: RunnableConfig, options: StreamOptions
) -> AsyncIterator[tuple[tuple[str, ...], str, Any]]:
    """Normalised `(namespace, mode, chunk)`; astream_events output arrives as mode `events`."""
    kwargs: dict[str, Any] = {
        "stream_mode": list(options.graph_modes),
        "subgraphs": options.subgraphs,
        "interrupt_before": options.interrupt_before,
        "interrupt_after": options.interrupt_after,
        "durability": options.durability,
        "context": options.context,
    }
    if not options.wants_events:
        async for item in graph.astream(value, config, **kwargs):
            yield _normalise(item, options.subgraphs)
        return
    async for event in graph.astream_events(value, config, version="v2", **kwargs):
        if event["event"] == "on_chain_stream" and not event["parent_ids"]:
            # The root graph's own stream: the chunks of the other modes, not an event.
            yield _normalise(event["data"]["chunk"], options.subgraphs)
        else:
            yield (), "events", event


async def _protocol_run(
    graph: Pregel, value: Any, config: RunnableConfig, options: StreamOptions
) -> AsyncIterator[StreamEvent]:
    """LangGraph's own v3 protocol events, as the official server runs thread-protocol runs:
    each named `<method>[|<ns>...]` and kept whole; a message event keeps its payload only."""
    try:
        run = await graph.astream_events(
            value,
            config,
            version="v3",
            interrupt_before=options.interrupt_before,
            interrupt_after=options.interrupt_after,
            durability=options.durability,
            context=options.context,
        )
        async with run:
            async for event in run:
                found = protocol_event(event)
                if found is None:
                    continue
                if options.meter is not None and found.event == "values":
                    options.meter.observe((), "values", event["params"]["data"])
                yield found
    except Exception as exc:
        yield error_event(exc)
        raise


def protocol_event(event: Any) -> StreamEvent | None:
    """A v3 event as a stream event; None for what the protocol does not carry (a legacy
    message tuple, a method no thread stream knows)."""
    method, params = event.get("method", ""), event.get("params") or {}
    if method == "messages":
        data = params.get("data")
        if isinstance(data, list | tuple) and len(data) == 2:
            data = data[0]
        if not (isinstance(data, dict) and isinstance(data.get("event"), str)):
            return None
        event = {**event, "params": {**params, "data": data}}
    base = method.partition(":")[0]  # `custom:<name>` travels as `custom`
    if base not in EVENT_NAMES:
        return None
    namespace = params.get("namespace") or []
    return StreamEvent("|".join([base, *namespace]), event)


def _normalise(item: tuple[Any, ...], subgraphs: bool) -> tuple[tuple[str, ...], str, Any]:
    if subgraphs:
        return item
    mode, chunk = item
    return (), mode, chunk
