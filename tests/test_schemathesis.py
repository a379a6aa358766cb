"""schemathesis against skeino's own /openapi.json on a real `skeino serve`: whatever it
generates from the schema (and the stateful links between operations), no answer is a
5xx. Bounded and repeatable: a fixed number of examples per operation from a fixed seed
in deterministic mode, so CI fails on a server error it can reproduce, not on chance."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import MANIFEST
from tests.test_server import free_port

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.mark.timeout(400)
@pytest.mark.skipif(not SCHEMATHESIS.exists(), reason="schemathesis is not installed")
def test_no_generated_request_gets_a_server_error(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "skeino", "serve", str(MANIFEST), "--port", str(port)]
    command += ["--database", f"sqlite:///{tmp_path}/st.db"]
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/ok").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        options = ["--checks", "not_a_server_error", "--max-examples", "25", "--seed", "1"]
        options += ["--generation-deterministic"]
        found = subprocess.run(
            [str(SCHEMATHESIS), "run", f"{url}/openapi.json", *options, "--request-timeout", "10"],
            capture_output=True,
            text=True,
            timeout=360,
            cwd=tmp_path,  # its cache and reports stay out of the checkout
            env={"SCHEMATHESIS_HOOKS": "", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        )
        assert found.returncode == 0, found.stdout[-4000:]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
        log.close()
