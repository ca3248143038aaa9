"""`shopcrew serve` as a real uvicorn process on a free loopback port, ready when /healthz is."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

__all__ = ["SHOPCREW", "free_port", "start_serve"]

SHOPCREW = [sys.executable, "-c", "from shopcrew.cli import main; main()"]
"""The CLI, as the installed `shopcrew` script runs it."""


def free_port() -> int:
    """A loopback port nobody listens on now (another process may take it before us)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_serve(args: list[str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start `shopcrew serve` on a free port and wait for /healthz (retry if the port was taken).

    Returns:
        The process (the caller terminates it) and its base URL.
    """
    for _ in range(3):
        port = free_port()
        with log.open("ab") as out:
            proc = subprocess.Popen(
                [*SHOPCREW, "serve", "--host", "127.0.0.1", "--port", str(port), *args],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                    return proc, url
            except httpx.TransportError:
                time.sleep(0.2)  # a readiness poll, not a wait for the behaviour under test
        proc.kill()
        proc.wait(timeout=30)
    raise AssertionError(f"shopcrew serve did not start:\n{log.read_text()}")
