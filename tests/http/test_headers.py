"""`configurable_headers`: upstream's include/exclude rules over raw ASGI headers."""

from __future__ import annotations

from skeino.http.headers import configurable_headers
from skeino.settings import HeaderPatterns


def raw(**headers: str) -> list[tuple[bytes, bytes]]:
    return [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]


def test_nothing_passes_without_includes() -> None:
    assert configurable_headers(raw(x_user="u"), None) == {}
    assert configurable_headers(raw(x_user="u"), HeaderPatterns(excludes=("y",))) == {}


def test_includes_excludes_and_credentials() -> None:
    patterns = HeaderPatterns(includes=("X-*", "trace.id"), excludes=("x-private-*",))
    sent = raw(
        x_user="u",
        x_private_key="p",
        x_api_key="k",
        x_tenant_id="t",
        authorization="a",
        trace_id="no: the dot is literal",
    )
    found = configurable_headers([*sent, (b"trace.id", b"t1"), (b"X-Upper", b"up")], patterns)
    assert found == {"x-user": "u", "trace.id": "t1", "x-upper": "up"}


def test_everything_included_still_never_credentials() -> None:
    found = configurable_headers(
        raw(authorization="a", x_service_key="s", accept="*/*"), HeaderPatterns(includes=("*",))
    )
    assert found == {"accept": "*/*"}


def test_first_value_of_a_repeated_header_wins() -> None:
    found = configurable_headers(
        [(b"x-a", b"1"), (b"x-a", b"2")], HeaderPatterns(includes=("x-a",))
    )
    assert found == {"x-a": "1"}
