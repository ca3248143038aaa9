"""A worker on a platform's MCP adapters while the platform's server disappears mid-event."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from langchain_core.messages import ToolMessage
from redis import Redis
from support.platform_server import PlatformServer

from shopcrew.tools.mcp import build_mcp_adapters
from shopcrew.workers import EventQueue
from tests.workers.conftest import Cancellation, WorkerProcess, processed_count, wait_processed
from tests.workers.test_worker_faults import _thread_messages

Start = Callable[..., WorkerProcess]


@pytest.mark.slow  # a worker process and a platform server process
def test_a_platform_gone_mid_event_fails_it_cleanly_and_a_retry_completes_it_once(
    client: Redis,
    queue: EventQueue,
    redis_url: str,
    namespace: str,
    workers: Start,
    cancellations: list[Cancellation],
    tau_dir: Path,
    tmp_path: Path,
) -> None:
    platform = PlatformServer(tmp_path, tau_dir / "db")
    try:
        # The platform vanishes when the cancellation reaches it: the event is in hand.
        url = platform.start("--exit-before", "order_cancel")
        target = cancellations[6]
        worker = workers(redis_url, namespace, "--platform-mcp", url, "--max-attempts", "12")
        sent = [queue.enqueue(m) for m in target.messages("mcp1")]
        assert platform.wait_exit() == 75
        failed = worker.wait_line("PlatformUnavailableError")
        assert url in failed and "order_cancel" in failed
        assert platform.journaled() == []  # nothing half-written
        assert [p.stream_id for p in queue.processed()] == sent[:1]

        platform.restart()  # the worker's next attempt finds it back
        wait_processed(client, queue, processed_count(2), "the retried event")
        assert worker.terminate() == 0

        assert [p.stream_id for p in queue.processed()] == sent
        assert queue.pending() == 0 and queue.dead_letters() == []
        assert platform.journaled() == ["order_cancel"]
        _, orders, _ = build_mcp_adapters(url)
        assert orders.get_order(target.order_id).status == "cancelled"
        messages = _thread_messages(redis_url, namespace, "mcp1")
        cancels = [
            m for m in messages if isinstance(m, ToolMessage) and m.name == "cancel_pending_order"
        ]
        assert len(cancels) == 1 and cancels[0].status == "success"
        assert messages[-1].text.startswith("Done")
    finally:
        platform.stop()
