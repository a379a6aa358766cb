"""The store endpoints over a langgraph `BaseStore`, the one graphs get at run time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from langgraph.store.base import NOT_PROVIDED, BaseStore, InvalidNamespaceError, Item, SearchItem

from skeino import errors
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

    async def put(self, body: StorePut) -> None:
        namespace = check_labels(body.namespace)
        ttl = NOT_PROVIDED if body.ttl is None else body.ttl
        with _refusals():
            await self.store.aput(namespace, body.key, body.value, index=body.index, ttl=ttl)

    async def get(self, dotted: str, key: str, refresh_ttl: str | None) -> Item | None:
        namespace = check_labels(dotted.split("."))
        refresh = _FLAGS.get(refresh_ttl.lower()) if refresh_ttl is not None else None
        with _refusals():
            return await self.store.aget(namespace, key, refresh_ttl=refresh)

    async def delete(self, body: StoreDelete) -> None:
        namespace = check_labels(body.namespace)
        with _refusals():
            await self.store.adelete(namespace, body.key)

    async def search(self, body: StoreSearch) -> list[SearchItem]:
        prefix = check_labels(body.namespace_prefix or [])
        with _refusals():
            return await self.store.asearch(
                prefix,
                query=body.query,
                filter=body.filter,
                limit=body.limit,
                offset=body.offset,
                refresh_ttl=body.refresh_ttl,
            )

    async def namespaces(self, body: StoreNamespaces) -> list[tuple[str, ...]]:
        prefix = check_labels(body.prefix) if body.prefix else None
        suffix = check_labels(body.suffix) if body.suffix else None
        with _refusals():
            return await self.store.alist_namespaces(
                prefix=prefix,
                suffix=suffix,
                max_depth=body.max_depth,
                limit=body.limit,
                offset=body.offset,
            )
