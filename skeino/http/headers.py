"""`http.configurable_headers`: which request headers reach a run's `configurable`.

As upstream: nothing by default; with patterns, a header whose lower-case name matches an
include and no exclude. `*` is the only wildcard (patterns become anchored regexes of
literals and `.*`, so no pattern can make matching slow). Credentials never pass.
"""

from __future__ import annotations

import re
from functools import lru_cache

from skeino.settings import HeaderPatterns

NEVER = frozenset({"authorization", "x-api-key", "x-service-key", "x-tenant-id"})

RawHeaders = list[tuple[bytes, bytes]]


def _compile(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    parts = (".*".join(re.escape(piece) for piece in p.lower().split("*")) for p in patterns)
    return re.compile("|".join(f"(?:{part})" for part in parts), re.DOTALL)


@lru_cache(maxsize=8)
def _matchers(patterns: HeaderPatterns) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    return _compile(patterns.includes), _compile(patterns.excludes)


def configurable_headers(raw: RawHeaders, patterns: HeaderPatterns | None) -> dict[str, str]:
    """The headers of a request (ASGI's raw pairs) that a run gets in `configurable`."""
    if patterns is None:
        return {}
    include, exclude = _matchers(patterns)
    if include is None:
        return {}
    found: dict[str, str] = {}
    for key, value in raw:
        name = key.decode("latin-1").lower()
        if name in NEVER or name in found or not include.fullmatch(name):
            continue
        if exclude is None or not exclude.fullmatch(name):
            found[name] = value.decode("latin-1")
    return found
