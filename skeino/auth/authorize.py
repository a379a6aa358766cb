"""Authorization: which `@auth.on...` handler decides an action, and what it decided.

A handler answers None/True (allowed), False (403) or a filter the caller's records must
match; it may also change `value` (say, stamp `metadata["owner"]`), and services use the
value after the call. Anything that is not found under a filter is answered exactly as if
it did not exist, so a caller learns nothing about other users' records.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, cast

from langgraph_sdk import Auth
from langgraph_sdk.auth.types import AuthContext, BaseAuthContext, Handler

from skeino.auth.filters import Filter
from skeino.auth.user import AuthUser
from skeino.errors import Forbidden

IDS = ("thread_id", "assistant_id", "run_id", "cron_id")


class Authorizer:
    """The handlers of one `Auth` object, resolved most specific first and memoised."""

    def __init__(self, auth: Auth) -> None:
        self.auth = auth
        self._resolved: dict[tuple[str, str], Handler | None] = {}

    def handler(self, resource: str, action: str) -> Handler | None:
        key = (resource, action)
        if key not in self._resolved:
            self._resolved[key] = self._find(resource, action)
        return self._resolved[key]

    def _find(self, resource: str, action: str) -> Handler | None:
        handlers = self.auth._handlers
        for key in ((resource, action), (resource, "*"), ("*", action)):
            if key in handlers:
                return handlers[key][-1]
        return self.auth._global_handlers[-1] if self.auth._global_handlers else None


@dataclass(frozen=True)
class Access:
    """One request's caller, checked against the app's handlers; services take it as
    `access` (None when the app has no auth, which skips every check)."""

    authorizer: Authorizer
    user: AuthUser
    context: BaseAuthContext = field(init=False)

    def __post_init__(self) -> None:
        context = BaseAuthContext(permissions=self.user.permissions, user=cast(Any, self.user))
        object.__setattr__(self, "context", context)

    async def check(self, resource: str, action: str, value: dict[str, Any]) -> Filter | None:
        """Run the handler for `resource.action`; the filter to apply, or None for none."""
        handler = self.authorizer.handler(resource, action)
        if handler is None:
            return None
        _as_uuids(value)
        ctx = AuthContext(
            permissions=self.context.permissions,
            user=self.context.user,
            resource=cast(Any, resource),
            action=cast(Any, action),
        )
        result = await handler(ctx=ctx, value=value)
        if result is None or result is True:
            return None
        if result is False:
            raise Forbidden("Forbidden")
        if isinstance(result, Mapping):
            return result
        raise TypeError(f"auth handler for {resource}.{action} returned {result!r}")

    def configurable(self) -> dict[str, Any]:
        """What a run's graph sees of its caller, under the official server's keys."""
        return {
            "langgraph_auth_user": self.user,
            "langgraph_auth_user_id": self.user.identity,
            "langgraph_auth_permissions": list(self.user.permissions),
            "user_id": self.user.identity,
        }


async def check(
    access: Access | None, resource: str, action: str, value: dict[str, Any]
) -> Filter | None:
    """`access.check`, or no filter at all when the app has no auth."""
    return None if access is None else await access.check(resource, action, value)


def _as_uuids(value: dict[str, Any]) -> None:
    """Ids reach handlers as `UUID`s, as `types.py` declares them (services pass strings)."""
    for key in IDS:
        raw = value.get(key)
        if isinstance(raw, str):
            with suppress(ValueError):
                value[key] = uuid.UUID(raw)
