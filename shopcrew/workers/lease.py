"""`ThreadLease`: a thread's lease taken from asyncio code (the HTTP service), as workers do."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import uuid4

from shopcrew.errors import ThreadBusyError
from shopcrew.memory._redis import AsyncClient, describe_client, unavailable
from shopcrew.workers._keys import StreamKeys
from shopcrew.workers._scripts import RELEASE, RENEW
from shopcrew.workers.ledger import EffectScope

__all__ = ["DEFAULT_LEASE_MS", "ThreadLease"]

logger = logging.getLogger(__name__)

DEFAULT_LEASE_MS = 15_000
"""How long a lease lives without renewal: a process that dies frees its threads after this."""

_POLL_S = (0.005, 0.2)
"""The first and the longest pause between two attempts to take a held lease."""


class ThreadLease:
    """Takes threads' leases, the same keys and tokens the workers use, from asyncio code.

    A worker takes a thread's lease when an event heads the thread's queue (`BEGIN`); a server
    that runs a thread outside the queue takes the same key with `SET NX PX`. So two servers,
    or a server and a worker, never run one thread at once. While the lease is held a task
    renews it (`RENEW`); it is released at the end only if still ours (`RELEASE`), and expires
    by itself when the holder dies.

    Args:
        client: The asyncio Redis client (the caller keeps it).
        namespace: Key prefix of the deployment.
        lease_ms: The lease's time to live; renewed every third of it while held.
    """

    def __init__(
        self, client: AsyncClient, *, namespace: str, lease_ms: int = DEFAULT_LEASE_MS
    ) -> None:
        if lease_ms < 100:
            raise ValueError(f"lease_ms must be at least 100, got {lease_ms}")
        self.client, self.namespace, self.lease_ms = client, namespace, lease_ms
        self._server = describe_client(client)
        self._renew = client.register_script(RENEW)
        self._release = client.register_script(RELEASE)

    @asynccontextmanager
    async def hold(
        self, merchant_id: str, thread_id: str, *, event_id: str, wait_s: float
    ) -> AsyncIterator[EffectScope]:
        """Hold the thread's lease inside the block, waiting up to `wait_s` to take it.

        Yields:
            The scope to run the event in (`effect_scope`): shared-state writes made meanwhile
            are refused once the lease is lost.

        Raises:
            ThreadBusyError: Another process held the lease for all of `wait_s`.
        """
        key = StreamKeys(self.namespace, merchant_id).lease(thread_id)
        token = f"serve:{uuid4().hex}"
        await self._take(key, token, thread_id, wait_s)
        renewing = asyncio.create_task(self._keep(key, token))
        try:
            yield EffectScope(event_id, key, token)
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
            try:
                with unavailable(self._server):
                    await self._release(keys=[key], args=[token], client=self.client)
            except Exception as exc:  # it expires by itself; the run's outcome stands
                logger.warning("lease %s not released (%s); it expires", key, exc)

    async def _take(self, key: str, token: str, thread_id: str, wait_s: float) -> None:
        deadline = time.monotonic() + wait_s
        pause = _POLL_S[0]
        while True:
            with unavailable(self._server):
                if await self.client.set(key, token, nx=True, px=self.lease_ms):
                    return
            left = deadline - time.monotonic()
            if left <= 0:
                with unavailable(self._server):
                    ttl_ms = await self.client.pttl(key)
                retry_after = max(1, -(-max(int(ttl_ms), 0) // 1000))
                raise ThreadBusyError(thread_id, waited=wait_s, retry_after=retry_after)
            await asyncio.sleep(min(pause, left))
            pause = min(pause * 2, _POLL_S[1])

    async def _keep(self, key: str, token: str) -> None:
        """Renew the lease until cancelled; a lost lease is logged (its writes are fenced)."""
        while True:
            await asyncio.sleep(self.lease_ms / 3000)
            try:
                renewed = await self._renew(
                    keys=[key], args=[token, self.lease_ms], client=self.client
                )
            except Exception as exc:  # keep trying: the run fails on its own if Redis is gone
                logger.debug("renewing lease %s failed: %s", key, exc)
                continue
            if not renewed:
                logger.warning("lease %s lost while its run goes on; its writes are refused", key)
                return
