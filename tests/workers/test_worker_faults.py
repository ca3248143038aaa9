"""Worker processes under faults: SIGKILL mid-effect, SIGTERM, a restarted Redis, two at once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, ToolMessage
from redis import Redis

from shopcrew.graphs.events import CustomerMessage
from shopcrew.memory import RedisSaver
from shopcrew.workers import EventQueue, SharedRetailStore
from tests.workers.conftest import (
    MERCHANT,
    Cancellation,
    RedisProcess,
    WorkerProcess,
    free_port,
    processed_count,
    wait_processed,
)

Start = Callable[..., WorkerProcess]


def _thread_messages(url: str, namespace: str, conversation: str) -> list[Any]:
    config: Any = {"configurable": {"thread_id": f"{MERCHANT}:cs:{conversation}"}}
    with RedisSaver.from_url(url, namespace=f"{namespace}:{MERCHANT}") as saver:
        found = saver.get_tuple(config)
    assert found is not None
    return list(found.checkpoint["channel_values"]["messages"])


def _status(client: Redis, queue: EventQueue, tau_dir: Path, order_id: str) -> str:
    store = SharedRetailStore.load(tau_dir / "db", merchant_id=MERCHANT)
    store.bind(client, queue.keys)
    order = store.get("orders", order_id)
    assert order is not None
    return str(order["status"])


def _cancel_effects(queue: EventQueue, order_id: str) -> list[dict[str, str]]:
    return [
        e
        for e in queue.effects()
        if e["op"] == "cancel_order" and f"orders:{order_id}" in e["targets"].split(",")
    ]


@pytest.mark.slow  # worker processes
def test_a_worker_killed_after_its_write_leaves_the_event_to_another_that_does_not_repeat_it(
    client: Redis,
    queue: EventQueue,
    redis_url: str,
    namespace: str,
    workers: Start,
    cancellations: list[Cancellation],
    tau_dir: Path,
) -> None:
    target = cancellations[3]
    first = workers(redis_url, namespace, "--pause-after-cancel")
    sent = [queue.enqueue(m) for m in target.messages("k1")]
    first.wait_line("paused: committed")  # the cancellation is written
    first.kill()
    assert _status(client, queue, tau_dir, target.order_id) == "cancelled"
    assert [p.stream_id for p in queue.processed()] == sent[:1]
    assert queue.pending() == 1

    second = workers(redis_url, namespace)
    wait_processed(client, queue, processed_count(2), "the second worker to finish the event")
    assert second.terminate() == 0

    processed = queue.processed()
    assert [p.stream_id for p in processed] == sent
    assert processed[1].consumer != processed[0].consumer
    assert "resuming from checkpoint" in second.output()
    assert len(_cancel_effects(queue, target.order_id)) == 1
    assert _status(client, queue, tau_dir, target.order_id) == "cancelled"
    assert queue.pending() == 0 and queue.dead_letters() == []
    messages = _thread_messages(redis_url, namespace, "k1")
    cancels = [
        m for m in messages if isinstance(m, ToolMessage) and m.name == "cancel_pending_order"
    ]
    # One call, re-run once: the write's idempotency record gives back the first run's result,
    # so the customer is told it is done and nothing ran twice.
    assert len(cancels) == 1
    assert messages[-1].text.startswith("Done")


@pytest.mark.slow  # worker processes
def test_sigterm_finishes_the_event_in_hand_and_exits_0(
    client: Redis,
    queue: EventQueue,
    redis_url: str,
    namespace: str,
    workers: Start,
    cancellations: list[Cancellation],
) -> None:
    target = cancellations[4]
    # The cancellation waits, once started, until SIGTERM arrives: the event is in hand.
    worker = workers(redis_url, namespace, "--pause-before-cancel")
    sent = [queue.enqueue(m) for m in target.messages("k2")]
    later = queue.enqueue(CustomerMessage(conversation_id="k3", text="Hello"))
    worker.wait_line("paused: entered")
    assert worker.terminate() == 0
    done = [p.stream_id for p in queue.processed()]
    assert done[: len(sent)] == sent
    assert len(_cancel_effects(queue, target.order_id)) == 1
    assert "stopped processed=" in worker.output()
    if later not in done:
        # Handed back: another worker takes it at once, without waiting for min-idle.
        taker = workers(redis_url, namespace, "--timing-ms", "600000")
        wait_processed(
            client, queue, lambda done: later in [p.stream_id for p in done], "the hand-over"
        )
        assert taker.terminate() == 0
    assert queue.pending() == 0


@pytest.mark.slow  # a worker process and a redis-server
def test_no_event_is_lost_when_redis_restarts_with_aof(
    tmp_path: Path, workers: Start, cancellations: list[Cancellation]
) -> None:
    server = RedisProcess(tmp_path, free_port(), "--appendonly", "yes", "--appendfsync", "always")
    server.start()
    try:
        with Redis.from_url(server.url) as client:
            queue = EventQueue(client, merchant_id=MERCHANT, namespace="restart")
            worker = workers(server.url, "restart")
            sent = [
                queue.enqueue(CustomerMessage(conversation_id=f"r{i % 5}", text=f"Hello {i}"))
                for i in range(10)
            ]
            wait_processed(client, queue, processed_count(3), "some events to be processed")
            server.stop()
            server.start()
            sent += [
                queue.enqueue(CustomerMessage(conversation_id=f"r{i % 5}", text=f"Hello {i}"))
                for i in range(10, 20)
            ]
            wait_processed(client, queue, processed_count(20), "every event to be processed")
            assert worker.terminate() == 0
            processed = [p.stream_id for p in queue.processed()]
            assert sorted(processed) == sorted(sent)
            assert queue.dead_letters() == [] and queue.pending() == 0
            for conversation in range(5):
                humans = [
                    m.text
                    for m in _thread_messages(server.url, "restart", f"r{conversation}")
                    if isinstance(m, HumanMessage)
                ]
                assert humans == [f"Hello {i}" for i in range(conversation, 20, 5)]
    finally:
        server.stop()


@pytest.mark.slow  # worker processes
def test_two_workers_keep_each_conversation_in_order(
    client: Redis, queue: EventQueue, redis_url: str, namespace: str, workers: Start
) -> None:
    started = [workers(redis_url, namespace) for _ in range(2)]
    sent = [
        queue.enqueue(CustomerMessage(conversation_id=f"o{i % 4}", text=f"Hi {i}"))
        for i in range(24)
    ]
    wait_processed(client, queue, processed_count(24), "every event to be processed")
    assert [w.terminate() for w in started] == [0, 0]
    processed = queue.processed()
    assert sorted(p.stream_id for p in processed) == sorted(sent)
    assert Counter(p.event_id for p in processed).most_common(1)[0][1] == 1
    for conversation in range(4):
        humans = [
            m.text
            for m in _thread_messages(redis_url, namespace, f"o{conversation}")
            if isinstance(m, HumanMessage)
        ]
        assert humans == [f"Hi {i}" for i in range(conversation, 24, 4)]
