"""Starting and stopping a `langgraph dev` server (in-memory runtime) on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 300.0
"""Seconds for the server to import the graphs and answer; generous for a loaded 2-core box."""
STOP_TIMEOUT = 30.0
QUIET_ENV = {
    # Nothing leaves the machine: no CLI analytics, no version check against PyPI, no tracing.
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",
    "LANGGRAPH_NO_VERSION_CHECK": "1",
    "LANGSMITH_TRACING": "false",
    "LANGCHAIN_TRACING_V2": "false",
    "SHOPCREW_MODEL": "rules",
}


LANGGRAPH_PYTHON_ENV = "SHOPCREW_LANGGRAPH_PYTHON"
"""A Python whose environment has langgraph-cli[inmem] and this checkout installed.

langgraph-api pins `jsonschema-rs<0.45`, which the test extra's schemathesis does not accept, so
the server can live in a venv of its own: `pip install -e ".[langgraph-server]"` there.
"""
_PROBE = (
    "import langgraph_api, langgraph_cli, shopcrew, pathlib; "
    "print(pathlib.Path(shopcrew.__file__).resolve().parent.parent)"
)


def langgraph_python() -> str:
    """The Python that runs `langgraph dev`: $SHOPCREW_LANGGRAPH_PYTHON, else this one.

    Skips when neither has langgraph-cli[inmem]; fails when the named one cannot run this
    checkout's graphs (so CI, which names one, never skips silently).
    """
    named = os.environ.get(LANGGRAPH_PYTHON_ENV)
    candidates = [named] if named else [sys.executable]
    for python in candidates:
        probe = subprocess.run(
            [python, "-c", _PROBE], capture_output=True, text=True, timeout=120, check=False
        )
        if probe.returncode == 0 and Path(probe.stdout.strip()) == ROOT:
            return python
        if named:
            pytest.fail(
                f"{LANGGRAPH_PYTHON_ENV}={named} cannot serve this checkout's graphs "
                f"(needs langgraph-cli[inmem] and `pip install -e {ROOT}[langgraph-server]`): "
                f"{probe.stderr.strip()[-500:] or probe.stdout.strip()}"
            )
    pytest.skip(
        "langgraph-cli[inmem] is not installed here: pip install -e '.[langgraph-server]' "
        f"(in this venv, or in another one named by {LANGGRAPH_PYTHON_ENV})"
    )


@dataclass(frozen=True)
class LanggraphServer:
    """A running `langgraph dev`: its URL, the store directory its merchants start from."""

    url: str
    store_dir: Path
    log: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def log_tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-4000:]


def wait_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Wait until the graphs are loaded (`/assistants/search` lists them)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"langgraph dev exited with {process.returncode}:\n{log_tail(log)}")
        try:
            found = httpx.post(f"{url}/assistants/search", json={}, timeout=5.0)
            if found.status_code == 200 and len(found.json()) >= 2:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"langgraph dev did not answer in {STARTUP_TIMEOUT:.0f}s:\n{log_tail(log)}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)
