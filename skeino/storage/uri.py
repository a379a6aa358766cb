"""Database URIs: one string picks both the storage backend and the checkpointer.

`memory://` keeps everything in the process; `sqlite:///relative.db`, `sqlite:////abs.db`
or a bare file path use SQLite. Other schemes are resolved by the registries of
`open_storage` and `open_checkpointer`, so a backend such as Postgres plugs in from outside.
"""

from __future__ import annotations

from collections.abc import Callable

from skeino.storage.base import Storage
from skeino.storage.memory import MemoryStorage
from skeino.storage.sqlite import SqliteStorage

DEFAULT_URI = "sqlite:///.skeino/skeino.db"

StorageFactory = Callable[[str], Storage]
_storage_factories: dict[str, StorageFactory] = {}


def scheme_of(uri: str) -> str:
    """The URI's scheme, lower-cased; a string without `://` is a SQLite file path."""
    scheme, separator, _ = uri.partition("://")
    return scheme.lower() if separator else "sqlite"


def sqlite_path(uri: str) -> str:
    """The file of a SQLite URI: `sqlite:///a.db` is relative, `sqlite:////a.db` absolute."""
    scheme, separator, rest = uri.partition("://")
    if not separator:
        return uri
    if scheme.lower() != "sqlite" or not rest.startswith("/") or rest == "/":
        raise ValueError(f"not a SQLite URI: {uri!r} (expected sqlite:///path/to/file.db)")
    return rest[1:]


def register_storage(scheme: str, factory: StorageFactory) -> None:
    """Make `open_storage` build `factory(uri)` for URIs of `scheme` (replacing any before)."""
    _storage_factories[scheme.lower()] = factory


def open_storage(uri: str = DEFAULT_URI) -> Storage:
    """The storage for `uri`, not yet opened: the caller awaits `open()` and `close()`."""
    scheme = scheme_of(uri)
    factory = _storage_factories.get(scheme)
    if factory is None:
        raise ValueError(f"no storage registered for {scheme}:// (in {uri!r})")
    return factory(uri)


register_storage("memory", lambda uri: MemoryStorage())
register_storage("sqlite", lambda uri: SqliteStorage(sqlite_path(uri)))
