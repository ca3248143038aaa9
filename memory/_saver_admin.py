"""Thread maintenance of `RedisSaver`: delete, delete by run, copy and prune (sync and async)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from . import _scripts
from ._keys import thread_index
from ._redis import AsyncClient, SyncClient, unavailable
from ._saver_cache import HeadCache
from ._saver_core import Script

__all__ = ["SaverAdmin"]

_DROP = Script.of(_scripts.DROP)
_STRATEGIES = ("keep_latest", "delete")


class SaverAdmin:
    """Mixin of `RedisSaver` holding the maintenance methods of `BaseCheckpointSaver`."""

    namespace: str
    _cluster: bool
    _ttl_ms: int
    _heads: HeadCache
    _indexed: set[str]
    _server: str

    def _keys(self, thread_id: str, *, index: bool = False) -> list[str]:
        raise NotImplementedError

    def _sync(self) -> SyncClient:
        raise NotImplementedError

    def _async(self) -> AsyncClient:
        raise NotImplementedError

    def _sync_only(self) -> bool:
        raise NotImplementedError

    def _eval(self, script: Script, keys: list[str], args: Sequence[Any]) -> Any:
        raise NotImplementedError

    async def _aeval(self, script: Script, keys: list[str], args: Sequence[Any]) -> Any:
        raise NotImplementedError

    def _thread_ids(self) -> list[str]:
        raise NotImplementedError

    async def _athread_ids(self) -> list[str]:
        raise NotImplementedError

    def _forget(self, thread_id: str) -> None:
        self._heads.forget_thread(thread_id)
        self._indexed.discard(thread_id)

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

        Uses DUMP/RESTORE, so values are copied server-side without deserializing them.
        """
        client = self._sync()
        with unavailable(self._server):
            pipe = client.pipeline(transaction=False)
            for key in self._keys(source_thread_id):
                pipe.dump(key)
            dumps = pipe.execute()
            if all(d is None for d in dumps):
                return
            self._forget(target_thread_id)
            pipe = client.pipeline(transaction=not self._cluster)
            _restore(pipe, self._keys(target_thread_id), dumps, self._ttl_ms)
            pipe.execute()
            pipe = client.pipeline(transaction=False)
            _index(pipe, thread_index(self.namespace), target_thread_id, self._ttl_ms)
            pipe.execute()

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """Async twin of `copy_thread`."""
        if self._sync_only():
            return await asyncio.to_thread(self.copy_thread, source_thread_id, target_thread_id)
        client = self._async()
        with unavailable(self._server):
            pipe = client.pipeline(transaction=False)
            for key in self._keys(source_thread_id):
                pipe.dump(key)
            dumps = await pipe.execute()
            if all(d is None for d in dumps):
                return
            self._forget(target_thread_id)
            pipe = client.pipeline(transaction=not self._cluster)
            _restore(pipe, self._keys(target_thread_id), dumps, self._ttl_ms)
            await pipe.execute()
            pipe = client.pipeline(transaction=False)
            _index(pipe, thread_index(self.namespace), target_thread_id, self._ttl_ms)
            await pipe.execute()


def _check_strategy(strategy: str) -> None:
    if strategy not in _STRATEGIES:
        raise ValueError(f"unknown prune strategy {strategy!r}; use one of {_STRATEGIES}")


def _restore(pipe: Any, keys: list[str], dumps: list[bytes | None], ttl_ms: int) -> None:
    for key, dumped in zip(keys, dumps, strict=True):
        if dumped is None:
            pipe.delete(key)
        else:
            pipe.restore(key, ttl_ms, dumped, replace=True)


def _index(pipe: Any, index: str, thread_id: str, ttl_ms: int) -> None:
    import time

    pipe.zadd(index, {thread_id: int(time.time() * 1000)}, nx=True)
    if ttl_ms:
        pipe.pexpire(index, ttl_ms)
