"""The on-disk form of a scenario's exchanges, with what it was recorded against."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

RECORDINGS_DIR = Path(__file__).resolve().parent / "recordings"
FORMAT = 1


@dataclass(frozen=True)
class Recording:
    """Raw (un-normalised) exchanges: normalisation rules can change without re-recording."""

    scenario: str
    description: str
    server: dict[str, Any]
    base_url: str
    exchanges: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "scenario": self.scenario,
            "description": self.description,
            "server": self.server,
            "sdk": {"langgraph_sdk": version("langgraph-sdk")},
            "base_url": self.base_url,
            "exchanges": self.exchanges,
        }

    def save(self, directory: Path = RECORDINGS_DIR) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.scenario}.json"
        path.write_text(json.dumps(self.to_json(), indent=1, ensure_ascii=False) + "\n")
        return path


def load(name: str, directory: Path = RECORDINGS_DIR) -> Recording:
    data = json.loads((directory / f"{name}.json").read_text())
    return Recording(
        scenario=data["scenario"],
        description=data["description"],
        server=data["server"],
        base_url=data["base_url"],
        exchanges=data["exchanges"],
    )


def recorded_names(directory: Path = RECORDINGS_DIR) -> list[str]:
    return sorted(path.stem for path in directory.glob("*.json"))
