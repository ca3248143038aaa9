"""Fixtures of the MCP adapter tests: the reference platform as a real server process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.platform_server import PlatformServer

from shopcrew.tools.mcp import McpConnection


@pytest.fixture(scope="module")
def shared_platform(tmp_path_factory: pytest.TempPathFactory, tau_dir: Path) -> Iterator[str]:
    """One server for a module's tests (each starts from `reference_reset`); its URL."""
    server = PlatformServer(tmp_path_factory.mktemp("platform"), tau_dir / "db")
    yield server.start()
    server.stop()


@pytest.fixture
def platform_url(shared_platform: str) -> Iterator[str]:
    """The shared server, its store reset for this test."""
    with McpConnection(shared_platform) as connection:
        assert not connection.call("reference_reset", {}).is_error
    yield shared_platform


@pytest.fixture
def platform(tmp_path: Path, tau_dir: Path) -> Iterator[PlatformServer]:
    """A server of this test's own (not started): for tests that kill and restart it."""
    server = PlatformServer(tmp_path, tau_dir / "db")
    yield server
    server.stop()
