"""skeino: LangGraph graphs behind the LangGraph Agent Server API, on plain ASGI."""

from skeino.app import SkeinoApp, create_app
from skeino.manifest import from_langgraph_json
from skeino.settings import CorsSettings, SkeinoSettings

__all__ = ["CorsSettings", "SkeinoApp", "SkeinoSettings", "create_app", "from_langgraph_json"]
