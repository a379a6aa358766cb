"""The Python API: check or record scenarios against a URL or an in-process ASGI app."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import anyio

from conformance import recording, runner
from conformance.lifespan import lifespan
from conformance.profiles import STRICT, Profile
from conformance.target import Target
from conformance.verdict import Verdict


def make_target(url: str | None = None, app: Any = None) -> Target:
    if (url is None) == (app is None):
        raise ValueError("give exactly one of url= or app=")
    return Target.asgi(app) if app is not None else Target.url(url or "")


async def check_async(
    target: Target, only: Sequence[str] | None = None, profile: Profile = STRICT
) -> list[Verdict]:
    """Replay the recorded scenarios (or `only` these) against `target`, in order."""
    names = only or recording.recorded_names()
    return [await runner.check_one(name, target, profile) for name in names]


def check(
    url: str | None = None,
    *,
    app: Any = None,
    only: Sequence[str] | None = None,
    run_lifespan: bool = True,
    profile: Profile = STRICT,
) -> list[Verdict]:
    """Blocking `check_async`; for an app, runs its ASGI lifespan around the replay."""

    async def main() -> list[Verdict]:
        target = make_target(url, app)
        if app is None or not run_lifespan:
            return await check_async(target, only, profile)
        async with lifespan(app):
            return await check_async(target, only, profile)

    return anyio.run(main)
