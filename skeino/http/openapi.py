"""`/openapi.json`, generated from the route table and its request dataclasses."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from skeino.http.router import Route
from skeino.http.validation import ModelSpec, compile_spec, model_schema, reachable_models

_PARAM = re.compile(r"{(\w+)(?::\w+)?}")


@lru_cache(maxsize=512)
def openapi_path(template: str) -> str:
    """A route template without parameter types (`/threads/{thread_id}`), as OpenAPI and
    the request metrics name it."""
    return _PARAM.sub(r"{\1}", template)


def _parameters(route: Route) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "string", "format": "uuid"}
            if kind == "uuid"
            else {"type": "string"},
        }
        for name, kind in route.kinds.items()
    ]
    if route.query is not None:
        spec = compile_spec(route.query)
        assert isinstance(spec, ModelSpec)
        params += [
            {
                "name": f.name,
                "in": "query",
                "required": f.default is None,
                "schema": f.spec.schema(),
            }
            for f in spec.fields
        ]
    return params


def _models(routes: list[Route]) -> dict[str, Any]:
    """Every request dataclass reachable from the routes, nested ones included."""
    models = [m for r in routes if r.body is not None for m in reachable_models(r.body)]
    return {model.__name__: model_schema(model) for model in models}


def openapi(routes: list[Route], version: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        operation: dict[str, Any] = {
            "summary": route.summary,
            "tags": list(route.tags),
            "parameters": _parameters(route),
            "responses": {"200": {"description": "Success"}},
        }
        if route.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": compile_spec(route.body).schema()}},
            }
        paths.setdefault(openapi_path(route.template), {})[route.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "skeino", "version": version},
        "paths": paths,
        "components": {"schemas": _models(routes)},
    }
