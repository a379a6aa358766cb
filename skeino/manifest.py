"""`langgraph.json`: the manifest the official CLI reads, turned into a skeino app."""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
from langgraph_sdk import Auth

from skeino.app import SkeinoApp, create_app
from skeino.clock import Clock
from skeino.runs.webhook import webhook_settings
from skeino.services.ttl import thread_ttl_config
from skeino.settings import SWITCHES, CorsSettings, HeaderPatterns, SkeinoSettings
from skeino.storage.store import index_config, ttl_config

logger = logging.getLogger("skeino.manifest")

SUPPORTED = {"graphs", "dependencies", "env", "http", "store", "auth", "checkpointer", "webhooks"}
DEPLOYMENT_ONLY = {
    "python_version",
    "node_version",
    "pip_config_file",
    "pip_installer",
    "dockerfile_lines",
    "image_distro",
    "base_image",
    "keep_pkg_tools",
    "$schema",
    "api_version",
}


class ManifestError(Exception):
    """The manifest or something it names cannot be loaded; the message says what and where."""


def load_object(spec: str, base: Path) -> Any:
    """Import `./file.py:attr` (relative to the manifest) or `package.module:attr`."""
    target, sep, attr = spec.rpartition(":")
    if not sep or not target or not attr:
        raise ManifestError(f"{spec!r}: expected 'path/to/file.py:attribute' or 'module:attribute'")
    try:
        if target.endswith(".py") or "/" in target:
            module = _import_file((base / target).resolve())
        else:
            module = importlib.import_module(target)
    except ManifestError:
        raise
    except Exception as exc:
        raise ManifestError(
            f"could not import {target} (for {spec!r}): {type(exc).__name__}: {exc}"
        ) from exc
    try:
        return getattr(module, attr)
    except AttributeError:
        raise ManifestError(f"{target} has no attribute {attr!r} (for {spec!r})") from None


def _import_file(path: Path) -> Any:
    if not path.is_file():
        raise ManifestError(f"file not found: {path}")
    name = "skeino_user_" + "_".join(path.with_suffix("").parts[-3:]).replace("-", "_")
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _load_env(env: Any, base: Path) -> None:
    """Set variables from a dict or a `.env` file; variables already set win."""
    if isinstance(env, dict):
        pairs = {str(k): str(v) for k, v in env.items()}
    elif isinstance(env, str):
        pairs = _read_dotenv(base / env)
    else:
        raise ManifestError("'env' must be a path to a .env file or an object")
    for key, value in pairs.items():
        os.environ.setdefault(key, value)


def _read_dotenv(path: Path) -> dict[str, str]:
    if not path.is_file():
        raise ManifestError(f"env file not found: {path}")
    pairs: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        pairs[key.strip()] = value.strip().strip("'\"")
    return pairs


def _cors(raw: dict[str, Any]) -> CorsSettings:
    known = {k: v for k, v in raw.items() if k in CorsSettings.__dataclass_fields__}
    for key in ("allow_origins", "allow_methods", "allow_headers", "expose_headers"):
        if key in known:
            known[key] = tuple(known[key])
    return CorsSettings(**known)


def _http_switches(settings: SkeinoSettings, http: dict[str, Any]) -> SkeinoSettings:
    """`http.mount_prefix`, `http.configurable_headers` and the `http.disable_*` flags."""
    changes: dict[str, Any] = {}
    prefix = http.get("mount_prefix")
    if prefix:
        if not isinstance(prefix, str) or not prefix.startswith("/"):
            raise ManifestError(f"http.mount_prefix must start with '/' (like /my-api): {prefix!r}")
        changes["mount_prefix"] = prefix.rstrip("/")
    headers = http.get("configurable_headers")
    if headers:
        if not isinstance(headers, dict):
            raise ManifestError("http.configurable_headers must be an object of includes/excludes")
        changes["configurable_headers"] = HeaderPatterns(
            tuple(headers.get("includes") or headers.get("include") or ()),
            tuple(headers.get("excludes") or headers.get("exclude") or ()),
        )
    disabled = frozenset(name for name in SWITCHES if http.get(f"disable_{name}"))
    if disabled:
        changes["disabled"] = disabled
    return replace(settings, **changes) if changes else settings


def _graph_spec(graph_id: str, value: Any) -> str:
    if isinstance(value, dict) and isinstance(value.get("path"), str):
        return str(value["path"])
    if isinstance(value, str):
        return value
    raise ManifestError(f"graph {graph_id!r}: expected 'file.py:attr' or {{'path': ...}}")


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    file = Path(path)
    try:
        data = orjson.loads(file.read_bytes())
    except FileNotFoundError:
        raise ManifestError(f"manifest not found: {file}") from None
    except orjson.JSONDecodeError as exc:
        raise ManifestError(f"{file} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("graphs"), dict):
        raise ManifestError(f"{file}: expected an object with a 'graphs' object")
    for key in sorted(set(data) - SUPPORTED - DEPLOYMENT_ONLY):
        logger.warning("%s: ignoring key %r, which skeino does not support", file, key)
    return data


def from_langgraph_json(
    path: str | os.PathLike[str],
    *,
    settings: SkeinoSettings | None = None,
    clock: Clock | None = None,
) -> SkeinoApp:
    """Build the app a `langgraph.json` describes; a graph that fails to import stops here.
    `clock` is the seam `create_app` offers tests."""
    data = read_manifest(path)
    base = Path(path).resolve().parent
    for dep in data.get("dependencies", []):
        dep_path = str((base / dep).resolve())
        if Path(dep_path).is_dir() and dep_path not in sys.path:
            sys.path.insert(0, dep_path)
    if "env" in data:
        _load_env(data["env"], base)
    graphs = {gid: load_object(_graph_spec(gid, v), base) for gid, v in data["graphs"].items()}
    http = data.get("http") or {}
    settings = settings or SkeinoSettings()
    if "cors" in http:
        settings = replace(settings, cors=_cors(http["cors"]))
    if http.get("middleware_order"):
        settings = replace(settings, middleware_order=http["middleware_order"])
    settings = _http_switches(settings, http)
    store = data.get("store") or {}
    if store.get("index"):
        settings = replace(settings, store_index=index_config(store["index"], base))
    if store.get("ttl"):
        settings = replace(settings, store_ttl=ttl_config(store["ttl"]))
    if "webhooks" in data:
        settings = replace(settings, webhooks=webhook_settings(data["webhooks"], os.environ))
    if (data.get("checkpointer") or {}).get("ttl"):
        settings = replace(settings, thread_ttl=thread_ttl_config(data["checkpointer"]["ttl"]))
    custom = load_object(http["app"], base) if http.get("app") else None
    return create_app(
        graphs=graphs,
        settings=settings,
        custom_app=custom,
        auth=_auth(data.get("auth"), base),
        custom_route_auth=bool(http.get("enable_custom_route_auth", False)),
        clock=clock,
    )


def _auth(config: Any, base: Path) -> Auth | None:
    """`auth.path` names a `langgraph_sdk.Auth`; `disable_studio_auth` and `openapi` concern
    LangSmith Studio and the API description, which skeino leaves alone."""
    if not config:
        return None
    if not isinstance(config, dict) or not isinstance(config.get("path"), str):
        raise ManifestError("'auth' must be an object with a 'path' like './auth.py:auth'")
    auth = load_object(config["path"], base)
    if not isinstance(auth, Auth):
        raise ManifestError(f"{config['path']!r} is a {type(auth).__name__}, not an Auth()")
    return auth
