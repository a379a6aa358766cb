"""Crons: create, change, delete and find them; the scheduler fires them.

A cron keeps what its request gave as `payload` (assistant id resolved, the cron id added
under `config.configurable`, as the official server records it), and each firing turns
that payload into a run request. Requests are validated up front, so a cron that could
never start a run is refused with a 422 instead of failing at every firing.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from skeino.auth.authorize import Access, Authorizer, check
from skeino.auth.filters import matches, scoped_search
from skeino.crons.schedule import check_schedule, next_run_date, parse_instant, zone
from skeino.crons.scheduler import CronScheduler
from skeino.crons.storage import Cron, CronQuery, CronStore
from skeino.errors import BadRequest, InvalidInput, NotFound
from skeino.http.validation import UNSET
from skeino.ids import now_iso, uuid7
from skeino.models.crons import CronCount, CronCreate, CronPatch, CronSearch, given, run_request
from skeino.runs.manager import RunManager
from skeino.services.assistants import AssistantService
from skeino.services.paging import Paged, select
from skeino.storage.base import Page

RESCHEDULING = ("schedule", "timezone", "enabled")


class CronService:
    def __init__(
        self,
        store: CronStore,
        assistants: AssistantService,
        runs: RunManager,
        authorizer: Authorizer | None = None,
    ) -> None:
        self.store = store
        self.assistants = assistants
        self.runs = runs
        self.scheduler = CronScheduler(store, runs, authorizer)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[CronService]:
        """Run the scheduler; enter inside the worker's lifetime."""
        async with self.scheduler.running():
            yield self

    async def create(
        self, thread_id: str | None, body: CronCreate, access: Access | None = None
    ) -> Cron:
        check_schedule(body.schedule)
        zone(body.timezone)
        if thread_id is not None:
            await self._check_thread(thread_id, access)
        assistant = await self.assistants.resolve(body.assistant_id, access)
        cron_id, now = uuid7(), now_iso()
        payload = given(body) | {"assistant_id": assistant["assistant_id"]}
        end_time = _end_time(body.end_time)
        if end_time is not None:
            payload["end_time"] = end_time
        payload["config"] = _with_cron_id(payload.get("config"), cron_id)
        run_request(payload, stateless=thread_id is None)
        await self.runs.worker.webhooks.check(payload.get("webhook"))
        metadata, user_id = body.metadata or {}, ""
        if access is not None:
            metadata, user_id = await _authorize(cron_id, thread_id, body, payload, access)
        cron = Cron(
            cron_id=cron_id,
            assistant_id=assistant["assistant_id"],
            thread_id=thread_id,
            user_id=user_id,
            end_time=end_time,
            schedule=body.schedule,
            timezone=body.timezone,
            payload=payload,
            next_run_date=next_run_date(body.schedule, body.timezone, datetime.now(UTC)),
            metadata=metadata,
            on_run_completed=(body.on_run_completed or "delete") if thread_id is None else None,
            enabled=body.enabled is not False,
            created_at=now,
            updated_at=now,
        )
        await self.store.create(cron, None if access is None else dict(access.user))
        self.scheduler.wake()
        return cron

    async def _check_thread(self, thread_id: str, access: Access | None) -> None:
        auth_filter = await check(access, "threads", "read", {"thread_id": thread_id})
        thread = await self.runs.storage.get_thread(thread_id)
        if thread is None or not matches(thread["metadata"], auth_filter):
            raise NotFound(
                f"Thread with ID '{thread_id}' not found. Please verify the ID is correct and "
                "the thread hasn't been deleted or expired."
            )

    async def patch(self, cron_id: str, body: CronPatch, access: Access | None = None) -> Cron:
        changes = given(body)
        if not changes and body.end_time is UNSET:
            raise BadRequest("Request body cannot be empty")
        value = {
            "cron_id": cron_id,
            "schedule": body.schedule,
            "end_time": None if body.end_time is UNSET else body.end_time,
            "enabled": body.enabled,
            "on_run_completed": body.on_run_completed,
            "payload": dict(changes),
        }
        auth_filter = await check(access, "crons", "update", value)
        current = await self.store.get(cron_id)
        if current is None or not matches(current["metadata"], auth_filter):
            raise NotFound(f"Cron '{cron_id}' not found")
        if body.schedule is not None:
            check_schedule(body.schedule)
        zone(body.timezone)
        if body.end_time is not UNSET:
            changes["end_time"] = _end_time(body.end_time)
        payload = current["payload"] | changes
        if "config" in changes:
            payload["config"] = _with_cron_id(changes["config"], cron_id)
        run_request(payload, stateless=current["thread_id"] is None)
        await self.runs.worker.webhooks.check(payload.get("webhook"))
        updated = await self.store.update(cron_id, _fields(current, changes, payload))
        if updated is None:
            raise NotFound(f"Cron '{cron_id}' not found")
        self.scheduler.wake()
        return updated

    async def get(self, cron_id: str, access: Access | None = None) -> Cron:
        return await self._visible(cron_id, "read", access)

    async def _visible(self, cron_id: str, action: str, access: Access | None) -> Cron:
        """The cron, once `crons.<action>` allows it; one the caller may not see is missing
        (upstream answers both with a bare "Not Found")."""
        auth_filter = await check(access, "crons", action, {"cron_id": cron_id})
        current = await self.store.get(cron_id)
        if current is None or not matches(current["metadata"], auth_filter):
            raise NotFound("Not Found")
        return current

    async def delete(self, cron_id: str, access: Access | None = None) -> None:
        if access is not None:
            await self._visible(cron_id, "delete", access)
        if not await self.store.delete(cron_id):
            raise NotFound("Not Found")
        self.scheduler.wake()

    async def search(self, body: CronSearch, access: Access | None = None) -> Paged[dict[str, Any]]:
        query = _query(body.assistant_id, body.thread_id, body.enabled, body.metadata)
        # as on the official server, sort_order applies only together with sort_by
        order = body.sort_order if body.sort_by is not None else None
        page = Page(body.limit, body.offset, body.sort_by, order)
        rows, total = await self._search(query, page, body.limit, body.offset, access)
        return Paged(select(rows, list(body.select or [])), body.offset, total)  # type: ignore[arg-type]

    async def count(self, body: CronCount, access: Access | None = None) -> int:
        query = _query(body.assistant_id, body.thread_id, None, body.metadata)
        _, total = await self._search(query, Page(limit=1), 0, 0, access)
        return total

    async def _search(
        self, query: CronQuery, page: Page, limit: int, offset: int, access: Access | None
    ) -> tuple[list[Cron], int]:
        """A search narrowed to what `crons.search` lets the caller see."""
        value = {
            "assistant_id": query.assistant_id,
            "thread_id": query.thread_id,
            "limit": limit,
            "offset": offset,
            "metadata": dict(query.metadata),
        }
        auth_filter = await check(access, "crons", "search", value)

        async def search(metadata: dict[str, Any], page: Page) -> tuple[list[Cron], int]:
            return await self.store.search(replace(query, metadata=metadata), page)

        return await scoped_search(search, query.metadata, auth_filter, page)


async def _authorize(
    cron_id: str,
    thread_id: str | None,
    body: CronCreate,
    payload: dict[str, Any],
    access: Access,
) -> tuple[dict[str, Any], str]:
    """Ask `crons.create`: the cron's metadata (the handler may stamp it) and its user."""
    value: dict[str, Any] = {
        "payload": payload,
        "schedule": body.schedule,
        "cron_id": cron_id,
        "thread_id": thread_id,
        "user_id": access.user.identity,
        "end_time": payload.get("end_time"),
        "metadata": dict(body.metadata or {}),
    }
    await access.check("crons", "create", value)
    return value.get("metadata") or {}, access.user.identity


def _query(
    assistant_id: str | None, thread_id: str | None, enabled: bool | None, metadata: Any
) -> CronQuery:
    return CronQuery(
        _uuid_or_none("assistant", assistant_id),
        _uuid_or_none("thread", thread_id),
        enabled,
        metadata or {},
    )


def _fields(current: Cron, changes: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """The record fields a PATCH sets; the next run date is recomputed from now when
    the schedule, timezone or enabled flag changes (a re-enabled cron starts afresh)."""
    fields: dict[str, Any] = {"payload": payload, "updated_at": now_iso()}
    for name in ("schedule", "timezone", "enabled", "end_time", "metadata"):
        if name in changes:
            fields[name] = changes[name]
    if "on_run_completed" in changes and current["thread_id"] is None:
        fields["on_run_completed"] = changes["on_run_completed"]
    if any(name in changes for name in RESCHEDULING):
        schedule = changes.get("schedule", current["schedule"])
        timezone = changes.get("timezone", current["timezone"])
        fields["next_run_date"] = next_run_date(schedule, timezone, datetime.now(UTC))
    return fields


def _uuid_or_none(noun: str, value: str | None) -> str | None:
    """Search filters take ids only, answered with the router's own 422 wording."""
    if value is None:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidInput(f"Invalid {noun} ID: must be a UUID") from None


def _end_time(value: str | None) -> str | None:
    return None if value is None else parse_instant(value)


def _with_cron_id(config: dict[str, Any] | None, cron_id: str) -> dict[str, Any]:
    """The run config with `configurable.cron_id`, so a graph can tell which cron ran it."""
    config = dict(config or {})
    config["configurable"] = {**config.get("configurable", {}), "cron_id": cron_id}
    return config
