"""The store endpoints over a langgraph `BaseStore`, the one graphs get at run time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from langgraph.store.base import NOT_PROVIDED, BaseStore, InvalidNamespaceError, Item, SearchItem

from skeino import errors
from skeino.auth.authorize import Access
from skeino.models.store import StoreDelete, StoreNamespaces, StorePut, StoreSearch

_FLAGS = {"true": True, "1": True, "false": False, "0": False}


class InvalidNamespace(errors.InvalidInput):
    """A namespace label is empty or dotted; the official server answers these in plain text."""


def check_labels(labels: Sequence[str]) -> tuple[str, ...]:
    """Dots are refused because a namespace travels dotted in `GET /store/items`."""
    for label in labels:
        if not label or "." in label:
            raise InvalidNamespace(
                f"Namespace label '{label}' must be a non-empty string without periods"
            )
    return tuple(labels)


@contextmanager
def _refusals() -> Iterator[None]:
    """What the store refuses is the client's to fix, never a 500."""
    try:
        yield
    except InvalidNamespaceError as exc:  # empty, or under the reserved "langgraph" root
        raise errors.BadRequest(str(exc)) from None
    except ValueError as exc:  # e.g. SQLite's check of filter keys
        raise errors.InvalidInput(str(exc)) from None


class StoreService:
    def __init__(self, store: BaseStore) -> None:
        self.store = store

    async def put(self, body: StorePut, access: Access | None = None) -> None:
        namespace = check_labels(body.namespace)
        if access is not None:
            value = {
                "namespace": namespace,
                "key": body.key,
                "value": body.value,
                "index": body.index,
                "ttl": body.ttl,
            }
            namespace = await _scoped(access, "put", value)
        ttl = NOT_PROVIDED if body.ttl is None else body.ttl
        with _refusals():
            await self.store.aput(namespace, body.key, body.value, index=body.index, ttl=ttl)

    async def get(
        self, dotted: str, key: str, refresh_ttl: str | None, access: Access | None = None
    ) -> Item | None:
        namespace = check_labels(dotted.split("."))
        refresh = _FLAGS.get(refresh_ttl.lower()) if refresh_ttl is not None else None
        if access is not None:
            value = {"namespace": namespace, "key": key, "refresh_ttl": refresh}
            namespace = await _scoped(access, "get", value)
        with _refusals():
            return await self.store.aget(namespace, key, refresh_ttl=refresh)

    async def delete(self, body: StoreDelete, access: Access | None = None) -> None:
        namespace = check_labels(body.namespace)
        if access is not None:
            namespace = await _scoped(access, "delete", {"namespace": namespace, "key": body.key})
        with _refusals():
            await self.store.adelete(namespace, body.key)

    async def search(self, body: StoreSearch, access: Access | None = None) -> list[SearchItem]:
        prefix = check_labels(body.namespace_prefix or [])
        if access is not None:
            value = {
                "namespace": prefix,
                "filter": body.filter,
                "limit": body.limit,
                "offset": body.offset,
                "query": body.query,
                "refresh_ttl": body.refresh_ttl,
            }
            prefix = await _scoped(access, "search", value)
        with _refusals():
            found = await self.store.asearch(
                prefix,
                query=body.query,
                filter=body.filter,
                limit=body.limit,
                offset=body.offset,
                refresh_ttl=body.refresh_ttl,
            )
        if body.query:
            return found  # by relevance
        # oldest first, as the official server's store answers; langgraph's Postgres store
        # returns the newest first (stable: SQLite's second-resolution ties keep its order)
        return sorted(found, key=lambda item: item.created_at)

    async def namespaces(
        self, body: StoreNamespaces, access: Access | None = None
    ) -> list[tuple[str, ...]]:
        prefix = check_labels(body.prefix) if body.prefix else None
        suffix = check_labels(body.suffix) if body.suffix else None
        if access is not None:
            value = {
                "namespace": prefix,
                "suffix": suffix,
                "max_depth": body.max_depth,
                "limit": body.limit,
                "offset": body.offset,
            }
            prefix = await _scoped(access, "list_namespaces", value) or None
        with _refusals():
            return await self.store.alist_namespaces(
                prefix=prefix,
                suffix=suffix,
                max_depth=body.max_depth,
                limit=body.limit,
                offset=body.offset,
            )


async def _scoped(access: Access, action: str, value: dict[str, Any]) -> tuple[str, ...]:
    """Ask the `store.<action>` handler; the namespace it leaves in `value` is the one
    used (the official way to confine users to their own namespaces)."""
    await access.check("store", action, value)
    return tuple(value.get("namespace") or ())
