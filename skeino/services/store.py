"""The store endpoints over a langgraph `BaseStore`, the one graphs get at run time.

Under custom auth a `store.<action>` handler may rewrite the namespace (confining users to
their own) and may return a filter on item values, which applies as it does to other
records' metadata: items that fail it are not found, not deleted, not overwritten (403),
and not in search results. Namespaces carry no values, so listing them ignores it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from langgraph.store.base import NOT_PROVIDED, BaseStore, InvalidNamespaceError, Item, SearchItem

from skeino import errors
from skeino.auth.authorize import Access
from skeino.auth.filters import EVERY_ROW, Filter, matches, narrow
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
        """Under auth, the item is what the `store.put` handler leaves in its value (it may
        stamp the item, as upstream lets it)."""
        namespace = check_labels(body.namespace)
        value: dict[str, Any] = {
            "namespace": namespace,
            "key": body.key,
            "value": body.value,
            "index": body.index,
            "ttl": body.ttl,
        }
        if access is not None:
            namespace, auth_filter = await _scoped(access, "put", value)
            if not await self._passes(namespace, value["key"], auth_filter):
                raise errors.Forbidden("Forbidden")
        ttl = NOT_PROVIDED if value["ttl"] is None else value["ttl"]
        with _refusals():
            await self.store.aput(
                namespace, value["key"], value["value"], index=value["index"], ttl=ttl
            )

    async def get(
        self, dotted: str, key: str, refresh_ttl: str | None, access: Access | None = None
    ) -> Item | None:
        namespace = check_labels(dotted.split("."))
        refresh = _FLAGS.get(refresh_ttl.lower()) if refresh_ttl is not None else None
        auth_filter = None
        if access is not None:
            value = {"namespace": namespace, "key": key, "refresh_ttl": refresh}
            namespace, auth_filter = await _scoped(access, "get", value)
        with _refusals():
            item = await self.store.aget(namespace, key, refresh_ttl=refresh)
        return item if item is None or matches(item.value, auth_filter) else None

    async def delete(self, body: StoreDelete, access: Access | None = None) -> None:
        namespace = check_labels(body.namespace)
        if access is not None:
            value = {"namespace": namespace, "key": body.key}
            namespace, auth_filter = await _scoped(access, "delete", value)
            if not await self._passes(namespace, body.key, auth_filter):
                return
        with _refusals():
            await self.store.adelete(namespace, body.key)

    async def search(self, body: StoreSearch, access: Access | None = None) -> list[SearchItem]:
        prefix = check_labels(body.namespace_prefix or [])
        given, auth_filter = body.filter, None
        if access is not None:
            value: dict[str, Any] = {
                "namespace": prefix,
                "filter": body.filter,
                "limit": body.limit,
                "offset": body.offset,
                "query": body.query,
                "refresh_ttl": body.refresh_ttl,
            }
            prefix, auth_filter = await _scoped(access, "search", value)
            given = value.get("filter")
        store_filter, rest = _combined(given, auth_filter)
        every = bool(rest)  # some conditions are checked here: page after them
        with _refusals():
            found = await self.store.asearch(
                prefix,
                query=body.query,
                filter=store_filter,
                limit=EVERY_ROW if every else body.limit,
                offset=0 if every else body.offset,
                refresh_ttl=body.refresh_ttl,
            )
        if not body.query:  # else by relevance
            # oldest first, as the official server's store answers; langgraph's Postgres
            # store returns the newest first (stable: SQLite's second-resolution ties keep
            # its order)
            found = sorted(found, key=lambda item: item.created_at)
        if every:
            kept = [item for item in found if matches(item.value, rest)]
            found = kept[body.offset : body.offset + body.limit]
        return found

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
            prefix = (await _scoped(access, "list_namespaces", value))[0] or None
        with _refusals():
            return await self.store.alist_namespaces(
                prefix=prefix,
                suffix=suffix,
                max_depth=body.max_depth,
                limit=body.limit,
                offset=body.offset,
            )

    async def _passes(
        self, namespace: tuple[str, ...], key: str, auth_filter: Filter | None
    ) -> bool:
        """Whether the item at `key` (if any) passes the filter."""
        if not auth_filter:
            return True
        with _refusals():
            item = await self.store.aget(namespace, key, refresh_ttl=False)
        return item is None or matches(item.value, auth_filter)


async def _scoped(
    access: Access, action: str, value: dict[str, Any]
) -> tuple[tuple[str, ...], Filter | None]:
    """Ask the `store.<action>` handler: the namespace it leaves in `value` is the one used
    (the official way to confine users to their own namespaces), and the filter it returns
    applies to item values."""
    auth_filter = await access.check("store", action, value)
    return tuple(value.get("namespace") or ()), auth_filter


def _combined(
    given: dict[str, Any] | None, auth_filter: Filter | None
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The store's own filter with the auth filter's exact matches added (so the store
    pages), and what must be checked here: operators the store lacks, and keys the
    caller's filter already constrains (both must hold)."""
    if not auth_filter:
        return given, {}
    exact, rest = narrow({}, auth_filter)
    combined = dict(given or {})
    for key, expected in (exact or {}).items():
        if key in combined:
            rest[key] = {"$eq": expected}
        else:
            combined[key] = expected
    return combined, rest
