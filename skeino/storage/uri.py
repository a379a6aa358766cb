"""Database URIs: `memory://`, `sqlite:///relative.db`, `sqlite:////abs.db`, or a bare
file path (SQLite). `skeino.backend` opens what a URI names."""

from __future__ import annotations

DEFAULT_URI = "sqlite:///.skeino/skeino.db"


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
