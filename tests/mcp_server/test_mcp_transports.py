"""`shopcrew mcp` as a process, driven by the official MCP client over stdio and streamable HTTP."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from mcp import ClientSession, MCPError, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

from shopcrew.service import FileApiKeyStore

pytestmark = pytest.mark.slow

SHOPCREW = [sys.executable, "-c", "from shopcrew.cli import main; main()"]
ORDER = "#W9077205"


def _stdio(*args: str | Path) -> StdioServerParameters:
    return StdioServerParameters(command=SHOPCREW[0], args=[*SHOPCREW[1:], "mcp", *map(str, args)])


@asynccontextmanager
async def _http_session(url: str, key: str | None) -> AsyncIterator[ClientSession]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=120) as http,
        streamable_http_client(url, http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


async def _call(session: ClientSession, name: str, **arguments: Any) -> dict[str, Any]:
    result = await session.call_tool(name, arguments)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


async def _approve_a_budget_review(session: ClientSession) -> str:
    """Run a budget review, approve its request; check a replay is refused. Its request id."""
    run = await _call(session, "run_budget_review")
    [interrupt] = run["interrupts"]
    [record] = (await _call(session, "list_approvals"))["approvals"]
    decision = {
        "request_id": interrupt["ref"],
        "verdict": "approve",
        "action_hash": record["request"]["action_hash"],
        "by": "ana",
    }
    done = await _call(session, "decide_approval", **decision)
    assert done["approval"]["request"]["status"] == "approved"
    replayed = await session.call_tool("decide_approval", decision)
    assert replayed.is_error and "StaleApprovalError" in str(replayed.content)
    return str(interrupt["ref"])


async def test_shopcrew_mcp_with_no_arguments_serves_the_demo_shop_over_stdio() -> None:
    async with (
        stdio_client(_stdio()) as (read, write),
        ClientSession(read, write) as session,
    ):
        init = await session.initialize()
        assert init.server_info.name == "shopcrew"
        names = {tool.name for tool in (await session.list_tools()).tools}
        assert {"get_order", "list_approvals", "decide_approval"} <= names
        order = await _call(session, "get_order", order_id=ORDER)
        assert order["status"] == "delivered"


async def test_an_approval_round_trip_over_stdio(store_dir: Path, policy_file: Path) -> None:
    params = _stdio("--store-dir", store_dir, "--policy", policy_file, "--merchant", "acme")
    async with (
        stdio_client(params) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        request_id = await _approve_a_budget_review(session)
        approval = await _call(session, "get_approval", request_id=request_id)
        assert approval["thread_id"].startswith("acme:")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def http_server(
    tmp_path: Path, store_dir: Path, policy_file: Path
) -> Iterator[tuple[str, FileApiKeyStore]]:
    """`shopcrew mcp --http` on a free loopback port; yields its URL and its key store."""
    keys = FileApiKeyStore(tmp_path / "keys.json")
    keys.create("warmup")
    port = _free_port()
    log = tmp_path / "mcp.log"
    args = ["--store-dir", store_dir, "--policy", policy_file, "--keys-file", keys.path]
    with log.open("ab") as out:
        command = [*SHOPCREW, "mcp", "--http", "--port", str(port), *map(str, args)]
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/mcp"
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        try:  # a request without a key gets a 401 as soon as the server listens
            if httpx.post(url, json={}, timeout=5).status_code == 401:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    assert proc.poll() is None, log.read_text()
    try:
        yield url, keys
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    assert proc.returncode in (0, -signal.SIGTERM), log.read_text()


async def test_an_approval_round_trip_over_http_for_the_key_s_merchant_only(
    http_server: tuple[str, FileApiKeyStore],
) -> None:
    url, keys = http_server
    acme, other = keys.create("acme").key, keys.create("other").key
    async with _http_session(url, acme) as session:
        request_id = await _approve_a_budget_review(session)
    async with _http_session(url, other) as session:
        assert (await _call(session, "list_approvals", status=None))["approvals"] == []
        unseen = await session.call_tool("get_approval", {"request_id": request_id})
        assert unseen.is_error and "UnknownApprovalError" in str(unseen.content)


async def test_an_unknown_key_is_refused_before_any_tool_runs(
    http_server: tuple[str, FileApiKeyStore],
) -> None:
    url, _ = http_server
    refused = httpx.post(
        url, json={}, headers={"Authorization": "Bearer sck_0000000000000000_nope"}, timeout=30
    )
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert json.loads(refused.text)["error"]["type"] == "AuthenticationError"
    with pytest.raises(ExceptionGroup) as raised:  # the SDK's task groups wrap the error
        async with _http_session(url, "sck_0000000000000000_nope") as session:
            await session.list_tools()
    assert raised.group_contains(MCPError, depth=None)
