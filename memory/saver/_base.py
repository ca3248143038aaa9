"""The plumbing `RedisSaver` and its mixins share: clients, keys, script calls, errors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langgraph.checkpoint.base import CheckpointTuple
from langgraph.checkpoint.serde.base import SerializerProtocol
from redis.exceptions import NoScriptError, ResponseError

from shopcrew.errors import CheckpointFormatError, KeyTypeError
from shopcrew.memory._redis import (
    AsyncClient,
    SyncClient,
    async_client,
    raise_for_wrongtype,
    unavailable,
)
from shopcrew.memory.saver._cache import HeadCache, Hints
from shopcrew.memory.saver._core import Script, parse_load_reply
from shopcrew.memory.saver._io import AsyncLink, SyncLink, async_link
from shopcrew.memory.saver._keys import ThreadKeys, thread_index

__all__ = ["CHECKED_THREADS", "SaverBase"]

CHECKED_THREADS = 65_536
"""Threads a saver remembers as type-checked; past that it forgets them all (and checks again)."""


class SaverBase:
    """Clients, keys and script calls of `RedisSaver` (its `__init__` sets the fields)."""

    namespace: str
    serde: SerializerProtocol
    _client: SyncClient | None
    _aclient: AsyncClient | None
    _link: SyncLink | None
    _alink: AsyncLink | None
    _async_url: str | None
    _owned: bool
    _cluster: bool
    _server: str
    _ttl_ms: int
    _heads: HeadCache
    _indexed: set[str]
    _checked: set[str]
    """Threads whose keys this saver has seen hold our types: later writes skip `TYPE`."""

    # -- lifecycle -----------------------------------------------------------------------

    def close(self) -> None:
        """Close the clients `from_url` opened (injected clients are left open)."""
        if self._link is not None:
            self._link.close()
        if self._owned and self._client is not None:
            self._client.close()

    async def aclose(self) -> None:
        """Close both clients `from_url` opened."""
        self.close()
        if self._alink is not None:
            await self._alink.aclose()
        if self._owned and self._aclient is not None:
            await self._aclient.aclose()
            self._aclient, self._alink = None, None

    # -- plumbing ------------------------------------------------------------------------

    def _keys(self, thread_id: str, *, index: bool = False) -> list[str]:
        keys = ThreadKeys.of(self.namespace, thread_id).all()
        if index and not self._cluster:
            keys.append(thread_index(self.namespace))
        return keys

    def _forget(self, thread_id: str) -> None:
        self._heads.forget_thread(thread_id)
        self._indexed.discard(thread_id)
        self._checked.discard(thread_id)

    def _translate(self, exc: ResponseError) -> None:
        text = str(exc)
        if "WRONGTYPE" in text:
            # A key changed type behind our back: every thread's next write checks again.
            self._checked.clear()
        raise_for_wrongtype(exc)
        if "WRONGTYPE" in text:
            raise KeyTypeError(
                f"{self.namespace}:t:*", expected="shopcrew checkpoint key", found="another type"
            ) from exc
        if "SHOPCREW_BROKEN_CHAIN" in text or "SHOPCREW_FORMAT" in text:
            raise CheckpointFormatError(
                f"a stored checkpoint cannot be read ({text}); delete the thread"
            ) from exc

    def _sync(self) -> SyncClient:
        if self._client is None:
            raise RuntimeError("this RedisSaver has only an asyncio client: use the a* methods")
        return self._client

    def _eval(self, script: Script, keys: list[str], args: Sequence[Any]) -> Any:
        client = self._sync()
        try:
            with unavailable(self._server):
                if self._link is not None:
                    return self._link.eval(script, keys, args)
                try:
                    return client.evalsha(script.sha, len(keys), *keys, *args)
                except NoScriptError:
                    return client.eval(script.source, len(keys), *keys, *args)
        except ResponseError as exc:
            self._translate(exc)
            raise

    def _write(self, thread_id: str, script: Script, keys: list[str], args: list[Any]) -> Any:
        """`_eval` of a writing script whose `check` argument `args` leaves to this call."""
        try:
            reply = self._eval(script, keys, args)
        except Exception:
            self._checked.discard(thread_id)
            raise
        self._remember_checked(thread_id)
        return reply

    def _remember_checked(self, thread_id: str) -> None:
        if len(self._checked) >= CHECKED_THREADS:
            self._checked.clear()
        self._checked.add(thread_id)

    def _async(self) -> AsyncClient:
        if self._aclient is None:
            if self._async_url is None:
                raise RuntimeError("this RedisSaver has no asyncio client")
            self._aclient = async_client(self._async_url)
            self._alink = async_link(self._aclient)
        return self._aclient

    def _sync_only(self) -> bool:
        return self._aclient is None and self._async_url is None

    async def _aeval(self, script: Script, keys: list[str], args: Sequence[Any]) -> Any:
        client = self._async()
        try:
            with unavailable(self._server):
                if self._alink is not None:
                    return await self._alink.eval(script, keys, args)
                try:
                    return await client.evalsha(script.sha, len(keys), *keys, *args)
                except NoScriptError:
                    return await client.eval(script.source, len(keys), *keys, *args)
        except ResponseError as exc:
            self._translate(exc)
            raise

    async def _awrite(
        self, thread_id: str, script: Script, keys: list[str], args: list[Any]
    ) -> Any:
        """Async twin of `_write`."""
        try:
            reply = await self._aeval(script, keys, args)
        except Exception:
            self._checked.discard(thread_id)
            raise
        self._remember_checked(thread_id)
        return reply

    def _parse(
        self, thread_id: str, entries: Sequence[Any], hints: Hints | None = None
    ) -> list[CheckpointTuple]:
        return parse_load_reply(
            self.serde, thread_id, entries, self._heads, where=self._server, hints=hints
        )

    def _thread_ids(self) -> list[str]:
        with unavailable(self._server):
            raw = self._sync().zrange(thread_index(self.namespace), 0, -1)
        return [r.decode() if isinstance(r, bytes) else str(r) for r in raw]

    async def _athread_ids(self) -> list[str]:
        with unavailable(self._server):
            raw = await self._async().zrange(thread_index(self.namespace), 0, -1)
        return [r.decode() if isinstance(r, bytes) else str(r) for r in raw]
