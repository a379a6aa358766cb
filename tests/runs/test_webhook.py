"""The `webhooks` policy of langgraph.json and the POST a run's end sends, through the SDK.

URLs the policy allows are given to crons that never fire (nothing is ever sent to them);
the one delivery goes to a listener on a loopback port, which the policy then allows."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.errors import UnprocessableEntityError

import skeino
from skeino.manifest import ManifestError
from skeino.runs.webhook import LOOPBACK_REFUSED
from skeino.settings import WebhookSettings
from tests.conftest import MANIFEST
from tests.hooks import receiving

pytestmark = pytest.mark.anyio

FAR_FUTURE = "0 0 1 1 *"


def manifest(tmp_path: Path, webhooks: Any) -> Path:
    graphs = json.loads(MANIFEST.read_text())["graphs"]
    graphs = {k: str(MANIFEST.parent / v) for k, v in graphs.items()}
    path = tmp_path / "langgraph.json"
    path.write_text(json.dumps({"graphs": graphs, "webhooks": webhooks}))
    return path


@asynccontextmanager
async def sdk(path: Path) -> AsyncIterator[LangGraphClient]:
    settings = skeino.SkeinoSettings(database_uri="memory://")
    app = skeino.from_langgraph_json(path, settings=settings)
    async with app.running():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://s") as http:
            yield LangGraphClient(http)


async def refused(client: LangGraphClient, url: str) -> str:
    with pytest.raises(UnprocessableEntityError) as caught:
        await client.runs.create(None, "chat", input={"messages": []}, webhook=url)
    detail: str = caught.value.body["detail"]  # type: ignore[index]
    with pytest.raises(UnprocessableEntityError):  # crons are checked alike
        await client.crons.create("chat", schedule=FAR_FUTURE, webhook=url)
    return detail


async def accepted(client: LangGraphClient, url: str) -> None:
    await client.crons.create("chat", schedule=FAR_FUTURE, webhook=url)


async def test_loopback_is_refused_by_default(tmp_path: Path) -> None:
    async with sdk(manifest(tmp_path, {})) as client:
        assert await refused(client, "/threads") == LOOPBACK_REFUSED
        assert await refused(client, "http://127.0.0.1:9/x") == (
            "Webhook host blocked: loopback IP range"
        )
        assert await refused(client, "http://[::1]/x") == "Webhook host blocked: blocked IP range"
        assert await refused(client, "http://localhost/x") == (
            "Webhook host blocked: localhost address"
        )
        assert await refused(client, "http://169.254.169.254/latest") == (
            "Webhook host blocked: blocked IP range"
        )
        assert await refused(client, "http://metadata.google.internal/x") == (
            "Webhook host blocked: cloud metadata endpoint"
        )
        assert await refused(client, "http://x" + "y" * 5000) == "Webhook URL too long"
        await accepted(client, "http://10.1.2.3/hook")  # private addresses are allowed


async def test_a_url_policy_allows_listed_domains_over_https(tmp_path: Path) -> None:
    policy = {"allowed_domains": ["hooks.example.com", "*.corp.example"], "allowed_ports": [443]}
    async with sdk(manifest(tmp_path, {"url": policy})) as client:
        await accepted(client, "https://hooks.example.com/done")
        await accepted(client, "https://a.b.corp.example/done")
        assert await refused(client, "http://hooks.example.com/x") == "Webhook must use https"
        assert await refused(client, "https://corp.example/x") == "Webhook domain not allowed"
        assert await refused(client, "https://evil.example/x") == "Webhook domain not allowed"
        assert await refused(client, "https://hooks.example.com:8443/x") == (
            "Webhook port 8443 not allowed"
        )


async def test_private_addresses_can_be_refused_and_loopback_allowed(tmp_path: Path) -> None:
    policy = {"require_https": False, "disable_private_ips": True, "disable_loopback": False}
    async with sdk(manifest(tmp_path, {"url": policy})) as client:
        assert await refused(client, "http://10.1.2.3/x") == (
            "Webhook host blocked: private IP range"
        )
        await accepted(client, "http://127.0.0.1:9/x")
        await accepted(client, "/hooks/done")


def test_header_templates_read_prefixed_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LG_WEBHOOK_TOKEN", "s3cret")
    monkeypatch.setenv("SECRET", "never")
    headers = {"Authorization": "Bearer ${{ env.LG_WEBHOOK_TOKEN }}", "X-Static": "yes"}
    app = skeino.from_langgraph_json(manifest(tmp_path, {"headers": headers}))
    assert app.settings.webhooks == WebhookSettings(
        headers=(("Authorization", "Bearer s3cret"), ("X-Static", "yes"))
    )
    for bad in (
        {"headers": {"A": "${{ env.SECRET }}"}},
        {"headers": {"A": "${{ env.LG_WEBHOOK_MISSING }}"}},
        {"headers": {"A": "${{ secrets.X }}"}},
        {"url": {"allowed_domains": ["a.*.com"]}},
        {"url": {"require_https": "yes"}},
        {"allowed_fields": ["password"]},
    ):
        with pytest.raises(ManifestError):
            skeino.from_langgraph_json(manifest(tmp_path, bad))


async def test_the_post_carries_headers_values_and_only_allowed_fields(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LG_WEBHOOK_TOKEN", "s3cret")
    webhooks = {
        "url": {"disable_loopback": False, "require_https": False},
        "headers": {"Authorization": "Bearer ${{ env.LG_WEBHOOK_TOKEN }}"},
        "allowed_fields": ["run_id", "status", "values", "webhook_sent_at"],
    }
    async with sdk(manifest(tmp_path, webhooks)) as client, receiving() as hook:
        thread_id = (await client.threads.create())["thread_id"]
        await client.runs.wait(thread_id, "slow", input={"delay": 0}, webhook=hook.url)
        head, body = await hook.first()
    assert b"\r\nAuthorization: Bearer s3cret\r\n" in head
    payload = json.loads(body)
    assert sorted(payload) == ["run_id", "status", "values", "webhook_sent_at"]
    assert payload["status"] == "success" and payload["values"]["log"] == ["worked:1", "done"]
