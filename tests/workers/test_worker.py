"""One worker in this process: order per thread, leases, dead letters, effects once."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.types import Command
from redis import Redis

from shopcrew.graphs.events import CustomerMessage, OrderEvent
from shopcrew.models import resolve_model
from shopcrew.tools.adapters import Adapters
from shopcrew.workers import EventQueue, Lane, SharedRetailStore, Worker, WorkerSettings, open_lane
from tests.workers.conftest import MERCHANT, Cancellation

FAST = WorkerSettings(min_idle_ms=1500, lease_ms=3000, block_ms=100, retry_delay_s=0.05)


class FailingOrders:
    """An order adapter whose reads of one order fail: a poison event for that order."""

    def __init__(self, inner: Any, poison: str) -> None:
        self._inner, self._poison = inner, poison

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def get_order(self, order_id: str) -> Any:
        if order_id == self._poison:
            raise RuntimeError(f"order backend timed out reading {order_id}")
        return self._inner.get_order(order_id)


@pytest.fixture
def lane(redis_url: str, namespace: str) -> Iterator[Lane]:
    opened = open_lane(
        redis_url, model=resolve_model("rules"), merchant_id=MERCHANT, namespace=namespace
    )
    yield opened
    opened.close()


def _messages(lane: Lane, conversation: str) -> list[Any]:
    config: Any = {"configurable": {"thread_id": f"{MERCHANT}:cs:{conversation}"}}
    return list(lane.crew.get_state(config).values["messages"])


def _store(client: Redis, queue: EventQueue, tau_dir: Path) -> SharedRetailStore:
    store = SharedRetailStore.load(tau_dir / "db", merchant_id=MERCHANT)
    store.bind(client, queue.keys)
    return store


def test_a_cancellation_runs_in_order_and_applies_once(
    client: Redis,
    queue: EventQueue,
    lane: Lane,
    cancellations: list[Cancellation],
    tau_dir: Path,
) -> None:
    target = cancellations[0]
    sent = [queue.enqueue(m) for m in target.messages("c1")]
    sent.append(queue.enqueue(CustomerMessage(conversation_id="c1", text="Thanks!")))
    stats = Worker(client, [lane], settings=FAST).run(max_events=3)
    assert (stats.processed, stats.dead_lettered) == (3, 0)
    assert [p.stream_id for p in queue.processed()] == sent
    [effect] = queue.effects()
    assert effect["op"] == "cancel_order"
    assert f"orders:{target.order_id}" in effect["targets"].split(",")
    order = _store(client, queue, tau_dir).get("orders", target.order_id)
    assert order is not None and order["status"] == "cancelled"
    humans = [m.text for m in _messages(lane, "c1") if isinstance(m, HumanMessage)]
    assert humans == [m.text for m in target.messages("c1")] + ["Thanks!"]
    assert queue.pending() == 0


def test_invalid_events_go_to_the_dead_letter_stream_at_once(
    client: Redis, queue: EventQueue, lane: Lane
) -> None:
    not_json = client.xadd(queue.keys.stream, {"event": "{not json", "thread": "x"}).decode()
    bad = json.dumps({"kind": "order_event", "order_id": "#W1", "status": "lost"})
    bad_status = client.xadd(queue.keys.stream, {"event": bad, "thread": "x"}).decode()
    good = json.loads(OrderEvent(order_id="#W1", status="paid").model_dump_json())
    unqueued = client.xadd(queue.keys.stream, {"event": json.dumps(good), "thread": "t"}).decode()
    stats = Worker(client, [lane], settings=FAST).run(max_events=3)
    assert (stats.processed, stats.dead_lettered) == (0, 3)
    dead = {d.stream_id: d for d in queue.dead_letters()}
    assert sorted(dead) == sorted([not_json, bad_status, unqueued])
    assert dead[not_json].error.startswith("invalid event: Expecting property name")
    assert "status: Input should be 'paid', 'shipped', 'delivered' or 'refund_requested'" in (
        dead[bad_status].error
    )
    assert "add events with EventQueue.enqueue" in dead[unqueued].error
    assert {d.attempts for d in dead.values()} == {0}
    assert dead[bad_status].event == bad
    assert queue.pending() == 0


def test_a_poison_event_is_dead_lettered_after_max_attempts_while_others_run(
    client: Redis,
    queue: EventQueue,
    redis_url: str,
    namespace: str,
    cancellations: list[Cancellation],
) -> None:
    target = cancellations[1]

    def poisoned(adapters: Adapters) -> Adapters:
        return dataclasses.replace(adapters, orders=FailingOrders(adapters.orders, target.order_id))

    lane = open_lane(
        redis_url,
        model=resolve_model("rules"),
        merchant_id=MERCHANT,
        namespace=namespace,
        adapters=poisoned,
    )
    try:
        poison = queue.enqueue(target.messages("c2")[0])
        after = queue.enqueue(CustomerMessage(conversation_id="c2b", text="Hello"))
        settings = dataclasses.replace(FAST, max_attempts=3)
        stats = Worker(client, [lane], settings=settings).run(max_events=2)
    finally:
        lane.close()
    assert (stats.processed, stats.dead_lettered, stats.retried) == (1, 1, 2)
    [dead] = queue.dead_letters()
    assert dead.stream_id == poison
    assert dead.error == (
        f"gave up after 3 attempts: RuntimeError: order backend timed out reading {target.order_id}"
    )
    assert (dead.attempts, dead.deliveries) == (3, 1)
    assert [p.stream_id for p in queue.processed()] == [after]
    assert client.hlen(queue.keys.attempts) == 0
    assert queue.effects() == []


def test_an_event_waits_for_its_thread_lease_and_for_the_earlier_event_of_its_thread(
    client: Redis, queue: EventQueue, lane: Lane, cancellations: list[Cancellation]
) -> None:
    target = cancellations[2]
    first, second = (queue.enqueue(m) for m in target.messages("c3"))
    other = queue.enqueue(CustomerMessage(conversation_id="c4", text="Hello"))
    # A worker that vanished holds the first event, and the thread's lease.
    client.xgroup_create(queue.keys.stream, "crew", id="0")
    ghost: Any = client.xreadgroup("crew", "ghost", {queue.keys.stream: ">"}, count=1)
    assert ghost[0][1][0][0].decode() == first
    client.set(queue.keys.lease(f"{MERCHANT}:cs:c3"), "ghost-token", px=2000)
    worker = Worker(client, [lane], settings=FAST)
    stats = worker.run(max_events=3)
    assert stats.processed == 3
    assert stats.deferred > 0
    order = [p.stream_id for p in queue.processed()]
    assert order.index(first) < order.index(second)
    assert order[0] == other
    messages = _messages(lane, "c3")
    cancels = [
        m for m in messages if isinstance(m, ToolMessage) and m.name == "cancel_pending_order"
    ]
    assert len(cancels) == 1
    assert isinstance(messages[-1], AIMessage)
    assert len(queue.effects()) == 1


def test_every_key_is_namespaced_by_merchant(
    client: Redis, namespace: str, redis_url: str, lane: Lane
) -> None:
    mine = EventQueue(client, merchant_id=MERCHANT, namespace=namespace)
    theirs = EventQueue(client, merchant_id="m2", namespace=namespace)
    mine.enqueue(CustomerMessage(conversation_id="c5", text="Hello"))
    theirs.enqueue(CustomerMessage(conversation_id="c5", text="Hello"))
    stats = Worker(client, [lane], settings=FAST).run(max_events=1)
    assert stats.processed == 1
    assert theirs.length() == 1 and theirs.processed() == [] and theirs.pending() == 0
    keys = [k.decode() for k in client.scan_iter(f"*{namespace}*", count=1000)]
    assert keys
    for key in keys:
        assert f"{namespace}:{MERCHANT}" in key or f"{namespace}:m2" in key, key
    theirs_keys = sorted(k for k in keys if f"{namespace}:m2" in k)
    assert theirs_keys == sorted([theirs.keys.stream, theirs.keys.queue("m2:cs:c5")])


def test_a_message_to_an_escalated_conversation_keeps_it_waiting_for_a_person(
    client: Redis, queue: EventQueue, lane: Lane
) -> None:
    ask = CustomerMessage(conversation_id="e1", text="I want to talk to a real person please.")
    later = CustomerMessage(conversation_id="e1", text="Hello? Is anyone there?")
    queue.enqueue(ask)
    queue.enqueue(later)
    stats = Worker(client, [lane], settings=FAST).run(max_events=2)
    assert (stats.processed, stats.dead_lettered) == (2, 0)
    config: Any = {"configurable": {"thread_id": f"{MERCHANT}:cs:e1"}}
    snapshot = lane.crew.get_state(config)
    [waiting] = snapshot.interrupts
    assert (waiting.value["status"], waiting.value["thread_id"]) == ("open", f"{MERCHANT}:cs:e1")
    customer = [m.id for m in _messages(lane, "e1") if isinstance(m, HumanMessage)]
    assert customer == [ask.id, later.id]
    resume = {waiting.id: {"reply": "Ana here, sorry for the wait."}}
    done = lane.crew.invoke(Command(resume=resume), config)
    assert done["escalation"] == {**waiting.value, "status": "resolved"}
    assert done["messages"][-1].text == "Ana here, sorry for the wait."
