"""Round trips of `RedisSaver`: one script call per method, on lean connections when it can.

redis-py's `execute_command` spends more time per call in its pool and its bookkeeping than
a short script spends on the server. On one server, a saver therefore keeps its own idle
connections (made by the client's pool, so with its URL, credentials and retry policy) and
sends each script call on one of them directly: the same request, the same retries of
transient errors, fewer instructions. The asyncio link also commits in groups: the calls
made while a request is in flight leave together in the next one. Cluster clients keep
redis-py's path, which routes.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import redis
import redis.asyncio
from redis.exceptions import NoScriptError

from shopcrew.memory._redis import AsyncClient, SyncClient
from shopcrew.memory.saver._core import Script

__all__ = ["AsyncLink", "SyncLink", "async_link", "sync_link"]

ASYNC_TIMEOUT_S = 10.0
"""Longest wait for one async round trip (the sync clients' socket timeout is the same)."""

LINGER_TURNS = 4
"""Event-loop turns a queued call waits after a request returned, for the calls it sets off."""

_LINKS: weakref.WeakSet[SyncLink | AsyncLink] = weakref.WeakSet()


def _forget_after_fork() -> None:
    # A forked child must not talk on its parent's sockets: it makes its own connections.
    for link in list(_LINKS):
        link.forget()


os.register_at_fork(after_in_child=_forget_after_fork)


class SyncLink:
    """Script calls on a standalone client's connections, past redis-py's per-command path.

    Args:
        client: The client whose pool makes the connections and whose retry policy applies.
    """

    def __init__(self, client: redis.Redis) -> None:
        self._pool = client.connection_pool
        self._retry = client.get_retry()
        # list.pop and list.append are atomic: threads share the list without a lock.
        self._idle: list[Any] = []
        _LINKS.add(self)

    def forget(self) -> None:
        """Drop the idle connections without closing them (they belong to another process)."""
        self._idle = []

    def eval(self, script: Script, keys: Sequence[str], args: Sequence[Any]) -> Any:
        """Run `script` by SHA, loading it on the server first if the server lost it."""
        try:
            return self._call("EVALSHA", script.sha, len(keys), *keys, *args)
        except NoScriptError:
            return self._call("EVAL", script.source, len(keys), *keys, *args)

    def _call(self, *command: Any) -> Any:
        try:
            conn = self._idle.pop()
        except IndexError:  # another thread may take the last idle one after any check
            conn = self._pool.make_connection()
        try:
            if self._retry is None:
                reply = _once(conn, command)
            else:
                reply = self._retry.call_with_retry(
                    lambda: _once(conn, command), lambda _error: conn.disconnect()
                )
        except redis.exceptions.ResponseError:
            self._idle.append(conn)  # the reply was read whole: the connection is clean
            raise
        except BaseException:
            conn.disconnect()
            raise
        self._idle.append(conn)
        return reply

    def close(self) -> None:
        """Disconnect the idle connections."""
        while self._idle:
            self._idle.pop().disconnect()


def _once(conn: Any, command: Sequence[Any]) -> Any:
    conn.send_command(*command, check_health=False)
    return conn.read_response()


@dataclass(slots=True)
class _Call:
    """One script call waiting in an `AsyncLink` batch."""

    script: Script
    keys: Sequence[str]
    args: Sequence[Any]
    future: asyncio.Future[Any]
    by_source: bool = False
    """Sent as EVAL with the source (the server had lost the script)."""

    def command(self) -> tuple[Any, ...]:
        if self.by_source:
            return ("EVAL", self.script.source, len(self.keys), *self.keys, *self.args)
        return ("EVALSHA", self.script.sha, len(self.keys), *self.keys, *self.args)


class AsyncLink:
    """Async twin of `SyncLink`, for one event loop's asyncio client; calls share requests.

    Group commit: one request is in flight at a time. Calls made meanwhile wait for it and
    leave together in the next request, a few turns of the event loop after it returned, so
    that what its replies set off joins them (LangGraph saves a step's `aput_writes` while the
    step's checkpoint is in flight, and the next `aput` as soon as that checkpoint is stored:
    the pair then shares one request). One write to the socket, replies read in order; each
    caller still waits for its own reply and gets its own result or error, so nothing returns
    before the server stored it. A request is bounded by one `asyncio.timeout` instead of a
    timer per socket operation (on Python 3.11 each of those is a new task).
    """

    def __init__(self, client: redis.asyncio.Redis) -> None:
        pool = client.connection_pool
        self._new = pool.connection_class
        self._kwargs = {**pool.connection_kwargs, "socket_timeout": None}
        self._retry = client.get_retry()
        self._idle: list[Any] = []
        self._queue: list[_Call] = []
        self._busy = False
        self._wait = 0
        """Event-loop turns left before the queue leaves (counted down while nothing new comes)."""
        self._tasks: set[asyncio.Task[None]] = set()
        _LINKS.add(self)

    def forget(self) -> None:
        """Drop the idle connections without closing them (they belong to another process)."""
        self._idle = []

    async def eval(self, script: Script, keys: Sequence[str], args: Sequence[Any]) -> Any:
        """Run `script` by SHA (by source if the server lost it), with this turn's others."""
        loop = asyncio.get_running_loop()
        call = _Call(script, keys, args, loop.create_future())
        if not self._queue and not self._busy:
            loop.call_soon(self._flush)
        self._queue.append(call)
        return await call.future

    def _flush(self) -> None:
        if self._wait > 0:
            self._wait -= 1
            asyncio.get_running_loop().call_soon(self._flush)
            return
        batch, self._queue, self._busy = self._queue, [], True
        task = asyncio.ensure_future(self._send(batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, batch: list[_Call]) -> None:
        try:
            await self._send_batch(batch)
        finally:
            self._busy = False
            if self._queue:
                self._wait = LINGER_TURNS
                asyncio.get_running_loop().call_soon(self._flush)

    async def _send_batch(self, batch: list[_Call]) -> None:
        try:
            async with asyncio.timeout(ASYNC_TIMEOUT_S):
                while batch:
                    if self._retry is None:
                        await self._exchange(batch)
                    else:
                        await self._retry.call_with_retry(partial(self._exchange, batch), _ignore)
                    batch = [c for c in batch if c.by_source and not c.future.done()]
        except BaseException as exc:
            for call in batch:
                if not call.future.done():
                    call.future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise

    async def _exchange(self, batch: list[_Call]) -> None:
        """Send the calls still waiting in one request and hand out their replies."""
        todo = [c for c in batch if not c.future.done()]
        conn = self._idle.pop() if self._idle else self._new(**self._kwargs)
        try:
            packed = conn.pack_commands([c.command() for c in todo])
            await conn.send_packed_command(packed, check_health=False)
            for call in todo:
                try:
                    reply = await conn.read_response()
                except NoScriptError as exc:
                    if call.by_source:
                        _settle(call, exc=exc)
                    call.by_source = True
                    continue
                except redis.exceptions.ResponseError as exc:
                    _settle(call, exc=exc)
                    continue
                _settle(call, reply=reply)
        except BaseException:
            await conn.disconnect()
            raise
        self._idle.append(conn)

    async def aclose(self) -> None:
        """Disconnect the idle connections."""
        while self._idle:
            await self._idle.pop().disconnect()


def _settle(call: _Call, *, reply: Any = None, exc: BaseException | None = None) -> None:
    if call.future.done():  # its caller was cancelled
        return
    if exc is not None:
        call.future.set_exception(exc)
    else:
        call.future.set_result(reply)


async def _ignore(_error: Exception) -> None:
    """Retry's failure handler: `_exchange` already dropped the broken connection."""


def sync_link(client: SyncClient) -> SyncLink | None:
    """A lean link for a standalone client; `None` for a cluster (redis-py routes)."""
    return SyncLink(client) if isinstance(client, redis.Redis) else None


def async_link(client: AsyncClient) -> AsyncLink | None:
    """A lean link for a standalone asyncio client; `None` for a cluster."""
    return AsyncLink(client) if isinstance(client, redis.asyncio.Redis) else None
