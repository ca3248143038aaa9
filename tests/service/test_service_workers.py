"""The service beside workers on one Redis: escalations a worker raised are listed and resumed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest
from redis import Redis

from shopcrew.graphs.events import CustomerMessage
from shopcrew.models import resolve_model
from shopcrew.workers import EventQueue, Lane, Worker, WorkerSettings, open_lane
from tests.service.conftest import Service

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
