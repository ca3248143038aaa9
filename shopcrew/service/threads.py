"""`ThreadGate`: one run per thread at a time, in this process and across servers and workers."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from shopcrew.errors import ThreadBusyError
from shopcrew.memory._redis import AsyncClient
from shopcrew.service.results import FirstResults
from shopcrew.workers import ThreadLease, effect_scope

__all__ = ["DEFAULT_THREAD_WAIT_S", "ThreadGate", "thread_ordering"]

DEFAULT_THREAD_WAIT_S = 30.0
"""How long a request waits for another run of its thread before a 503 with Retry-After."""


class ThreadGate:
    """Lets one run of a thread in at a time; the others wait, up to `wait_s`.

    In process, a lock per thread orders the requests this server holds; with Redis the
    thread's lease (`ThreadLease`, the key workers take) orders them across servers and
    workers, and the shared-state writes of the run are fenced by it (`effect_scope`).

    Args:
        lease: The Redis lease of threads; None: only this process is ordered.
        wait_s: How long a request waits before `ThreadBusyError`.
    """

    def __init__(self, *, lease: ThreadLease | None, wait_s: float = DEFAULT_THREAD_WAIT_S) -> None:
        if wait_s <= 0:
            raise ValueError(f"wait_s must be positive, got {wait_s}")
        self.lease, self.wait_s = lease, wait_s
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    @asynccontextmanager
    async def hold(self, merchant_id: str, thread_id: str, *, run_id: str) -> AsyncIterator[None]:
        """Run the block as the only run of the thread; `run_id` keys its shared writes.

        Raises:
            ThreadBusyError: The thread stayed busy for `wait_s` (the service answers 503).
        """
        lock = self._locks.get(thread_id)
        if lock is None:
            lock = self._locks[thread_id] = asyncio.Lock()
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.wait_s):
                await lock.acquire()
        except TimeoutError:
            raise ThreadBusyError(thread_id, waited=self.wait_s) from None
        try:
            if self.lease is None:
                yield
                return
            left = max(self.wait_s - (time.monotonic() - started), 0.0)
            async with self.lease.hold(
                merchant_id, thread_id, event_id=run_id, wait_s=left
            ) as scope:
                with effect_scope(scope):
                    yield
        finally:
            lock.release()


def thread_ordering(
    client: AsyncClient | None, *, namespace: str, wait_s: float = DEFAULT_THREAD_WAIT_S
) -> tuple[ThreadGate, FirstResults]:
    """The gate and first-results store every front end of a deployment shares.

    With a Redis client, runs of one thread are ordered by the thread's lease (the key
    `shopcrew serve`, `shopcrew mcp` and the workers all take) and a request id already
    answered returns its first result on any process; without, in this process only.

    Args:
        client: The asyncio Redis client (the caller keeps and closes it), or None.
        namespace: Key prefix of the deployment.
        wait_s: How long a run waits for its thread before `ThreadBusyError`.
    """
    lease = ThreadLease(client, namespace=namespace) if client is not None else None
    return ThreadGate(lease=lease, wait_s=wait_s), FirstResults(client, namespace=namespace)
