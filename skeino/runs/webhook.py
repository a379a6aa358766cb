"""Webhooks: which URLs a run may name, and the POST of a finished run to its URL.

A URL is checked when the run (or cron) is created, a 422 when refused, and again just
before the POST, since a name may resolve elsewhere by then. The POST itself has bounded
retries and a timeout, and never blocks the run.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import anyio
import httpx

from skeino.errors import InvalidInput
from skeino.http.responses import dumps
from skeino.settings import WebhookSettings

logger = logging.getLogger("skeino.webhook")

ATTEMPTS = 3
TIMEOUT_SECONDS = 10.0
BACKOFF_SECONDS = 0.5

LOOPBACK_REFUSED = (
    "Loopback webhooks (relative URLs and localhost) are disabled by default. Set "
    "webhooks.url.disable_loopback to false in langgraph.json to allow them."
)
METADATA_HOSTS = frozenset(
    {"metadata.google.internal", "metadata.amazonaws.com", "metadata", "instance-data"}
)
METADATA_ADDRESSES = frozenset({"169.254.169.254", "169.254.170.2", "100.100.100.200"})
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Webhooks:
    """The `webhooks` policy of `langgraph.json`, applied to every run's webhook."""

    def __init__(self, settings: WebhookSettings) -> None:
        self.settings = settings

    async def check(self, url: str | None) -> None:
        """Refuse (InvalidInput, a 422) a URL the policy does not allow."""
        if url is None:
            return
        policy = self.settings
        if len(url) > policy.max_url_length:
            raise InvalidInput("Webhook URL too long")
        if url.startswith("/"):
            if policy.disable_loopback:
                raise InvalidInput(LOOPBACK_REFUSED)
            return
        parts = urlsplit(url)
        if policy.require_https and parts.scheme.lower() != "https":
            raise InvalidInput("Webhook must use https")
        try:
            port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        except ValueError:
            raise InvalidInput("Invalid webhook port") from None
        if policy.allowed_ports and port not in policy.allowed_ports:
            raise InvalidInput(f"Webhook port {port} not allowed")
        host = (parts.hostname or "").rstrip(".")
        if not host:
            raise InvalidInput(f"Invalid webhook hostname '{host}'")
        if self._listed(host):
            return
        if policy.allowed_domains:
            raise InvalidInput("Webhook domain not allowed")
        reason = await self._blocked(host, port)
        if reason is not None:
            raise InvalidInput(f"Webhook host blocked: {reason}")

    def _listed(self, host: str) -> bool:
        """An operator-listed host is trusted, whatever it resolves to."""
        for pattern in self.settings.allowed_domains:
            pattern = pattern.strip().lower()
            if host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:])):
                return True
        return False

    async def _blocked(self, host: str, port: int) -> str | None:
        if host in METADATA_HOSTS:
            return "cloud metadata endpoint"
        if host.endswith(".svc.cluster.local"):
            return "Kubernetes internal DNS"
        if self.settings.disable_loopback and (host == "localhost" or host.endswith(".localhost")):
            return "localhost address"
        try:
            addresses = [ipaddress.ip_address(host.strip("[]"))]
        except ValueError:
            try:
                found = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except OSError:
                return "DNS resolution failed"
            addresses = [ipaddress.ip_address(info[4][0]) for info in found]
        for address in addresses:
            reason = self._refused(address)
            if reason is not None:
                return reason
        return None

    def _refused(self, address: Address) -> str | None:
        """Why an address is refused, in the official server's words."""
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if address.is_loopback:
            if not self.settings.disable_loopback:
                return None
            return "loopback IP range" if address.version == 4 else "blocked IP range"
        if (
            str(address) in METADATA_ADDRESSES
            or address.is_link_local
            or address.is_unspecified
            or address.is_multicast
        ):
            return "blocked IP range"
        if address.is_private and self.settings.disable_private_ips:
            return "private IP range"
        return None

    async def send(self, webhook: str, server_url: str, run: dict[str, Any]) -> bool:
        """POST `run` to `webhook` (a path is on this server, as upstream resolves it);
        False when the policy now refuses it or every try failed."""
        try:
            await self.check(webhook)
        except InvalidInput as exc:
            logger.warning("webhook %s not called: %s", webhook, exc.detail)
            return False
        fields = self.settings.allowed_fields
        payload = {k: v for k, v in run.items() if k in fields} if fields else run
        return await post(urljoin(server_url, webhook), payload, dict(self.settings.headers))


async def post(url: str, payload: Any, headers: dict[str, str]) -> bool:
    """Deliver `payload` as JSON; True once a 2xx answer came back, False after the last try."""
    body = dumps(payload)
    headers = {**headers, "content-type": "application/json"}
    async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = await client.post(url, content=body, headers=headers)
                if response.is_success:
                    return True
                logger.warning(
                    "webhook %s answered %d (try %d)", url, response.status_code, attempt
                )
            except httpx.HTTPError as exc:
                logger.warning("webhook %s failed: %s (try %d)", url, exc, attempt)
            await anyio.sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
    return False


TEMPLATE = re.compile(r"\$\{\{(.*?)\}\}")
PAYLOAD_FIELDS = frozenset(
    {
        "run_id", "thread_id", "assistant_id", "created_at", "updated_at", "metadata",
        "kwargs", "multitask_strategy", "status", "run_started_at", "run_ended_at",
        "webhook_sent_at", "values", "error",
    }
)  # fmt: skip
_URL_KINDS: dict[str, type] = {
    "require_https": bool,
    "allowed_domains": list,
    "allowed_ports": list,
    "max_url_length": int,
    "disable_loopback": bool,
    "disable_private_ips": bool,
}


def webhook_settings(raw: Any, environ: Mapping[str, str]) -> WebhookSettings:
    """`webhooks` of `langgraph.json` as the official server reads it: a `url` policy
    (given, it requires https and caps URLs at 2048 characters unless it says otherwise),
    `headers` whose `${{ env.NAME }}` templates name variables starting with `env_prefix`
    (`LG_WEBHOOK_`), and `allowed_fields` of the payload. Mistakes stop start-up."""
    from skeino.manifest import ManifestError  # the manifest imports the app

    if not isinstance(raw, dict):
        raise ManifestError("webhooks: expected an object")
    url = raw.get("url") or {}
    if not isinstance(url, dict):
        raise ManifestError("webhooks.url: expected an object")
    for key, value in url.items():
        kind = _URL_KINDS.get(key)
        if kind is None or type(value) is not kind:
            raise ManifestError(f"webhooks.url.{key}: {value!r} is not valid")
    domains = url.get("allowed_domains", [])
    if not all(isinstance(d, str) and d and "*" not in d.removeprefix("*.") for d in domains):
        raise ManifestError("webhooks.url.allowed_domains: non-empty hosts, or '*.domain'")
    if not all(type(p) is int for p in url.get("allowed_ports", [])):
        raise ManifestError("webhooks.url.allowed_ports: expected a list of port numbers")
    fields = raw.get("allowed_fields")
    if fields is not None and not (isinstance(fields, list) and set(fields) <= PAYLOAD_FIELDS):
        raise ManifestError(f"webhooks.allowed_fields: expected some of {sorted(PAYLOAD_FIELDS)}")
    return WebhookSettings(
        require_https=url.get("require_https", bool(url)),
        allowed_domains=tuple(domains),
        allowed_ports=tuple(url.get("allowed_ports", ())),
        max_url_length=url.get("max_url_length", 2048 if url else 4096),
        disable_loopback=url.get("disable_loopback", True),
        disable_private_ips=url.get("disable_private_ips", False),
        headers=_headers(raw, environ),
        allowed_fields=None if fields is None else frozenset(fields),
    )


def _headers(raw: dict[str, Any], environ: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    from skeino.manifest import ManifestError

    headers, prefix = raw.get("headers") or {}, raw.get("env_prefix", "LG_WEBHOOK_")
    if not isinstance(headers, dict) or not isinstance(prefix, str):
        raise ManifestError("webhooks.headers: expected an object of strings")

    def resolve(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        name = expression.removeprefix("env.")
        if name == expression or not name.startswith(prefix):
            raise ManifestError(
                f"webhooks.headers: {match.group(0)!r} must read an env variable named {prefix}..."
            )
        if name not in environ:
            raise ManifestError(f"webhooks.headers: the variable {name} is not set")
        return environ[name]

    resolved = []
    for name, value in headers.items():
        if not isinstance(value, str):
            raise ManifestError(f"webhooks.headers.{name}: expected a string")
        resolved.append((str(name), TEMPLATE.sub(resolve, value)))
    return tuple(resolved)
