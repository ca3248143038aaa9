"""MCP conversation runs take the thread's Redis lease, as `shopcrew serve` does.

Two MCP servers on one Redis (two `shopcrew mcp --redis` processes, or one beside `shopcrew
serve` or a worker) given messages of one conversation at the same moment run them one after
the other: both messages and both replies stay in the conversation. A run whose thread is held
elsewhere waits, and says the thread is busy when it stays held.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from redis import Redis

from shopcrew.agents.policy import Policy
from shopcrew.mcp_server import build_mcp_server
from shopcrew.memory._redis import async_client
from shopcrew.models import resolve_model
from shopcrew.service import ServiceMetrics, build_crews
from shopcrew.service.runs import CrewService
from shopcrew.tools.adapters import Adapters
from shopcrew.workers import ThreadLease

MERCHANT = "acme"
EMAIL = "amelia.wilson1598@example.com"


@pytest.fixture
def shared(redis_url: str, namespace: str) -> Iterator[tuple[str, str]]:
    yield redis_url, namespace
    with Redis.from_url(redis_url) as client:  # the crews' keys carry the namespace first
        for key in client.scan_iter(f"{namespace}*", count=1000):
            client.delete(key)


def _service(store_dir: Path, redis_url: str, namespace: str, *, wait_s: float) -> CrewService:
    crews, _ = build_crews(
        model=resolve_model("rules"),
        redis_url=redis_url,
        namespace=namespace,
        adapters_for=lambda m: Adapters.from_store_dir(store_dir, merchant_id=m),
        policy_for=lambda m: Policy(),
    )
    return CrewService.from_url(
        crews, ServiceMetrics(), redis_url=redis_url, namespace=namespace, thread_wait_s=wait_s
    )


@asynccontextmanager
async def _servers(
    store_dir: Path, redis_url: str, namespace: str, *, count: int, wait_s: float = 30.0
) -> AsyncIterator[list[Client]]:
    """`count` MCP servers of merchant `acme` on one Redis, each with its own crew and client."""
    async with AsyncExitStack() as stack:
        clients = []
        for _ in range(count):
            service = _service(store_dir, redis_url, namespace, wait_s=wait_s)
            server = build_mcp_server(service, merchant_id=MERCHANT)
            clients.append(await stack.enter_async_context(Client(server)))
        yield clients


async def _say(client: Client, conversation: str, text: str) -> Any:
    return await client.call_tool(
        "message_customer_service", {"conversation_id": conversation, "text": text}
    )


async def test_two_servers_given_one_conversation_at_once_keep_both_turns(
    store_dir: Path, shared: tuple[str, str]
) -> None:
    redis_url, namespace = shared
    texts = [f"Hi, my email is {EMAIL}.", "How long does shipping take?"]
    async with _servers(store_dir, redis_url, namespace, count=2) as (first, second):
        results = await asyncio.gather(
            _say(first, "c-lease", texts[0]), _say(second, "c-lease", texts[1])
        )
        assert [r.is_error for r in results] == [False, False]
        thread = await first.call_tool("get_conversation", {"conversation_id": "c-lease"})
    assert thread.structured_content is not None
    said = [
        (m["role"], m["content"])
        for m in thread.structured_content["messages"]
        if m["role"] in ("customer", "assistant") and m["content"]
    ]
    roles = [role for role, _ in said]
    customer = [text for role, text in said if role == "customer"]
    # one run after the other: each message answered before the next one is read
    assert sorted(customer) == sorted(texts)
    assert roles == ["customer", "assistant", "customer", "assistant"]


async def test_a_conversation_held_by_another_process_waits_then_says_busy(
    store_dir: Path, shared: tuple[str, str]
) -> None:
    redis_url, namespace = shared
    client = async_client(redis_url)
    lease = ThreadLease(client, namespace=namespace)
    try:
        async with _servers(store_dir, redis_url, namespace, count=1, wait_s=0.5) as (mcp,):
            async with lease.hold(
                MERCHANT, f"{MERCHANT}:cs:c-held", event_id="worker-run", wait_s=5
            ):
                held = await _say(mcp, "c-held", "How long does shipping take?")
            assert held.is_error
            assert "ThreadBusyError" in held.content[0].text  # type: ignore[union-attr]
            freed = await _say(mcp, "c-held", "How long does shipping take?")
            assert not freed.is_error
    finally:
        await client.aclose()
