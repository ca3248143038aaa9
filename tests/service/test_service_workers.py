"""The service beside workers on one Redis: escalations a worker raised are listed and resumed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis import Redis

from shopcrew.graphs.events import CustomerMessage
from shopcrew.models import resolve_model
from shopcrew.service import create_app
from shopcrew.service.keys import RedisApiKeyStore
from shopcrew.workers import (
    EventQueue,
    Lane,
    StreamKeys,
    Worker,
    WorkerSettings,
    open_lane,
    shared_adapters,
)
from tests.service.conftest import Service
from tests.workers.conftest import pending_orders

MERCHANT = "acme"
FAST = WorkerSettings(min_idle_ms=1500, lease_ms=3000, block_ms=100, retry_delay_s=0.05)


@pytest.fixture
def lane(redis_url: str, namespace: str) -> Iterator[Lane]:
    """The merchant's worker lane, on the Redis and namespace the service uses."""
    opened = open_lane(
        redis_url, model=resolve_model("rules"), merchant_id=MERCHANT, namespace=namespace
    )
    yield opened
    opened.close()


@pytest.fixture
def client(redis_url: str) -> Iterator[Redis]:
    with Redis.from_url(redis_url) as redis:
        yield redis


async def _work(client: Redis, lane: Lane, namespace: str, *messages: CustomerMessage) -> None:
    """Enqueue the messages and let a worker of the merchant's lane run them."""
    queue = EventQueue(client, merchant_id=MERCHANT, namespace=namespace)
    for message in messages:
        queue.enqueue(message)
    worker = Worker(client, [lane], settings=FAST)
    stats = await asyncio.to_thread(worker.run, max_events=len(messages))
    assert (stats.processed, stats.dead_lettered) == (len(messages), 0)


async def test_an_escalation_a_worker_raised_is_listed_and_resumed_by_the_service(
    make_service: Callable[..., Service], client: Redis, lane: Lane, namespace: str
) -> None:
    service = make_service("redis")
    ask = CustomerMessage(conversation_id="w1", text="I want to talk to a real person please.")
    await _work(client, lane, namespace, ask)
    async with service.client(service.key(MERCHANT)) as http:
        [listed] = (await http.get("/v1/escalations")).json()["escalations"]
        assert (listed["thread_id"], listed["conversation_id"]) == (f"{MERCHANT}:cs:w1", "w1")
        assert listed["waiting"] is True
        state = (await http.get("/v1/conversations/w1")).json()
        assert [i["id"] for i in state["interrupts"]] == [listed["interrupt_id"]]
        later = CustomerMessage(conversation_id="w1", text="Hello? Anyone?")
        await _work(client, lane, namespace, later)
        [still] = (await http.get("/v1/escalations")).json()["escalations"]
        assert (still["id"], still["waiting"]) == (listed["id"], True)
        state = (await http.get("/v1/conversations/w1")).json()
        assert [i["id"] for i in state["interrupts"]] == [still["interrupt_id"]]
        assert still["interrupt_id"] != listed["interrupt_id"]
        assert [m["id"] for m in still["customer_messages"]] == [later.id]
        reply = {"reply": "Ana here, how can I help?", "by": "ana"}
        done = await http.post(f"/v1/escalations/{listed['id']}/resume", json=reply)
        assert done.status_code == 200, done.text
        assert done.json()["escalation"]["ticket"]["status"] == "resolved"
        assert done.json()["run"]["reply"] == "Ana here, how can I help?"
        assert (await http.get("/v1/escalations")).json() == {"escalations": []}


async def test_the_service_and_the_workers_share_the_merchants_orders(
    client: Redis, lane: Lane, redis_url: str, namespace: str, tau_dir: Path
) -> None:
    # No adapters given: with Redis the service works on the merchant's shared state.
    keys = RedisApiKeyStore.from_url(redis_url, namespace=namespace)
    model = resolve_model("rules")

    def app(**options: Any) -> Any:
        return create_app(
            model=model, keys=keys, redis_url=redis_url, namespace=namespace, **options
        )

    first, second = pending_orders(tau_dir)[:2]
    served = app(max_crews=1)
    key = keys.create(MERCHANT).key
    transport = httpx.ASGITransport(app=served)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://shopcrew", headers=headers
    ) as http:
        for message in first.messages("s1"):
            reply = await http.post("/v1/conversations/s1/messages", json={"text": message.text})
            assert reply.status_code == 200, reply.text
        shared = shared_adapters(client, StreamKeys(namespace, MERCHANT)).orders
        assert shared.get_order(first.order_id).status == "cancelled"
        # Another merchant's request drops acme's crew; the order stays cancelled.
        other = {"Authorization": f"Bearer {keys.create('globex').key}"}
        assert (
            await http.post("/v1/events", json={"kind": "audit_tick"}, headers=other)
        ).is_success
    await served.state.crews.aclose()
    # A worker of the merchant cancels another order, on the same state.
    await _work(client, lane, namespace, *second.messages("w2"))
    orders = shared_adapters(client, StreamKeys(namespace, MERCHANT)).orders
    assert [orders.get_order(o.order_id).status for o in (first, second)] == ["cancelled"] * 2
    # A service started afresh (a restart) reads both, through a conversation.
    restarted = app()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=restarted), base_url="http://shopcrew", headers=headers
    ) as http:
        for n, cancelled in enumerate((first, second)):
            text = f"Hi, I am {cancelled.email}. Status of order {cancelled.order_id}?"
            status = await http.post(f"/v1/conversations/r{n}/messages", json={"text": text})
            assert f"Order {cancelled.order_id} is cancelled" in status.json()["reply"]
    await restarted.state.crews.aclose()
    await keys.aclose()
