"""The authenticated user, normalised from whatever `@auth.authenticate` returned."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from skeino.errors import BadRequest

INVALID_USER = (
    "Expected a BaseUser instance with required property: identity (str). Optional "
    "properties are: is_authenticated (bool, defaults to True) and display_name (str, "
    "defaults to identity). Got {kind} instead"
)


class AuthUser(dict[str, Any]):
    """A dict, so it is stored in the run's config as the official server shows it, with the
    `BaseUser` properties graphs and handlers read (`user.identity`, `user["identity"]`)."""

    @property
    def identity(self) -> str:
        return str(self["identity"])

    @property
    def display_name(self) -> str:
        return str(self.get("display_name", self.identity))

    @property
    def is_authenticated(self) -> bool:
        return bool(self.get("is_authenticated", True))

    @property
    def permissions(self) -> Sequence[str]:
        return list(self.get("permissions") or [])


def to_user(found: Any) -> AuthUser:
    """A str is an identity; a mapping or an object must carry a str `identity`."""
    if isinstance(found, str):
        return _user({"identity": found})
    if isinstance(found, Mapping):
        return _user(found)
    if isinstance(getattr(found, "identity", None), str):
        fields = ("identity", "is_authenticated", "display_name", "permissions")
        return _user({name: getattr(found, name) for name in fields if hasattr(found, name)})
    raise BadRequest(INVALID_USER.format(kind=type(found)))


def _user(fields: Mapping[str, Any]) -> AuthUser:
    identity = fields.get("identity")
    if not isinstance(identity, str):
        raise BadRequest(INVALID_USER.format(kind=type(fields)))
    user = AuthUser(
        identity=identity,
        is_authenticated=fields.get("is_authenticated", True),
        display_name=fields.get("display_name", identity),
        permissions=list(fields.get("permissions") or []),
    )
    user.update({k: v for k, v in fields.items() if k not in user})
    return user


def revive(value: Any) -> Any:
    """A user read back from a stored run (a plain dict) gets its properties again."""
    return AuthUser(value) if isinstance(value, dict) and "identity" in value else value
