"""The skeino app for third-party ASGI servers (uvicorn, granian, hypercorn's CLI).

Configured by environment so any server's `module:attr` import works. BENCH_SYNC=FULL swaps
skeino's `PRAGMA synchronous = NORMAL` for FULL, to price the durability choice; it patches
the PRAGMA tuples the storage modules read, which is a bench-only trick, not an API.
"""

from __future__ import annotations

import os
import sys

import skeino


def _set_synchronous(level: str) -> None:
    """Set `synchronous` in every loaded skeino module's PRAGMAS; fail if none has it."""
    patched = 0
    for name, module in list(sys.modules.items()):
        pragmas = getattr(module, "PRAGMAS", None)
        if not name.startswith("skeino") or not isinstance(pragmas, tuple):
            continue
        new = tuple(
            f"PRAGMA synchronous = {level}" if "synchronous" in pragma else pragma
            for pragma in pragmas
        )
        module.PRAGMAS = new  # type: ignore[attr-defined]
        patched += any("synchronous" in pragma for pragma in new)
    if not patched:
        raise RuntimeError("skeino no longer exposes PRAGMAS with synchronous; cannot toggle")


def _build() -> skeino.SkeinoApp:
    import skeino.checkpoint.readers
    import skeino.storage.sqlite  # both read PRAGMAS at connect time

    if sync := os.environ.get("BENCH_SYNC"):
        _set_synchronous(sync)
    settings = skeino.SkeinoSettings(database_uri=os.environ["BENCH_DATABASE"])
    return skeino.from_langgraph_json(os.environ["BENCH_CONFIG"], settings=settings)


app = _build()
