"""One run per thread: a request waits for the run holding its thread, then gets a 503."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from redis import Redis

from shopcrew.errors import ThreadBusyError
from shopcrew.service.threads import ThreadGate
from shopcrew.workers import StreamKeys
from tests.service.conftest import Service

EMAIL = "amelia.wilson1598@example.com"


async def test_a_thread_busy_in_this_process_refuses_another_run_after_the_wait() -> None:
    gate = ThreadGate(lease=None, wait_s=0.05)
    async with gate.hold("acme", "acme:cs:c1", run_id="r1"):
        with pytest.raises(ThreadBusyError) as busy:
            async with gate.hold("acme", "acme:cs:c1", run_id="r2"):
                pytest.fail("two runs of one thread at once")
        async with gate.hold("acme", "acme:cs:c2", run_id="r3"):
            pass  # another thread is not held up
    assert (busy.value.thread_id, busy.value.retry_after) == ("acme:cs:c1", 1)
    async with gate.hold("acme", "acme:cs:c1", run_id="r4"):
        pass


async def test_a_thread_leased_elsewhere_gets_503_with_retry_after_and_runs_nothing(
    make_service: Callable[..., Service], redis_url: str, namespace: str
) -> None:
    service = make_service("redis", thread_wait_s=0.2)
    lease = StreamKeys(namespace, "acme").lease("acme:cs:c1")
    message = {"id": "m-1", "text": f"Hi, I am {EMAIL}."}
    with Redis.from_url(redis_url) as client:
        client.set(lease, "a-worker:token", px=30_000)  # a worker (or another server) runs it
        async with service.client(service.key("acme")) as http:
            busy = await http.post("/v1/conversations/c1/messages", json=message)
            assert busy.status_code == 503
            assert busy.json()["error"]["type"] == "ThreadBusyError"
            assert 1 <= int(busy.headers["Retry-After"]) <= 30
            assert (await http.get("/v1/conversations/c1")).status_code == 404
            client.delete(lease)
            done = await http.post("/v1/conversations/c1/messages", json=message)
            assert done.status_code == 200, done.text
        assert client.get(lease) is None  # released after the run
