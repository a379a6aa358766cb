"""Commands of the thread-centric protocol: start a run, answer an interrupt, subscriptions.

Over HTTP each command stands alone (no session: subscriptions and `agent.getTree` have
nothing to act on, as upstream answers); over a WebSocket they act on the socket's
`Connection`. Answers are the protocol's envelopes, errors included, never exceptions.
"""

from __future__ import annotations

import uuid
from typing import Any

import anyio

from skeino.auth.authorize import Access
from skeino.models.runs import Command, RunCreate
from skeino.models.thread_streams import EventFilter, ProtocolCommand
from skeino.runs.config import PROTOCOL_KEY, Origin
from skeino.runs.manager import RunManager
from skeino.runs.stream import PROTOCOL_MODES
from skeino.services.protocol_commands import (
    Refusal,
    checkpoint_id,
    respond_entries,
    strategy,
    tracer,
)
from skeino.services.thread_streams import Connection, Event, failure, success

SETTLE_SECONDS = 5.0  # how long an answer waits for the interrupted run to be recorded
NO_RUN = "No active run is bound to this thread."


class ThreadCommands:
    def __init__(
        self,
        runs: RunManager,
        thread_id: str,
        access: Access | None,
        api_url: str = "",
        connection: Connection | None = None,
    ) -> None:
        self.runs = runs
        self.thread_id = thread_id
        self.access = access
        self.api_url = api_url  # where clients reach the server (graphs see it)
        self.connection = connection

    @property
    def _meta(self) -> dict[str, Any]:
        seq = self.connection.session.seq if self.connection is not None else 0
        return {"applied_through_seq": seq}

    async def handle(self, command: ProtocolCommand) -> Event:
        try:
            return await self._handle(command)
        except Refusal as refused:
            meta = self._meta if refused.with_meta else None
            return failure(command.id, refused.code, str(refused), meta)

    async def _handle(self, command: ProtocolCommand) -> Event:
        method = command.method
        if method == "run.start":
            return await self._start(command)
        if method == "input.respond":
            return await self._respond(command)
        bound = self.connection is not None and self.connection.bound
        if method == "subscription.subscribe":
            return self._subscribe(command, bound)
        if method == "subscription.unsubscribe":
            return self._unsubscribe(command, bound)
        if method in ("agent.getTree", "subscription.reconnect"):
            if not bound:
                raise Refusal("no_such_run", NO_RUN)
            assert self.connection is not None
            if method == "agent.getTree":
                return success(
                    command.id, {"tree": self.connection.session.scopes.tree()}, self._meta
                )
            return self._reconnect(command)
        raise Refusal("unknown_command", f"Unknown protocol command: {method}")

    # runs

    async def _start(self, command: ProtocolCommand) -> Event:
        params = command.params
        assistant_id = params.get("assistant_id")
        if not isinstance(assistant_id, str) or not assistant_id:
            raise Refusal("invalid_argument", "run.start requires an assistant_id.")
        checkpoint = checkpoint_id(params)
        tracer(params)
        given = params.get("input")
        resume = given is not None and bool(await self._pending_interrupts())
        run_id = await self._create(
            assistant_id,
            params,
            input=None if resume else given,
            command=Command(resume=given) if resume else None,
            checkpoint=checkpoint,
        )
        return success(command.id, {"run_id": run_id}, self._meta)

    async def _respond(self, command: ProtocolCommand) -> Event:
        params = command.params
        entries = respond_entries(params)
        pending = self.connection.session.pending if self.connection is not None else {}
        recorded: set[str] | None = None  # None: the thread is unknown (upstream lets it pass)
        for interrupt_id, namespace, _ in entries:
            if interrupt_id in pending and pending[interrupt_id] != namespace:
                raise Refusal(
                    "no_such_interrupt", "Interrupt namespace does not match the pending interrupt."
                )
            if recorded is None:
                recorded = await self._pending_interrupts()
            if (
                interrupt_id not in pending
                and recorded is not None
                and interrupt_id not in recorded
            ):
                raise Refusal(
                    "no_such_interrupt", f"Unknown or already-consumed interrupt: {interrupt_id}"
                )
        thread = await self.runs.storage.get_thread(self.thread_id)
        assistant_id = thread["metadata"].get("assistant_id") if thread else None
        if not isinstance(assistant_id, str):
            raise Refusal("no_such_run", "No interrupted run is bound to this thread.")
        answers = {interrupt_id: answer for interrupt_id, _, answer in entries}
        resume = Command(resume=answers, update=params.get("update"), goto=params.get("goto"))
        await self._create(assistant_id, params, input=None, command=resume, checkpoint=None)
        for interrupt_id, _, _ in entries:
            pending.pop(interrupt_id, None)
        return success(command.id, {}, self._meta)

    async def _create(
        self,
        assistant_id: str,
        params: dict[str, Any],
        *,
        input: Any,
        command: Command | None,
        checkpoint: str | None,
    ) -> str:
        given_config = params.get("config")
        config: dict[str, Any] = given_config if isinstance(given_config, dict) else {}
        given = config.get("configurable")
        configurable = {
            **(given if isinstance(given, dict) else {}),
            PROTOCOL_KEY: True,
            "thread_id": self.thread_id,
        }
        metadata = params.get("metadata")
        body = RunCreate(
            assistant_id=assistant_id,
            input=input,
            command=command,
            config={**config, "configurable": configurable},
            metadata=metadata if isinstance(metadata, dict) else None,
            checkpoint_id=checkpoint,
            stream_mode=list(PROTOCOL_MODES),  # type: ignore[arg-type]
            stream_subgraphs=True,
            stream_resumable=True,
            multitask_strategy=strategy(params),
            if_not_exists="create",
            on_completion="keep",
        )
        try:
            origin = Origin(api_url=self.api_url)
            run, _ = await self.runs.create(self.thread_id, body, origin=origin, access=self.access)
        except Exception as exc:  # refused by storage or by an auth handler: as upstream
            raise Refusal("unknown_error", str(exc)) from None
        return run["run_id"]

    async def _pending_interrupts(self) -> set[str] | None:
        """The ids of the interrupts the thread waits on (None when there is no thread);
        while a run of it is still being recorded (its interrupt streamed, its end not yet
        stored) this waits for it."""
        if self.connection is not None and self.connection.session.pending:
            return set(self.connection.session.pending)
        storage = self.runs.storage
        thread = await storage.get_thread(self.thread_id)
        if thread is None:
            return None
        found = _interrupt_ids(thread)
        if found or thread["status"] != "busy":
            return found
        with anyio.move_on_after(SETTLE_SECONDS):
            for run in await self.runs.threads.in_flight(self.thread_id):
                await self.runs.wait(run)
        return _interrupt_ids(await storage.get_thread(self.thread_id))

    # subscriptions

    def _filter(self, command: ProtocolCommand, bound: bool) -> EventFilter:
        wanted = EventFilter.from_params(command.params)
        if wanted is not None:
            return wanted
        channels = command.params.get("channels")
        name = command.method
        if not isinstance(channels, list) or not channels:
            message = f"{name} requires a non-empty channels array."
        else:
            message = f"{name} received an unsupported channel."
        raise Refusal("invalid_argument", message, bound)

    def _subscribe(self, command: ProtocolCommand, bound: bool) -> Event:
        wanted = self._filter(command, bound)
        ident = str(uuid.uuid4())
        replayed = 0
        if self.connection is not None and bound:
            replayed = self.connection.subscribe(ident, wanted)
        elif self.connection is not None:  # no run seen yet: nothing to replay
            self.connection.subscriptions[ident] = wanted
        return success(
            command.id, {"subscription_id": ident, "replayed_events": replayed}, self._meta
        )

    def _unsubscribe(self, command: ProtocolCommand, bound: bool) -> Event:
        ident = command.params.get("subscription_id")
        if not isinstance(ident, str):
            raise Refusal(
                "invalid_argument", "subscription.unsubscribe requires a subscription_id.", bound
            )
        known = self.connection.subscriptions if self.connection is not None else {}
        if ident not in known:
            raise Refusal("no_such_subscription", f"Unknown subscription: {ident}", bound)
        del known[ident]
        return success(command.id, {}, self._meta)

    def _reconnect(self, command: ProtocolCommand) -> Event:
        assert self.connection is not None
        wanted = self._filter(command, True)
        since = command.params.get("since")
        if not isinstance(since, int) or isinstance(since, bool) or since < 0:
            raise Refusal(
                "invalid_argument",
                "subscription.reconnect requires a non-negative integer since.",
                True,
            )
        oldest = self.connection.oldest_seq()
        if oldest is not None and since + 1 < oldest:
            gap = failure(
                command.id,
                "resume_gap",
                f"resume gap: since={since} is older than min_available_seq={oldest}",
                self._meta,
            )
            return {**gap, "since": since, "min_available_seq": oldest}
        given = command.params.get("subscription_id")
        ident = given if isinstance(given, str) and given else str(uuid.uuid4())
        replayed = self.connection.subscribe(ident, wanted, since)
        return success(
            command.id, {"subscription_id": ident, "replayed_events": replayed}, self._meta
        )


def _interrupt_ids(thread: Any) -> set[str]:
    interrupts = thread.get("interrupts") if isinstance(thread, dict) else None
    if not isinstance(interrupts, dict):
        return set()
    return {
        entry["id"]
        for entries in interrupts.values()
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict) and isinstance(entry.get("id"), str)
    }
