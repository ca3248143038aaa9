"""Thread maintenance of `RedisSaver`: delete, delete by run, copy and prune (sync and async)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

from shopcrew.memory._redis import unavailable
from shopcrew.memory.saver import _scripts_admin as _scripts
from shopcrew.memory.saver._base import SaverBase
from shopcrew.memory.saver._core import Script
from shopcrew.memory.saver._keys import thread_index

__all__ = ["SaverAdmin"]

_DROP = Script.of(_scripts.DROP)
_SNAPSHOT, _RESTORE = Script.of(_scripts.SNAPSHOT), Script.of(_scripts.RESTORE)
_STRATEGIES = ("keep_latest", "delete")


class SaverAdmin(SaverBase):
    """Mixin of `RedisSaver` holding the maintenance methods of `BaseCheckpointSaver`."""

    def delete_thread(self, thread_id: str) -> None:
        """Delete every checkpoint, blob and write of a thread; no key of it is left."""
        self._forget(thread_id)
        with unavailable(self._server):
            pipe = self._sync().pipeline(transaction=not self._cluster)
            for key in self._keys(thread_id):  # cluster pipelines refuse multi-key DEL
                pipe.delete(key)
            pipe.zrem(thread_index(self.namespace), thread_id)
            pipe.execute()

    async def adelete_thread(self, thread_id: str) -> None:
        """Async twin of `delete_thread`."""
        if self._sync_only():
            return await asyncio.to_thread(self.delete_thread, thread_id)
        self._forget(thread_id)
        with unavailable(self._server):
            pipe = self._async().pipeline(transaction=not self._cluster)
            for key in self._keys(thread_id):  # cluster pipelines refuse multi-key DEL
                pipe.delete(key)
            pipe.zrem(thread_index(self.namespace), thread_id)
            await pipe.execute()

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        """Delete the checkpoints (and their writes) that the given runs created.

        Blobs stay while a remaining checkpoint still reaches them (list deltas included).
        """
        if not run_ids:
            return
        for tid in self._thread_ids():
            self._heads.forget_thread(tid)
            left = self._eval(_DROP, self._keys(tid), ["runs", str(self._ttl_ms), *run_ids])
            if int(left) == 0:
                self.delete_thread(tid)

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        """Async twin of `delete_for_runs`."""
        if self._sync_only():
            return await asyncio.to_thread(self.delete_for_runs, run_ids)
        if not run_ids:
            return
        for tid in await self._athread_ids():
            self._heads.forget_thread(tid)
            args = ["runs", str(self._ttl_ms), *run_ids]
            left = await self._aeval(_DROP, self._keys(tid), args)
            if int(left) == 0:
                await self.adelete_thread(tid)

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """Prune threads by `strategy`.

        `"keep_latest"` keeps the newest checkpoint of each checkpoint namespace, with its
        writes and every blob it reaches; `"delete"` deletes the threads.
        """
        _check_strategy(strategy)
        for tid in thread_ids:
            if strategy == "delete":
                self.delete_thread(tid)
            else:
                self._heads.forget_thread(tid)
                self._eval(_DROP, self._keys(tid), ["keep_latest", str(self._ttl_ms)])

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """Async twin of `prune`."""
        if self._sync_only():
            return await asyncio.to_thread(self.prune, thread_ids, strategy=strategy)
        _check_strategy(strategy)
        for tid in thread_ids:
            if strategy == "delete":
                await self.adelete_thread(tid)
            else:
                self._heads.forget_thread(tid)
                await self._aeval(_DROP, self._keys(tid), ["keep_latest", str(self._ttl_ms)])

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """Copy a thread, whole history included, replacing the target thread.

        Two Lua calls, each atomic: one DUMPs every key of the source (a consistent snapshot
        even while the source is written), one RESTOREs them as the target's keys. Values are
        copied server-side without deserializing them. On a Redis Cluster the two threads may
        live in different slots, which no single script can span; the snapshot then travels
        through the client, and the target still appears whole or not at all: a crash
        between the two calls leaves the target as it was.
        """
        dumps = self._eval(_SNAPSHOT, self._keys(source_thread_id), [])
        if all(d is None for d in dumps):
            return
        self._forget(target_thread_id)
        if self._cluster:
            self._index_sync(target_thread_id)
        args = _restore_args(target_thread_id, dumps, self._ttl_ms)
        self._eval(_RESTORE, self._keys(target_thread_id, index=True), args)

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """Async twin of `copy_thread`."""
        if self._sync_only():
            return await asyncio.to_thread(self.copy_thread, source_thread_id, target_thread_id)
        dumps = await self._aeval(_SNAPSHOT, self._keys(source_thread_id), [])
        if all(d is None for d in dumps):
            return
        self._forget(target_thread_id)
        if self._cluster:
            await self._index_async(target_thread_id)
        args = _restore_args(target_thread_id, dumps, self._ttl_ms)
        await self._aeval(_RESTORE, self._keys(target_thread_id, index=True), args)

    def _index_sync(self, thread_id: str, *, score: int | None = None) -> None:
        # Cluster: the namespace index lives in another slot, so it is written before the
        # thread's own script (idempotently, ZADD NX). A crash or an OOM refusal between the
        # two then lists an empty thread (nothing) rather than hiding a stored one; the other
        # order left a thread `list(None)` never showed.
        with unavailable(self._server):
            pipe = self._sync().pipeline(transaction=False)
            _index(pipe, thread_index(self.namespace), thread_id, self._ttl_ms, score)
            pipe.execute()

    async def _index_async(self, thread_id: str, *, score: int | None = None) -> None:
        with unavailable(self._server):
            pipe = self._async().pipeline(transaction=False)
            _index(pipe, thread_index(self.namespace), thread_id, self._ttl_ms, score)
            await pipe.execute()


def _check_strategy(strategy: str) -> None:
    if strategy not in _STRATEGIES:
        raise ValueError(f"unknown prune strategy {strategy!r}; use one of {_STRATEGIES}")


def _restore_args(thread_id: str, dumps: Sequence[bytes | None], ttl_ms: int) -> list[Any]:
    return [str(ttl_ms), thread_id, str(int(time.time() * 1000)), *(d or b"" for d in dumps)]


def _index(pipe: Any, index: str, thread_id: str, ttl_ms: int, score: int | None) -> None:
    at = int(time.time() * 1000) if score is None else score
    pipe.zadd(index, {thread_id: at}, nx=True)
    if ttl_ms:
        pipe.pexpire(index, ttl_ms)
