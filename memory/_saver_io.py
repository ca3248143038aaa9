"""Round trips of `RedisSaver`: one script call per method, on lean connections when it can.

redis-py's `execute_command` spends more time per call in its pool and its bookkeeping than
a short script spends on the server. On one server, a saver therefore keeps its own idle
connections (made by the client's pool, so with its URL, credentials and retry policy) and
sends each script call on one of them directly: the same request, the same retries of
transient errors, fewer instructions. Cluster clients keep redis-py's path, which routes.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Sequence
from typing import Any

import redis
import redis.asyncio
from redis.exceptions import NoScriptError

from ._redis import AsyncClient, SyncClient
from ._saver_core import Script

__all__ = ["AsyncLink", "SyncLink", "async_link", "sync_link"]

ASYNC_TIMEOUT_S = 10.0
"""Longest wait for one async round trip (the sync clients' socket timeout is the same)."""

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
        conn = self._idle.pop() if self._idle else self._pool.make_connection()
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


class AsyncLink:
    """Async twin of `SyncLink`, for one event loop's asyncio client.

    Each round trip is bounded by one `asyncio.timeout` instead of a timer per socket
    operation (on Python 3.11 each of those timers is a new task).
    """

    def __init__(self, client: redis.asyncio.Redis) -> None:
        pool = client.connection_pool
        self._new = pool.connection_class
        self._kwargs = {**pool.connection_kwargs, "socket_timeout": None}
        self._retry = client.get_retry()
        self._idle: list[Any] = []
        _LINKS.add(self)

    def forget(self) -> None:
        """Drop the idle connections without closing them (they belong to another process)."""
        self._idle = []

    async def eval(self, script: Script, keys: Sequence[str], args: Sequence[Any]) -> Any:
        """Run `script` by SHA, loading it on the server first if the server lost it."""
        try:
            return await self._call("EVALSHA", script.sha, len(keys), *keys, *args)
        except NoScriptError:
            return await self._call("EVAL", script.source, len(keys), *keys, *args)

    async def _call(self, *command: Any) -> Any:
        conn = self._idle.pop() if self._idle else self._new(**self._kwargs)
        try:
            async with asyncio.timeout(ASYNC_TIMEOUT_S):
                if self._retry is None:
                    reply = await _aonce(conn, command)
                else:
                    reply = await self._retry.call_with_retry(
                        lambda: _aonce(conn, command), lambda _error: conn.disconnect()
                    )
        except redis.exceptions.ResponseError:
            self._idle.append(conn)
            raise
        except BaseException:
            await conn.disconnect()
            raise
        self._idle.append(conn)
        return reply

    async def aclose(self) -> None:
        """Disconnect the idle connections."""
        while self._idle:
            await self._idle.pop().disconnect()


async def _aonce(conn: Any, command: Sequence[Any]) -> Any:
    await conn.send_command(*command, check_health=False)
    return await conn.read_response()


def sync_link(client: SyncClient) -> SyncLink | None:
    """A lean link for a standalone client; `None` for a cluster (redis-py routes)."""
    return SyncLink(client) if isinstance(client, redis.Redis) else None


def async_link(client: AsyncClient) -> AsyncLink | None:
    """A lean link for a standalone asyncio client; `None` for a cluster."""
    return AsyncLink(client) if isinstance(client, redis.asyncio.Redis) else None
