"""`RedisSaver`: a LangGraph checkpointer on plain Redis commands (6.2+, 7, 8, Valkey, Cluster).

Layout (all keys of one thread share the hash tag `{thread_id}`, see `_keys.ThreadKeys`):
a sorted set indexes the thread's checkpoints; hashes hold checkpoint records, channel
versions, channel blobs, list-delta links, run ids and pending writes. Each `put` is one
Lua script (atomic: a checkpoint and its blobs appear together or not at all) that writes
only the channels in `new_versions`, and list channels (`messages`) only as the items
appended since the version this saver last stored or read. `get_tuple` is one Lua script
that rebuilds list values from their delta chains server-side, and so is
`get_delta_channel_history` (LangGraph's `DeltaChannel`), which walks the parent chain there.
"""

from __future__ import annotations

import asyncio
import builtins
import functools
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

import redis.asyncio.cluster
import redis.cluster
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
)
from langgraph.checkpoint.serde.base import SerializerProtocol

from shopcrew.closing import Closing
from shopcrew.memory._redis import (
    AsyncClient,
    SyncClient,
    describe_client,
    parse_redis_url,
    sync_client,
)
from shopcrew.memory.saver import _scripts
from shopcrew.memory.saver._admin import SaverAdmin
from shopcrew.memory.saver._cache import HeadCache
from shopcrew.memory.saver._core import (
    ListQuery,
    PutPlan,
    Script,
    get_args,
    next_version,
    pick,
    plan_put,
    plan_writes,
    refused,
    stored_config,
)
from shopcrew.memory.saver._delta import SaverHistory
from shopcrew.memory.saver._io import async_link, sync_link

__all__ = ["RedisSaver"]

_PUT, _WRITES = Script.of(_scripts.PUT), Script.of(_scripts.PUT_WRITES)
_LOAD = Script.of(_scripts.LOAD)
_CLUSTER = (redis.cluster.RedisCluster, redis.asyncio.cluster.RedisCluster)


class RedisSaver(
    SaverAdmin,
    SaverHistory,
    BaseCheckpointSaver[str],
    Closing,
):
    """A LangGraph checkpointer storing each merchant's threads in Redis, sync and async.

    Args:
        client: A ready synchronous client (`redis.Redis` or `redis.cluster.RedisCluster`)
            used by the sync methods; the caller keeps ownership.
        aclient: A ready asyncio client used by the `a*` methods. With only `client`, the
            async methods run the sync ones in a worker thread.
        namespace: Key prefix, e.g. `"shopcrew:merchant-a"`; savers with different
            namespaces cannot see each other's threads.
        ttl: Seconds after the last write at which a thread's keys expire; `None` keeps them.
        serde: The serializer (LangGraph's default `JsonPlusSerializer` when `None`).

    Example:
        ```python
        with RedisSaver.from_url("redis://localhost:6379/0", namespace="shopcrew:acme") as saver:
            graph = builder.compile(checkpointer=saver)
        ```
    """

    def __init__(
        self,
        *,
        client: SyncClient | None = None,
        aclient: AsyncClient | None = None,
        namespace: str = "shopcrew",
        ttl: float | None = None,
        serde: SerializerProtocol | None = None,
    ) -> None:
        super().__init__(serde=serde)
        if client is None and aclient is None:
            raise ValueError("RedisSaver needs client= or aclient=; or use RedisSaver.from_url")
        if any(c in namespace for c in "{}\x00") or not namespace:
            raise ValueError(f"namespace {namespace!r} must be non-empty, without braces or NUL")
        self.namespace = namespace
        self._client, self._aclient = client, aclient
        self._link = sync_link(client) if client is not None else None
        self._alink = async_link(aclient) if aclient is not None else None
        self._owned = False
        self._async_url: str | None = None
        self._ttl_ms = int(ttl * 1000) if ttl else 0
        self._cluster = isinstance(client if client is not None else aclient, _CLUSTER)
        self._server = describe_client(client if client is not None else aclient)
        self._heads = HeadCache()
        self._indexed: set[str] = set()
        self._checked: set[str] = set()

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        namespace: str = "shopcrew",
        ttl: float | None = None,
        serde: SerializerProtocol | None = None,
    ) -> RedisSaver:
        """Connect to Redis by URL; the saver owns and closes its clients.

        Args:
            url: `redis://`, `rediss://`, `unix://`; for a cluster `redis+cluster://host:port`
                (or `?cluster=true`).
            namespace: Key prefix, usually `shopcrew:<merchant_id>`.
            ttl: Seconds after the last write at which a thread expires; `None` keeps it.
            serde: The serializer.
        """
        # The asyncio client is built on first async use, inside the caller's event loop.
        saver = cls(
            client=sync_client(url),
            namespace=namespace,
            ttl=ttl,
            serde=serde,
        )
        saver._owned = True
        saver._async_url = url
        saver._server = parse_redis_url(url).server
        return saver

    # -- reads ---------------------------------------------------------------------------

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """Fetch a checkpoint (without `checkpoint_id`, the latest); one script call."""
        tid, args, hints = get_args(config, self._heads)
        found = self._parse(tid, self._eval(_LOAD, self._keys(tid), args)[1:], hints)
        return pick(found, config)

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """Async twin of `get_tuple`."""
        if self._sync_only():
            return await asyncio.to_thread(self.get_tuple, config)
        tid, args, hints = get_args(config, self._heads)
        reply = await self._aeval(_LOAD, self._keys(tid), args)
        return pick(self._parse(tid, reply[1:], hints), config)

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        """List checkpoints newest first from the thread index (never SCAN).

        Args:
            config: Thread (and optionally `checkpoint_ns`, `checkpoint_id`) to list;
                `None` lists every thread of the namespace.
            filter: Metadata key/values a checkpoint must have.
            before: Only checkpoints with an id below this config's `checkpoint_id`.
            limit: At most this many tuples.
        """
        query = ListQuery(config, before, filter, limit)
        threads = query.threads if query.threads is not None else self._thread_ids()
        for tid in threads:
            offset = 0
            while query.wanted():
                reply = self._eval(_LOAD, self._keys(tid), query.args(offset))
                yield from query.take(self._parse(tid, reply[1:]))
                if query.done_with(int(reply[0])):
                    break
                offset += int(reply[0])
            if not query.wanted():
                return

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        """Async twin of `list`."""
        if self._sync_only():
            for item in await asyncio.to_thread(
                lambda: [*self.list(config, filter=filter, before=before, limit=limit)]
            ):
                yield item
            return
        query = ListQuery(config, before, filter, limit)
        threads = query.threads if query.threads is not None else await self._athread_ids()
        for tid in threads:
            offset = 0
            while query.wanted():
                reply = await self._aeval(_LOAD, self._keys(tid), query.args(offset))
                for item in query.take(self._parse(tid, reply[1:])):
                    yield item
                if query.done_with(int(reply[0])):
                    break
                offset += int(reply[0])
            if not query.wanted():
                return

    # -- writes --------------------------------------------------------------------------

    def _planner(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
        score: int,
    ) -> Callable[..., PutPlan]:
        """`plan_put` bound to one put's arguments; `check=`, and `full=True` after a refusal."""
        return functools.partial(
            plan_put,
            self.serde,
            self._heads,
            config,
            checkpoint,
            metadata,
            new_versions,
            ttl_ms=self._ttl_ms,
            score=score,
        )

    def _needs_index(self, tid: str) -> bool:
        # On a cluster the PUT script cannot touch the namespace index (another slot), so the
        # thread is indexed by a separate call before it (see `_index_sync`): once, or on
        # every put when a TTL is refreshed.
        return self._cluster and (tid not in self._indexed or bool(self._ttl_ms))

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Store a checkpoint and its changed channels atomically; one script call.

        The first write of a thread by this saver also checks that the thread's keys hold
        the types it writes (`KeyTypeError` otherwise, nothing written).
        """
        tid = str(config["configurable"]["thread_id"])
        keys, score = self._keys(tid, index=True), int(time.time() * 1000)
        if self._needs_index(tid):
            self._index_sync(tid, score=score)
            self._indexed.add(tid)
        build = self._planner(config, checkpoint, metadata, new_versions, score)
        plan = build(check=tid not in self._checked)
        if refused(self._write(tid, _PUT, keys, plan.args)):
            plan = build(check=False, full=True)
            self._eval(_PUT, keys, plan.args)
        for key, head in plan.heads.items():
            self._heads.remember(key, head)
        return stored_config(config, checkpoint)

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Async twin of `put`."""
        if self._sync_only():
            return await asyncio.to_thread(self.put, config, checkpoint, metadata, new_versions)
        tid = str(config["configurable"]["thread_id"])
        keys, score = self._keys(tid, index=True), int(time.time() * 1000)
        if self._needs_index(tid):
            await self._index_async(tid, score=score)
            self._indexed.add(tid)
        build = self._planner(config, checkpoint, metadata, new_versions, score)
        plan = build(check=tid not in self._checked)
        if refused(await self._awrite(tid, _PUT, keys, plan.args)):
            plan = build(check=False, full=True)
            await self._aeval(_PUT, keys, plan.args)
        for key, head in plan.heads.items():
            self._heads.remember(key, head)
        return stored_config(config, checkpoint)

    def _writes_args(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str,
    ) -> tuple[str, builtins.list[str | bytes]]:
        tid = str(config["configurable"]["thread_id"])
        check = tid not in self._checked
        args = plan_writes(
            self.serde, config, writes, task_id, task_path, ttl_ms=self._ttl_ms, check=check
        )
        return tid, args

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """Store a task's pending writes on a checkpoint; one script call."""
        tid, args = self._writes_args(config, writes, task_id, task_path)
        self._write(tid, _WRITES, self._keys(tid), args)

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """Async twin of `put_writes`."""
        if self._sync_only():
            return await asyncio.to_thread(self.put_writes, config, writes, task_id, task_path)
        tid, args = self._writes_args(config, writes, task_id, task_path)
        await self._awrite(tid, _WRITES, self._keys(tid), args)

    def get_next_version(self, current: str | None, channel: None) -> str:
        """Next channel version: a zero-padded counter with a random tiebreak (sortable)."""
        return next_version(current)
